import { Inject, Injectable } from '@nestjs/common';
import { ChannelCatalog } from '../channels/channel-catalog';
import { SendOutcome } from '../channels/common/send-result';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { CircuitBreaker, CircuitState } from './circuit-breaker';
import { TokenBucket } from './token-bucket';

/**
 * Per-channel rate limit (token bucket) and circuit breaker, per process. With N replicas each keeps
 * its own buckets, so the effective rate is up to N × the configured one: set it accordingly.
 */
@Injectable()
export class ChannelGuards {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly circuits = new Map<string, CircuitBreaker>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly catalog: ChannelCatalog,
  ) {}

  /** Channels worth claiming for now: circuit not open, a token in the bucket. */
  claimable(channels: string[], now: number): string[] {
    return channels.filter((name) => this.circuit(name).current(now) !== 'open' && this.bucket(name).hasToken(now));
  }

  /**
   * How many sends `name` may start now: none while its circuit is open, one probe when half-open, else
   * the tokens in its bucket (a claim of more would only be given back).
   */
  capacity(name: string, now: number): number {
    const state = this.circuit(name).current(now);
    if (state === 'open') return 0;
    const tokens = this.bucket(name).available(now);
    return state === 'half-open' ? Math.min(tokens, 1) : tokens;
  }

  /** How long until `name` is claimable again: 0 now, else until its circuit half-opens or a token comes. */
  msUntilClaimable(name: string, now: number): number {
    const circuit = this.circuit(name);
    if (circuit.current(now) === 'open') return Math.max(circuit.retryInMs(now), 1);
    return this.bucket(name).msUntilToken(now);
  }

  /** null when a send may start now; otherwise how long to hold the delivery back. */
  admit(name: string, now: number): number | null {
    const circuit = this.circuit(name);
    if (!circuit.allow(now)) return Math.max(circuit.retryInMs(now), 50);
    const token = this.bucket(name).take(now);
    if (!token.ok) {
      circuit.onAbandon();
      return token.waitMs;
    }
    return null;
  }

  record(name: string, outcome: SendOutcome, now: number): void {
    const circuit = this.circuit(name);
    if (outcome === 'success') circuit.onSuccess();
    else if (outcome === 'retry') circuit.onFailure(now);
    // A permanent failure is about the message (a 4xx), not the endpoint being down.
    else circuit.onAbandon();
  }

  state(name: string, now: number): CircuitState {
    return this.circuit(name).current(now);
  }

  private circuit(name: string): CircuitBreaker {
    let circuit = this.circuits.get(name);
    if (!circuit) {
      const cb = this.config.delivery.circuitBreaker;
      circuit = new CircuitBreaker(cb.failureThreshold, durationMs(cb.openFor));
      this.circuits.set(name, circuit);
    }
    return circuit;
  }

  private bucket(name: string): TokenBucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      const rate = this.catalog.require(name).rateLimit;
      bucket = new TokenBucket(rate.perSecond, rate.burst, Date.now());
      this.buckets.set(name, bucket);
    }
    return bucket;
  }
}
