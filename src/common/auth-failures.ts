import { isIP } from 'node:net';
import type { Request } from 'express';
import { ApiError } from './api-error';

export interface AuthFailureLimit {
  /** Failed attempts a client may make back to back. */
  burst: number;
  /** Failed attempts it regains per second. */
  perSecond: number;
  /** Clients remembered at most (the oldest are forgotten first): memory stays bounded. */
  maxClients: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Slows down guessing: every failed authentication (a wrong token, key, password) of a client takes a
 * token from its bucket; with none left, the client's attempts are refused without being checked
 * until one has come back (HTTP 429 with Retry-After, SMTP 454). One per process, shared by every
 * guard and the SMTP port; per replica (a guesser spread over N replicas gets N times the rate).
 */
export class AuthFailureLimiter {
  private readonly clients = new Map<string, Bucket>();

  constructor(private readonly limit: AuthFailureLimit) {}

  /** Milliseconds until this client may try again; 0 when it may now. */
  blockedForMs(address: string, now = Date.now()): number {
    const bucket = this.clients.get(clientKey(address));
    if (!bucket) return 0;
    const tokens = this.refilled(bucket, now);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.limit.perSecond) * 1000);
  }

  /** Counts a failed attempt of this client. */
  failed(address: string, now = Date.now()): void {
    const key = clientKey(address);
    const bucket = this.clients.get(key);
    const tokens = bucket ? this.refilled(bucket, now) : this.limit.burst;
    // Re-inserted, so that the map's order is the order of last failure (the oldest go first).
    this.clients.delete(key);
    this.clients.set(key, { tokens: Math.max(0, tokens - 1), at: now });
    while (this.clients.size > this.limit.maxClients) {
      this.clients.delete(this.clients.keys().next().value as string);
    }
  }

  /** Clients remembered now (for tests and metrics). */
  get size(): number {
    return this.clients.size;
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
  }
}

/**
 * Whom to count: an IPv4 address, or an IPv6 address's /64 (one host usually has a whole /64 to pick
 * addresses from).
 */
export function clientKey(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIP(plain) !== 6) return plain;
  const [head, tail = ''] = plain.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = plain.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * An HTTP guard's check with the limit around it: while the client is blocked, 429 with Retry-After
 * and the check is not even made; a 401 from the check (or what `isFailure` says is a wrong secret, for
 * a protocol that answers it otherwise) counts as a failure.
 */
export function limitedAuthentication<T>(
  limiter: AuthFailureLimiter,
  request: Request,
  check: () => T,
  isFailure: (error: ApiError) => boolean = (error) => error.code === 'unauthorized',
): T {
  // Read only when some client has failed (request.ip is a getter that walks the trusted proxies).
  const clientOf = () => request.ip ?? request.socket.remoteAddress ?? '';
  const waitMs = limiter.size === 0 ? 0 : limiter.blockedForMs(clientOf());
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    throw new ApiError(
      'too_many_requests',
      `Too many failed authentication attempts from this client; try again in ${seconds} s`,
      undefined,
      seconds,
    );
  }
  try {
    return check();
  } catch (error) {
    if (error instanceof ApiError && isFailure(error)) limiter.failed(clientOf());
    throw error;
  }
}

/** The token of `Authorization: Bearer <token>`; 401 naming what to send when there is none. */
export function bearerToken(header: string | undefined, what: string): string {
  if (!header)
    throw new ApiError('unauthorized', `Missing Authorization header; send "Authorization: Bearer <${what}>"`);
  const [scheme, token] = header.split(' ', 2);
  if (scheme.toLowerCase() !== 'bearer' || !token) {
    throw new ApiError('unauthorized', `Authorization must be "Bearer <${what}>"`);
  }
  return token.trim();
}
