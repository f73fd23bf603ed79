import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

export const IDEMPOTENCY_TTL_HOURS = 24;
const ABANDONED_CLAIM_SECONDS = 60;

export interface IdempotentRequest {
  apiKeyName: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

export type Claim = { kind: 'claimed' } | { kind: 'seen'; stored: IdempotencyKeyEntity };

/** The only code that touches idempotency_keys. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims the key for this request (a row with no response yet), or returns what is stored under it.
   * The unique key makes two concurrent first requests claim it once.
   */
  async claim(request: IdempotentRequest): Promise<Claim> {
    // Expired keys go; so does a claim whose request never finished (the process died, or the database
    // went away before the claim could be released): requests are bounded by the 15 s statement timeout.
    await this.dataSource.query(
      `DELETE FROM idempotency_keys
        WHERE created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
           OR (response_status IS NULL AND created_at < now() - make_interval(secs => ${ABANDONED_CLAIM_SECONDS}))`,
    );
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (api_key_name, key, method, path, request_hash)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING key`,
      [request.apiKeyName, request.key, request.method, request.path, request.requestHash],
    );
    if (inserted.length > 0) return { kind: 'claimed' };
    const stored = await this.dataSource
      .getRepository(IdempotencyKeyEntity)
      .findOneBy({ apiKeyName: request.apiKeyName, key: request.key });
    // Expired and purged in between: claim it again.
    return stored ? { kind: 'seen', stored } : this.claim(request);
  }

  async complete(apiKeyName: string, key: string, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      'UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE api_key_name = $1 AND key = $2',
      [apiKeyName, key, status, JSON.stringify(body)],
    );
  }

  /** A request that failed changed nothing: forget the key so that a retry runs again. */
  async release(apiKeyName: string, key: string): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM idempotency_keys WHERE api_key_name = $1 AND key = $2 AND response_status IS NULL',
      [apiKeyName, key],
    );
  }
}
