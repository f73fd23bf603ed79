import { LoggerService } from '@nestjs/common';
import { NextFunction, Request, Response, Router, static as serveStatic } from 'express';
import { hash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSET_CACHE, baseHref, CONSOLE_HEADERS, PAGE_CACHE, withBase } from './console-assets';

/** The console's files from `dir`, and index.html for every other path under it (the app routes itself). */
export function consoleRouter(dir: string, logger: LoggerService): Router {
  const index = join(dir, 'index.html');
  let html: string | undefined;
  // Read once it exists: a service started before `npm run build` serves the console once it is built.
  const page = (): string | undefined => (html ??= existsSync(index) ? readFileSync(index, 'utf8') : undefined);
  if (!page()) logger.warn(`the console is not built (no ${index}); run "npm run build" to serve /console`);

  const router = Router();
  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.set(CONSOLE_HEADERS);
    next();
  });
  router.use(
    '/assets',
    serveStatic(join(dir, 'assets'), {
      index: false,
      fallthrough: true,
      setHeaders: (res) => res.set('Cache-Control', ASSET_CACHE),
    }),
    // A missing asset is a 404, never the page: a stale tab must not run HTML as a script.
    (_req: Request, res: Response) => res.status(404).type('text/plain').send('Not found'),
  );
  router.get('/favicon.svg', serveStatic(dir, { index: false, maxAge: '1d' }));
  router.get('/{*path}', (req: Request, res: Response) => {
    // /console without the slash: relative URLs would resolve against the service root. The redirect
    // is relative too (`console/`), for the same proxy prefix.
    const [path, query] = req.originalUrl.split(/(?=\?)/, 2);
    if (path === req.baseUrl) return res.redirect(301, `${path.slice(path.lastIndexOf('/') + 1)}/${query ?? ''}`);
    const body = page();
    if (!body) {
      return res.status(503).type('text/plain').send('The console is not built: run "npm run build", then reload.');
    }
    const html = withBase(body, baseHref(req.path));
    // Its own validator (the app's automatic ETags are off): a reload revalidates and gets a 304.
    res
      .set('Cache-Control', PAGE_CACHE)
      .set('ETag', `"${hash('sha1', html, 'base64url')}"`)
      .type('html')
      .send(html);
  });
  return router;
}
