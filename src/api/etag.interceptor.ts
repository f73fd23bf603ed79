import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { etagMatches, etagOf } from '../common/etag';

/**
 * Puts the ETag on every single-notification answer, and answers a GET whose If-None-Match names the
 * current version with 304 and no body.
 */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        const version = (body as { version?: unknown } | null)?.version;
        if (typeof version !== 'number') return body;
        response.setHeader('ETag', etagOf(version));
        const ifNoneMatch = request.headers['if-none-match'];
        if (request.method === 'GET' && ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version)) {
          response.status(304);
          return undefined;
        }
        return body;
      }),
    );
  }
}
