import { logLine } from '../common/http-logger';
import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { catchError, from, mergeMap, Observable, of } from 'rxjs';
import { ApiError } from '../common/api-error';
import { AuthenticatedRequest } from '../common/request-context';
import { IdempotencyRepository } from './idempotency.repository';

/**
 * `Idempotency-Key` on POSTs (the IETF httpapi-idempotency-key draft): the first successful answer is
 * stored per (API key, key) and returned again for a retry with the same method, path and body; the
 * same key with a different request is refused with 422, and with one still running with 409. A request
 * that fails is forgotten (it changed nothing), so its retry runs again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly repository: IdempotencyRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (key.length === 0 || key.length > 200) {
      throw new ApiError('bad_request', 'Idempotency-Key must be 1-200 characters', [
        { field: 'Idempotency-Key', problem: 'must be 1-200 characters' },
      ]);
    }
    const apiKeyName = request.apiKeyName ?? '';
    const identity = {
      apiKeyName,
      key,
      method: request.method,
      path: request.path,
      requestHash: createHash('sha256')
        .update(JSON.stringify(request.body ?? null))
        .digest('hex'),
    };
    return from(this.repository.claim(identity)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'seen') {
          const stored = claim.stored;
          if (
            stored.method !== identity.method ||
            stored.path !== identity.path ||
            stored.requestHash !== identity.requestHash
          ) {
            throw new ApiError(
              'idempotency_key_reused',
              `Idempotency-Key "${key}" was used for another request (${stored.method} ${stored.path} with a ` +
                'different body or path); use a new key for a new change',
            );
          }
          if (stored.responseStatus === null) {
            throw new ApiError('conflict', `A request with Idempotency-Key "${key}" is still being processed; retry`);
          }
          this.logger.log(logLine(`replayed the answer for Idempotency-Key ${key} (API key ${apiKeyName})`, request));
          response.status(stored.responseStatus);
          response.setHeader('Idempotent-Replayed', 'true');
          return of(stored.responseBody);
        }
        return next.handle().pipe(
          mergeMap(async (body: unknown) => {
            await this.repository.complete(apiKeyName, key, response.statusCode, body);
            return body;
          }),
          catchError(async (error: unknown) => {
            await this.repository.release(apiKeyName, key);
            throw error;
          }),
        );
      }),
    );
  }
}
