import { Type } from 'class-transformer';
import { Allow, IsArray, IsBoolean, IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { IsCidr } from '../common/cidr';
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

// Link-local (169.254.0.0/16 holds the cloud metadata services of AWS, GCP, Azure, OpenStack), IPv6
// link-local, AWS's IPv6 metadata address, Alibaba's metadata address. Loopback is not denied by
// default: local sinks (a signal-cli daemon, a mail relay on the host) and the tests live there.
export const DEFAULT_EGRESS_DENY = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '100.100.100.200/32'];

/** `delivery.egress`: addresses channels may not connect to, checked on the resolved address. */
export class EgressConfig {
  /** Denied in addition to DEFAULT_EGRESS_DENY (e.g. 127.0.0.0/8, 10.0.0.0/8, your own networks). */
  @IsOptional() @IsArray() @IsCidr({ each: true }) deny: string[] = [];
  /** Exceptions to the denied blocks (e.g. one internal receiver). */
  @IsOptional() @IsArray() @IsCidr({ each: true }) allow: string[] = [];
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
  @IsOptional() @ValidateNested() @Type(() => EgressConfig) egress: EgressConfig = new EgressConfig();
  /** `{perSecond, burst}` per channel type; checked against the channel types in config.loader (parseRateLimits). */
  @Allow()
  rateLimits: Record<string, RateLimitConfig> = {};
}
