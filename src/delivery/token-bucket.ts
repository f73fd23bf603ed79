/** A token bucket: `perSecond` refill, `burst` capacity. In-process, per replica. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes a token when one is there; otherwise returns how many ms until one is. */
  take(now: number): { ok: true } | { ok: false; waitMs: number } {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil(((1 - this.tokens) / this.perSecond) * 1000) };
  }

  /** Whole tokens there now: how many sends may start at once. */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  /** Milliseconds until a token is there (0: now). */
  msUntilToken(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  hasToken(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }
}
