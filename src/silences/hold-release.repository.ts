import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CommitSignals } from '../database/commit-signals';
import { DeliveryKind } from '../domain/notification';
import { RoutableNotification } from '../routing/routes';
import { HoldRules, SilenceRule } from './hold-rules';
import { HeldPair } from './release-decision';
import { SilencesRepository } from './silences.repository';

/** A notification with held deliveries, as the hold rules and the release decision read it. */
export interface HeldNotification extends RoutableNotification {
  id: string;
  revision: number;
}

/** What one pass decided for a pair: a new delivery of the current state, or which delivery told it. */
export interface PairRelease {
  pair: HeldPair;
  send: DeliveryKind | null;
  releasedAs: string | null;
  maxAgeMs: number;
}

/** How a pass decides, given the rules as they are inside its transaction. */
export interface ReleasePlanner {
  /** Which of these notifications nothing holds any more. */
  released(rules: HoldRules, notifications: HeldNotification[]): Set<string>;
  decide(pairs: HeldPair[]): PairRelease[];
}

const ROUTABLE = `n.id, n.source, n.source_instance AS "sourceInstance", n.severity, n.status, n.tags, n.metadata,
  n.host, n.revision`;

/**
 * The release of held deliveries (`status = 'held'`), in passes over batches of notifications. One
 * replica at a time (a transaction-scoped advisory lock); the notifications released are row-locked
 * (SKIP LOCKED: one that a change is writing right now waits for the next pass), so a change and its
 * release never interleave and a notification's revisions still reach each channel in order.
 */
@Injectable()
export class HoldReleaseRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly silences: SilencesRepository,
    private readonly signals: CommitSignals,
  ) {}

  /**
   * Notifications with held deliveries, after `afterId`, in id order: the candidates of a pass, read
   * without locks. The caller's cached rules pick those that may be released.
   */
  async heldNotifications(afterId: string, limit: number): Promise<HeldNotification[]> {
    return this.dataSource.query(
      `SELECT ${ROUTABLE} FROM notifications n
        WHERE n.id IN (SELECT DISTINCT notification_id FROM deliveries
                        WHERE status = 'held' AND notification_id > $1::uuid ORDER BY notification_id LIMIT $2)
        ORDER BY n.id`,
      [afterId, limit],
    );
  }

  /**
   * Releases what nothing holds any more among `candidates`, in one transaction: null when another
   * replica is releasing. The rules are built from the silences as read inside the transaction, after
   * the held deliveries: a delivery held by a silence is never released by a view that misses it.
   */
  async release(
    candidates: string[],
    now: Date,
    rules: (silences: SilenceRule[]) => HoldRules,
    planner: ReleasePlanner,
  ): Promise<{ released: number; told: number; skipped: number } | null> {
    const notify = this.signals.notifySql('deliveries');
    const result = await this.dataSource.transaction(async (tx) => {
      const [{ locked }]: { locked: boolean }[] = await tx.query(
        `SELECT pg_try_advisory_xact_lock(hashtextextended('alert-relay release', 0)) AS locked`,
      );
      if (!locked) return null;
      const notifications: HeldNotification[] = await tx.query(
        `SELECT ${ROUTABLE} FROM notifications n WHERE n.id = ANY($1::uuid[]) ORDER BY n.id FOR UPDATE SKIP LOCKED`,
        [candidates],
      );
      // Those a change is writing now are left for the next pass.
      const skipped = candidates.length - notifications.length;
      if (notifications.length === 0) return { released: 0, told: 0, skipped };
      const pairs = await heldPairs(
        tx,
        notifications.map((n) => n.id),
      );
      const fresh = rules(await this.silences.unexpired(now, tx));
      const free = planner.released(fresh, notifications);
      const byId = new Map(notifications.map((n) => [n.id, n]));
      const decided = planner.decide(
        pairs
          .filter((p) => free.has(p.notificationId))
          .map((p) => ({
            ...p,
            status: byId.get(p.notificationId)!.status,
            revision: byId.get(p.notificationId)!.revision,
          })),
      );
      if (decided.length === 0) return { released: 0, told: 0, skipped };
      const [counts]: { released: string; told: string }[] = await tx.query(RELEASE, [
        now.toISOString(),
        JSON.stringify(
          decided.map((d) => ({
            notification_id: d.pair.notificationId,
            channel: d.pair.channel,
            kind: d.send,
            max_age: d.maxAgeMs,
            held: d.pair.heldIds,
            released_as: d.releasedAs,
          })),
        ),
      ]);
      const told = Number(counts.told);
      if (told > 0 && notify) await tx.query(notify);
      return { released: Number(counts.released), told, skipped };
    });
    if (result && result.told > 0) this.signals.committed('deliveries');
    return result;
  }
}

