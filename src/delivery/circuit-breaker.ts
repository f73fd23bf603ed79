export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Per channel: `failureThreshold` consecutive failed attempts open the circuit for `openForMs`, during
 * which that channel's deliveries wait without being tried; then one probe goes out (half-open): a
 * success closes the circuit, a failure opens it again. One dead endpoint does not hold up the others.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly openForMs: number,
  ) {}

  /** Whether a send may start now; in half-open only one probe at a time. */
  allow(now: number): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (now < this.openUntil) return false;
      this.state = 'half-open';
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  /** When a blocked delivery should come back. */
  retryInMs(now: number): number {
    return Math.max(0, this.openUntil - now);
  }

  onSuccess(): void {
    this.state = 'closed';
    this.failures = 0;
    this.probing = false;
  }

  onFailure(now: number): void {
    this.failures += 1;
    if (this.state === 'half-open' || this.failures >= this.failureThreshold) {
      this.state = 'open';
      this.openUntil = now + this.openForMs;
    }
    this.probing = false;
  }

  /** A send that ended without telling us about the endpoint (released, lease lost). */
  onAbandon(): void {
    this.probing = false;
  }

  current(now: number): CircuitState {
    if (this.state === 'open' && now >= this.openUntil) return 'half-open';
    return this.state;
  }
}
