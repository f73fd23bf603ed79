import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { IsDuration } from './duration';
import { RateLimitConfig } from './channels.config';

// `delivery`: how the outbox is worked (docs/delivery.md).

export class BackoffConfig {
  /** First retry delay; doubles per attempt, ±jitter. */
  @IsOptional() @IsDuration('1ms') base: string = '5s';
  @IsOptional() @IsDuration('1ms') max: string = '30m';
  /** ± fraction of the delay (0.2 = ±20%). */
  @IsOptional() @IsNumber() @Min(0) @Max(1) jitter: number = 0.2;
}

export class CircuitBreakerConfig {
  /** Consecutive failed attempts that open the circuit of a channel. */
  @IsOptional() @IsInt() @Min(1) @Max(1000) failureThreshold: number = 5;
  /** How long an open circuit holds that channel's deliveries before one probe is let through. */
  @IsOptional() @IsDuration('10ms') openFor: string = '30s';
}

export class DeliveryConfig {
  /** Concurrent sends per process. */
  @IsOptional() @IsInt() @Min(1) @Max(1000) concurrency: number = 16;
  /** How long a claimed delivery stays leased; a crashed worker's claims come back after it. */
  @IsOptional() @IsDuration('1s') lease: string = '60s';
  /** One attempt's time limit (the lease must outlast it). */
  @IsOptional() @IsDuration('100ms') timeout: string = '15s';
  /** A delivery still failing after this is dead-lettered. */
  @IsOptional() @IsDuration('1s') maxAge: string = '24h';
  /** Fallback poll; workers are woken at once on new work and at each retry's due time. */
  @IsOptional() @IsDuration('10ms') pollInterval: string = '5s';
  /** On shutdown, in-flight sends get this long before their leases are released. */
  @IsOptional() @IsDuration('0ms') shutdownGrace: string = '10s';
  /** How often open notifications are checked for due reminders. */
  @IsOptional() @IsDuration('100ms') reminderInterval: string = '30s';
  /**
   * How often held deliveries are checked against silences and maintenance windows that ended (and
   * silences re-read from the database); a silence ended through the API is checked at once.
   */
  @IsOptional() @IsDuration('10ms') releaseInterval: string = '5s';
  /** Off: this process only enqueues (another replica sends). */
  @IsOptional() @IsBoolean() workers: boolean = true;

  @IsOptional() @ValidateNested() @Type(() => BackoffConfig) backoff: BackoffConfig = new BackoffConfig();
  @IsOptional()
  @ValidateNested()
  @Type(() => CircuitBreakerConfig)
  circuitBreaker: CircuitBreakerConfig = new CircuitBreakerConfig();
  /** `{perSecond, burst}` per channel type; checked against the channel types in config.loader (parseRateLimits). */
  @Allow()
  rateLimits: Record<string, RateLimitConfig> = {};
}
