import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

// The configured secrets' digests, computed once each: the config's secrets are few and fixed.
const configured = new Map<string, Buffer>();
const MAX_CONFIGURED = 1024;

function configuredDigest(secret: string): Buffer {
  let cached = configured.get(secret);
  if (!cached) {
    cached = digest(secret);
    if (configured.size < MAX_CONFIGURED) configured.set(secret, cached);
  }
  return cached;
}

/**
 * The entry whose secret equals `presented`, compared in constant time over every entry so that
 * neither the match nor its position leaks through timing.
 */
export function matchSecret<T>(entries: readonly T[], secretOf: (entry: T) => string, presented: unknown): T | null {
  if (typeof presented !== 'string' || presented.length === 0) return null;
  const presentedDigest = digest(presented);
  let found: T | null = null;
  for (const entry of entries) {
    if (timingSafeEqual(configuredDigest(secretOf(entry)), presentedDigest) && found === null) found = entry;
  }
  return found;
}
