import { logLine } from './http-logger';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from './api-error';
import { ErrorBody, ErrorCode } from './api-types';
import { isDatabaseUnavailable, isUnstorableValue, UNSTORABLE_VALUE } from './database-errors';
import { ErrorBodies } from './error-bodies';
import { errorText } from './errors';
import { MAX_JSON_DEPTH } from './json-depth';

// body-parser's error types (https://github.com/expressjs/body-parser#errors).
const BODY_PARSER_ERRORS: Record<string, [ErrorCode, string]> = {
  'entity.parse.failed': ['malformed_json', 'The body is not valid JSON'],
  // Ours (app.ts): arrays and objects nested deeper than MAX_JSON_DEPTH.
  'entity.too.deep': ['malformed_json', `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`],
  'entity.too.large': ['payload_too_large', 'The body is larger than the configured limit'],
  'encoding.unsupported': ['bad_request', 'The body has an unsupported content encoding'],
  'charset.unsupported': ['bad_request', 'The body has an unsupported charset'],
  'request.aborted': ['bad_request', 'The request was aborted'],
  'request.size.invalid': ['bad_request', 'The body is shorter or longer than Content-Length'],
  'stream.encoding.set': ['bad_request', 'The body could not be read'],
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * The one place that turns anything thrown into the spec's `Error` body (or, on an endpoint of a protocol
 * with its own error shape, that shape: ErrorBodies); 5xx bodies say no internals.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly bodies: ErrorBodies) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const error = this.toApiError(exception, request);
    if (error.retryAfterSeconds !== undefined && !response.headersSent) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    if (error.status >= 500) {
      if (error.code === 'database_unavailable') {
        this.logger.warn(logLine(`database unavailable: ${errorText(exception)}`, request));
      } else {
        const text = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
        this.logger.error(logLine(text, request));
      }
    }
    const requestId = requestIdOf(request);
    const format = this.bodies.formatFor(request.path);
    const body: ErrorBody = {
      error: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      requestId,
    };
    if (!response.headersSent) response.status(error.status).json(format ? format(error, requestId) : body);
  }

  private toApiError(exception: unknown, request: Request): ApiError {
    if (exception instanceof ApiError) return exception;
    // Nest wraps body-parser's errors in an HttpException with the original as `cause`.
    const raw = exception as { type?: unknown; cause?: { type?: unknown } } | undefined;
    const parserType = raw?.type ?? raw?.cause?.type;
    if (typeof parserType === 'string' && parserType in BODY_PARSER_ERRORS) {
      const [code, message] = BODY_PARSER_ERRORS[parserType];
      return new ApiError(code, message);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = HTTP_CODES[status];
      if (status === 404) return new ApiError('not_found', `No route for ${request.method} ${request.path}`);
      if (code) return new ApiError(code, exception.message);
    }
    if (isUnstorableValue(exception)) {
      return new ApiError('bad_request', `The body holds ${UNSTORABLE_VALUE}`);
    }
    if (isDatabaseUnavailable(exception)) {
      return new ApiError(
        'database_unavailable',
        'The database cannot be reached; nothing was stored. Retry later.',
        undefined,
        5,
      );
    }
    return new ApiError('internal_error', 'Internal error; see the service log for this request id');
  }
}

// Set by the request logging middleware (common/logger.ts), the first of all.
function requestIdOf(request: Request): string {
  return request.id ?? '';
}
