import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What every replica must agree on about a channel: its token bucket (rate limit), its circuit breaker
 * and whether it is disabled. One row per channel, changed only by single atomic statements
 * (channel-state.repository.ts), so that N replicas together keep the channel's configured rate.
 */
@Entity({ name: 'channel_state' })
export class ChannelStateEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  channel: string;

  /** Tokens in the bucket as of `refilled_at`. */
  @Column({ type: 'double precision', default: 0 })
  tokens: number;

  @Column({ name: 'refilled_at', type: 'timestamptz', default: () => 'now()' })
  refilledAt: Date;

  /** Consecutive retryable failures (any replica's). */
  @Column({ type: 'integer', default: 0 })
  failures: number;

  /** The circuit is open until then; past it, half-open (one probe at a time). */
  @Column({ name: 'open_until', type: 'timestamptz', nullable: true })
  openUntil: Date | null;

  /** A half-open probe is in flight until then (another replica sends none meanwhile). */
  @Column({ name: 'probe_until', type: 'timestamptz', nullable: true })
  probeUntil: Date | null;

  /** Disabled (410 Gone) since then, until enabled through the API. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;
}
