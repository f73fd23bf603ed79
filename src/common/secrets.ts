import { hash, timingSafeEqual } from 'node:crypto';

// One-shot hashing: about half the cost of a Hash object per presented secret (every webhook request).
const digest = (value: string) => hash('sha256', value, 'buffer');

/**
 * The configured secrets of one kind (tokens, keys, passwords), hashed once. `match` finds the entry
 * whose secret equals the presented one, compared in constant time over every entry so that neither
 * the match nor its position leaks through timing.
 */
export class SecretMatcher<T> {
  private readonly digests: { entry: T; digest: Buffer }[];

  constructor(entries: readonly T[], secretOf: (entry: T) => string) {
    this.digests = entries.map((entry) => ({ entry, digest: digest(secretOf(entry)) }));
  }

  get size(): number {
    return this.digests.length;
  }

  /** The entry with this secret (and, if given, that `accept`s, e.g. the right user name), or null. */
  match(presented: unknown, accept: (entry: T) => boolean = () => true): T | null {
    if (typeof presented !== 'string' || presented.length === 0) return null;
    const presentedDigest = digest(presented);
    let found: T | null = null;
    for (const { entry, digest: secretDigest } of this.digests) {
      if (timingSafeEqual(secretDigest, presentedDigest) && found === null && accept(entry)) found = entry;
    }
    return found;
  }
}
