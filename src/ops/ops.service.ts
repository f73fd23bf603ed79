import { Injectable } from '@nestjs/common';
import { Schemas } from '../common/api-types';
import { DatabaseHealthRepository } from '../database/database-health.repository';
import { API_REFERENCE_HTML } from './api-reference';
import { loadOpenApiDocument } from './openapi-document';

@Injectable()
export class OpsService {
  private readonly document = loadOpenApiDocument();

  constructor(private readonly database: DatabaseHealthRepository) {}

  getHealth(): Schemas['Health'] {
    return { status: 'ok' };
  }

  /** The readiness body; its `status` decides the HTTP status (503 while the database is down). */
  async getReadiness(): Promise<Schemas['Readiness']> {
    const up = await this.database.isReachable(2000);
    return up ? { status: 'ok', database: 'up' } : { status: 'unavailable', database: 'down' };
  }

  getOpenApiDocument(): Record<string, unknown> {
    return this.document;
  }

  getApiReference(): string {
    return API_REFERENCE_HTML;
  }
}
