import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter, except that Node's HTTP server makes each request and response with
 * Express's prototypes (`app.request`, `app.response`) from the start. Express gives every request and
 * response its own prototype when it takes them (`Object.setPrototypeOf` in `app.handle`); on an object
 * V8 has already shaped, that is costly, and, measured here, it left a third of what a request allocates
 * to outlive young collections: a bare node:http server answered half as fast with the two calls as
 * without, and the young generation's survivors went from none to 3.5 MB a collection. With the
 * prototypes already right, Express's calls change nothing (docs/design-notes.md, "Phase 9").
 */
export class PrototypedExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // The service passes none of these; the adapter would have to build what Nest builds for them.
    if (options.httpsOptions || options.forceCloseConnections || options.return503OnClosing) {
      throw new Error(
        'PrototypedExpressAdapter: httpsOptions, forceCloseConnections and return503OnClosing are not supported',
      );
    }
    this.setHttpServer(prototypedServer(this.getInstance<Express>()));
  }
}

/**
 * An HTTP server for `app` whose requests and responses are born with Express's prototypes: subclasses
 * of Node's classes whose prototypes take the place of `app.request` and `app.response` (the same
 * inheritance and the same own properties, Express's `app`), so that Express's own `setPrototypeOf`
 * finds them already set.
 */
export function prototypedServer(app: Express): Server {
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  app.request = standIn(AppRequest.prototype, app.request);
  app.response = standIn(AppResponse.prototype, app.response);
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}

/** `target`, made to inherit what `source` inherits and to hold `source`'s own properties. */
function standIn<T extends object>(target: object, source: T): T {
  Object.setPrototypeOf(target, Object.getPrototypeOf(source) as object);
  for (const key of Reflect.ownKeys(source)) {
    Object.defineProperty(target, key, Object.getOwnPropertyDescriptor(source, key)!);
  }
  return target as T;
}
