import { Global, Injectable, Module } from '@nestjs/common';
import { ApiError } from './api-error';

/** An error as a protocol's own body, for the endpoint of a protocol that defines one. */
export type ErrorBodyFormat = (error: ApiError, requestId: string) => unknown;

/**
 * The endpoints that answer errors in a shape of their own instead of the spec's `Error` (PagerDuty's
 * `/v2/enqueue` answers as PagerDuty does), registered by their modules at start. The exception filter
 * asks here, so that every error on such a path, a body that is not JSON or a database outage included,
 * takes that shape in one place.
 */
@Injectable()
export class ErrorBodies {
  private readonly formats = new Map<string, ErrorBodyFormat>();

  register(path: string, format: ErrorBodyFormat): void {
    this.formats.set(normalise(path), format);
  }

  /** The format for a request path, if its endpoint has one. */
  formatFor(path: string): ErrorBodyFormat | undefined {
    return this.formats.get(normalise(path));
  }
}

// Express routes ignore case and a trailing slash: `/V2/enqueue/` reaches the same handler.
function normalise(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '');
}

@Global()
@Module({ providers: [ErrorBodies], exports: [ErrorBodies] })
export class ErrorBodiesModule {}
