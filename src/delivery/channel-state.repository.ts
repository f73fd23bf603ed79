import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundWrites } from '../database/background-writes';
import { ChannelStateEntity } from './channel-state.entity';

/** What one admission statement found and did, in the database's clock. */
export interface AdmissionRow {
  granted: number;
  /** Tokens left in the bucket after the grant. */
  tokens: number;
  failures: number;
  /** Milliseconds until the circuit closes to half-open (> 0: open). */
  openForMs: number | null;
  /** Milliseconds the half-open probe of another send still has (> 0: wait for it). */
  probeForMs: number | null;
  disabledAt: Date | null;
  disabledReason: string | null;
}

/**
 * The channels' shared state (`channel_state`): rate limits and circuit breakers for all replicas.
 * Every change is one statement that locks the channel's row, so replicas never both take the last
 * token or both send the half-open probe; a send costs one round trip (`admit`), a success none.
 */
@Injectable()
export class ChannelStateRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    // Tokens and circuit state as the workers move them: committed without waiting for the WAL flush.
    private readonly background: BackgroundWrites,
  ) {}

  /** Rows for channels that have none: a full bucket. */
  async ensure(channels: { name: string; burst: number }[]): Promise<void> {
    if (channels.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO channel_state (channel, tokens, refilled_at)
       SELECT c, b, now() FROM unnest($1::text[], $2::float8[]) AS t(c, b)
       ON CONFLICT (channel) DO NOTHING`,
      [channels.map((c) => c.name), channels.map((c) => c.burst)],
    );
  }

  /**
   * Takes up to `want` tokens (sends) for a channel at `perSecond` with `burst`, in one statement:
   * none while it is disabled or its circuit open, one probe (held for `probeMs`) while half-open.
   */
  async admit(channel: string, want: number, perSecond: number, burst: number, probeMs: number): Promise<AdmissionRow> {
    const rows: Record<string, unknown>[] = await this.background.query(
      `WITH s AS (
         SELECT channel, tokens, refilled_at, failures, open_until, probe_until, disabled_at, disabled_reason,
                clock_timestamp() AS at
           FROM channel_state WHERE channel = $1 FOR UPDATE
       ), c AS (
         SELECT s.*,
                LEAST($4::float8, s.tokens + GREATEST(EXTRACT(EPOCH FROM s.at - s.refilled_at), 0) * $3::float8)
                  AS available,
                COALESCE(s.open_until > s.at, false) AS is_open,
                COALESCE(s.open_until <= s.at, false) AS half_open
           FROM s
       ), g AS (
         SELECT c.*,
                CASE
                  WHEN c.disabled_at IS NOT NULL OR c.is_open THEN 0
                  WHEN c.half_open THEN
                    CASE WHEN (c.probe_until IS NULL OR c.probe_until <= c.at) AND c.available >= 1 THEN 1 ELSE 0 END
                  ELSE LEAST($2::int, floor(c.available)::int)
                END AS granted
           FROM c
       ), taken AS (
         UPDATE channel_state t
            SET tokens = g.available - g.granted,
                refilled_at = g.at,
                probe_until = CASE WHEN g.half_open AND g.granted > 0
                                   THEN g.at + $5::float8 * interval '1 millisecond' ELSE t.probe_until END
           FROM g WHERE t.channel = g.channel
         RETURNING g.granted, g.available - g.granted AS tokens, g.failures,
                   EXTRACT(EPOCH FROM g.open_until - g.at) * 1000 AS open_for_ms,
                   EXTRACT(EPOCH FROM t.probe_until - g.at) * 1000 AS probe_for_ms,
                   g.disabled_at, g.disabled_reason
       )
       SELECT * FROM taken`,
      [channel, want, perSecond, burst, probeMs],
    );
    const row = rows[0];
    // No row: the channel was configured after the rows were made (ensure runs at start); a full bucket.
    if (!row) {
      await this.ensure([{ name: channel, burst }]);
      return this.admit(channel, want, perSecond, burst, probeMs);
    }
    return {
      granted: Number(row.granted),
      tokens: Number(row.tokens),
      failures: Number(row.failures),
      openForMs: row.open_for_ms === null ? null : Number(row.open_for_ms),
      probeForMs: row.probe_for_ms === null ? null : Number(row.probe_for_ms),
      disabledAt: (row.disabled_at as Date | null) ?? null,
      disabledReason: (row.disabled_reason as string | null) ?? null,
    };
  }

  /**
   * A retryable failure: `threshold` in a row open the circuit for `openForMs`, and so does a failed
   * half-open probe. Returns whether the circuit is now open.
   */
  async failed(channel: string, threshold: number, openForMs: number): Promise<{ opened: boolean; failures: number }> {
    const rows: { failures: number; opened: boolean }[] = await this.background.query(
      `WITH failed AS (
         UPDATE channel_state
            SET failures = failures + 1,
                open_until = CASE WHEN failures + 1 >= $2 OR open_until <= clock_timestamp()
                                  THEN clock_timestamp() + $3::float8 * interval '1 millisecond' ELSE open_until END,
                probe_until = NULL
          WHERE channel = $1
         RETURNING failures, COALESCE(open_until > clock_timestamp(), false) AS opened
       )
       SELECT * FROM failed`,
      [channel, threshold, openForMs],
    );
    return { opened: rows[0]?.opened ?? false, failures: rows[0]?.failures ?? 0 };
  }

  /** A success closes the circuit and ends the run of failures. */
  async succeeded(channel: string): Promise<void> {
    await this.background.query(
      `UPDATE channel_state SET failures = 0, open_until = NULL, probe_until = NULL
        WHERE channel = $1 AND (failures > 0 OR open_until IS NOT NULL OR probe_until IS NOT NULL)`,
      [channel],
    );
  }

  /** Disables a channel; true when this call did it (not already disabled). */
  async disable(channel: string, reason: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH disabled AS (
         UPDATE channel_state SET disabled_at = now(), disabled_reason = $2
          WHERE channel = $1 AND disabled_at IS NULL
         RETURNING channel
       )
       SELECT * FROM disabled`,
      [channel, reason],
    );
    return rows.length > 0;
  }

  /** Enables a channel again, with a closed circuit; the state it had, or null when it had no row. */
  async enable(channel: string): Promise<ChannelStateEntity | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH before AS (SELECT * FROM channel_state WHERE channel = $1 FOR UPDATE), enabled AS (
         UPDATE channel_state t
            SET disabled_at = NULL, disabled_reason = NULL, failures = 0, open_until = NULL, probe_until = NULL
           FROM before WHERE t.channel = before.channel
         RETURNING before.disabled_at, before.disabled_reason
       )
       SELECT * FROM enabled`,
      [channel],
    );
    if (rows.length === 0) return null;
    return Object.assign(new ChannelStateEntity(), {
      channel,
      disabledAt: rows[0].disabled_at as Date | null,
      disabledReason: rows[0].disabled_reason as string | null,
    });
  }

  /** Why the channel is disabled, or null when it is not. */
  async disabledReason(channel: string): Promise<string | null> {
    const rows: { reason: string | null }[] = await this.dataSource.query(
      'SELECT disabled_reason AS reason FROM channel_state WHERE channel = $1 AND disabled_at IS NOT NULL',
      [channel],
    );
    return rows.length === 0 ? null : (rows[0].reason ?? 'disabled');
  }

  /** Every channel's state, with `now` in the database's clock (for the API and metrics). */
  async all(): Promise<{ states: ChannelStateEntity[]; now: Date }> {
    const [states, now] = await Promise.all([
      this.dataSource.getRepository(ChannelStateEntity).find(),
      this.dataSource.query<{ now: Date }[]>('SELECT clock_timestamp() AS now'),
    ]);
    return { states, now: now[0].now };
  }
}