/** Per (notification, channel) with held deliveries: the held ones, and the newest that told the channel. */
async function heldPairs(
  tx: EntityManager,
  notificationIds: string[],
): Promise<Omit<HeldPair, 'status' | 'revision'>[]> {
  const rows: {
    notificationId: string;
    channel: string;
    heldIds: string[];
    heldReminderSequence: string | null;
    toldId: string | null;
    toldSequence: string | null;
    toldRevision: number | null;
  }[] = await tx.query(
    `SELECT d.notification_id AS "notificationId", d.channel,
            array_agg(d.id::text ORDER BY d.sequence) FILTER (WHERE d.status = 'held') AS "heldIds",
            max(d.sequence) FILTER (WHERE d.status = 'held' AND d.kind = 'reminder')::text AS "heldReminderSequence",
            (array_agg(d.id::text ORDER BY d.sequence DESC) FILTER (WHERE d.status IN ('pending', 'delivered')))[1]
              AS "toldId",
            max(d.sequence) FILTER (WHERE d.status IN ('pending', 'delivered'))::text AS "toldSequence",
            max(d.revision) FILTER (WHERE d.status IN ('pending', 'delivered')) AS "toldRevision"
       FROM deliveries d
      WHERE d.notification_id = ANY($1::uuid[])
      GROUP BY d.notification_id, d.channel
     HAVING bool_or(d.status = 'held')`,
    [notificationIds],
  );
  return rows.map((r) => ({
    notificationId: r.notificationId,
    channel: r.channel,
    heldIds: r.heldIds,
    heldReminderSequence: r.heldReminderSequence,
    told:
      r.toldId === null || r.toldSequence === null || r.toldRevision === null
        ? null
        : { id: r.toldId, sequence: r.toldSequence, revision: r.toldRevision },
  }));
}

/**
 * Per pair: when there is something to tell, a new pending delivery of the pair's newest revision (its
 * stored notification, route and reminder interval); then every held delivery of the pair becomes
 * `released`, naming the delivery that told the channel (the new one, or one already on its way).
 */
const RELEASE = `WITH input AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb)
      AS i(notification_id uuid, channel text, kind text, max_age bigint, held uuid[], released_as uuid)
  ), inserted AS (
    INSERT INTO deliveries (notification_id, channel, revision, kind, status, route, payload,
      remind_every_seconds, created_at, next_attempt_at, expires_at, group_id)
    SELECT i.notification_id, i.channel, s.revision, i.kind, 'pending', s.route, s.payload, s.remind_every_seconds,
           now(), now(), now() + i.max_age * interval '1 millisecond', s.group_id
      FROM input i
      CROSS JOIN LATERAL (
        SELECT revision, route, payload, remind_every_seconds, group_id FROM deliveries s
         WHERE s.notification_id = i.notification_id AND s.channel = i.channel
         ORDER BY s.revision DESC, s.sequence DESC LIMIT 1
      ) s
     WHERE i.kind IS NOT NULL
    RETURNING id, notification_id, channel
  ), released AS (
    UPDATE deliveries d
       SET status = 'released', completed_at = now(),
           hold = COALESCE(d.hold, '{"by": []}'::jsonb)
                  || jsonb_build_object('releasedAt', $1::text, 'releasedAs', COALESCE(ins.id, i.released_as))
      FROM input i
      LEFT JOIN inserted ins ON ins.notification_id = i.notification_id AND ins.channel = i.channel
     WHERE d.id = ANY(i.held) AND d.status = 'held'
    RETURNING d.id
  )
  SELECT (SELECT count(*) FROM released) AS released, (SELECT count(*) FROM inserted) AS told`;
