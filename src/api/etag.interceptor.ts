import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { etagIsCurrent, etagOf } from '../common/etag';

/**
 * Puts the ETag on every single-notification answer, and answers a GET whose If-None-Match names the
 * current ETag (version and holds) with 304 and no body.
 */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        const { version, heldBy } = (body ?? {}) as { version?: unknown; heldBy?: unknown };
        if (typeof version !== 'number') return body;
        const etag = etagOf(version, Array.isArray(heldBy) ? heldBy : []);
        response.setHeader('ETag', etag);
        const ifNoneMatch = request.headers['if-none-match'];
        if (request.method === 'GET' && ifNoneMatch !== undefined && etagIsCurrent(ifNoneMatch, etag)) {
          response.status(304);
          return undefined;
        }
        return body;
      }),
    );
  }
}
