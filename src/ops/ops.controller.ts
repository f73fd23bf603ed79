import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { OpsService } from './ops.service';

@Controller()
export class OpsController {
  constructor(private readonly service: OpsService) {}

  @Get('healthz')
  getHealth() {
    return this.service.getHealth();
  }

  @Get('readyz')
  async getReadiness(@Res({ passthrough: true }) response: Response) {
    const readiness = await this.service.getReadiness();
    response.status(readiness.status === 'ok' ? 200 : 503);
    return readiness;
  }

  @Get('openapi.json')
  getOpenApiDocument() {
    return this.service.getOpenApiDocument();
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  getApiReference() {
    return this.service.getApiReference();
  }
}
