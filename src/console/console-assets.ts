import { join } from 'node:path';
import { projectRoot } from '../common/project-root';

/** Where `npm run build` puts the console (Vite, from console/). */
export const CONSOLE_DIR = join(projectRoot(), 'dist', 'console');
export const CONSOLE_PATH = '/console';

// The app is only files from this origin: no inline script or style, no frames, nothing from elsewhere.
// Trusted Types with no policy make every HTML-injection sink (innerHTML and friends) throw, so alert
// text can only ever reach the page as text.
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Vite names assets by their content hash: a name never changes meaning, so browsers keep them. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always ask again (a new build is seen at once). */
export const PAGE_CACHE = 'no-cache';

/**
 * The <base href> of the page at `path` (a path under the console's root, e.g. `/`, `/notifications/x`):
 * relative, so that the console still works when a reverse proxy serves the service under a prefix.
 */
export function baseHref(path: string): string {
  const depth = path.split('/').length - 2;
  return depth <= 0 ? './' : '../'.repeat(depth);
}

/** index.html with its <base> first in <head>, before anything that names a URL. */
export function withBase(html: string, href: string): string {
  const head = html.indexOf('<head>');
  if (head < 0) throw new Error('the console index.html has no <head>');
  const at = head + '<head>'.length;
  return `${html.slice(0, at)}<base href="${href}">${html.slice(at)}`;
}
