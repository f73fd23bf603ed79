import { createHash } from 'node:crypto';

// A notification's ETag is a strong validator of what GET answers: its version, "7", while nothing holds
// it, and "7-<hash of heldBy>" while silences or maintenance windows do. heldBy is computed when read (a
// silence can start or end without a change of the row), so the version alone would let a 304 keep a
// stale heldBy alive in a client's cache.
export function etagOf(version: number, heldBy: readonly unknown[] = []): string {
  if (heldBy.length === 0) return `"${version}"`;
  const holds = createHash('sha256').update(JSON.stringify(heldBy)).digest('base64url').slice(0, 12);
  return `"${version}-${holds}"`;
}

function tags(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
}

/**
 * Whether an If-Match header names this version: `*`, or a comma-separated list of entity tags (the weak
 * `W/` prefix ignored). Only the version counts: a write changes the row, whatever holds it.
 */
export function etagMatches(header: string, version: number): boolean {
  if (header.trim() === '*') return true;
  return tags(header).some((tag) => tag === `"${version}"` || tag.startsWith(`"${version}-`));
}

/** Whether an If-None-Match header names the current ETag (`*`, or one of a list, weak comparison). */
export function etagIsCurrent(header: string, etag: string): boolean {
  return header.trim() === '*' || tags(header).includes(etag);
}
