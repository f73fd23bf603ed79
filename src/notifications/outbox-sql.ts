import { OutboxGroup, OutboxPlan } from '../delivery/outbox-plan';

/**
 * The outbox rows of one revision: one pending delivery per routed channel, plus one per channel that an
 * earlier revision of the notification went to (whoever saw the open also sees the update and the
 * resolve, even when the route no longer matches), superseding the pair's older deliveries that are not
 * in flight (a live lease means a worker is sending it: that one finishes, and the new one waits for
 * it). Rows of a held notification (`$7`: what holds it) are written `held`: kept, not claimed, until the
 * silences' release job tells the channel (src/silences). Lists travel as jsonb. Digests: a routed row
 * waits in its route's group (`group_id`); a row for an earlier revision waits in the group the pair's
 * newest delivery went to, if any. A held row keeps its group: it joins it when released.
 */
export const OUTBOX_INSERT = `WITH routed AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(channel text, route text, remind int, max_age bigint, group_id uuid)
  ), earlier AS (
    SELECT DISTINCT ON (channel) channel, group_id FROM deliveries
     WHERE notification_id = $1::uuid AND kind <> 'reminder'
     ORDER BY channel, sequence DESC
  ), targets AS (
    SELECT channel, route, remind, max_age, group_id FROM routed
    UNION ALL
    SELECT e.channel, 'earlier revisions', NULL::int, c.max_age, e.group_id
      FROM earlier e
      JOIN jsonb_to_recordset($6::jsonb) AS c(channel text, max_age bigint) ON c.channel = e.channel
     WHERE e.channel NOT IN (SELECT channel FROM routed)
  ), superseded AS (
    UPDATE deliveries SET status = 'superseded', completed_at = now(), lease_token = NULL
     WHERE notification_id = $1::uuid AND channel IN (SELECT channel FROM targets) AND status = 'pending'
       AND (leased_until IS NULL OR leased_until < now())
  )
  INSERT INTO deliveries (notification_id, channel, revision, kind, status, route, payload,
    remind_every_seconds, created_at, next_attempt_at, expires_at, hold, group_id)
  SELECT $1::uuid, t.channel, $3::int, $4, CASE WHEN $7::jsonb IS NULL THEN 'pending' ELSE 'held' END, t.route,
         $5::jsonb, t.remind, now(), now(), now() + t.max_age * interval '1 millisecond', $7::jsonb, t.group_id
    FROM targets t`;

export function outboxParams(notificationId: string, revision: number, plan: OutboxPlan, payload: unknown): unknown[] {
  return [
    notificationId,
    JSON.stringify(
      plan.rows.map((r) => ({
        channel: r.channel,
        route: r.route,
        remind: r.remindEverySeconds,
        max_age: r.maxAgeMs,
        group_id: r.groupId,
      })),
    ),
    revision,
    plan.kind,
    JSON.stringify(payload),
    JSON.stringify(plan.earlierChannels.map((e) => ({ channel: e.channel, max_age: e.maxAgeMs }))),
    plan.hold === null ? null : JSON.stringify(plan.hold),
  ];
}

/**
 * The digest groups a transaction's rows wait in, created when new: one statement per transaction, last,
 * in id order, so that two transactions creating the same new groups wait for each other in one order
 * (never a deadlock). An existing group is left alone (no row lock: ingest never queues behind a
 * flush). The deliveries' foreign key to it is checked at COMMIT.
 */
export const DIGEST_GROUPS_INSERT = `INSERT INTO digest_groups (id, route, channel, group_key, labels, wait_ms, interval_ms,
    max_items, created_at)
  SELECT g.id, g.route, g.channel, g.key, g.labels, g.wait_ms, g.interval_ms, g.max_items, now()
    FROM jsonb_to_recordset($1::jsonb)
      AS g(id uuid, route text, channel text, key text, labels jsonb, wait_ms bigint, interval_ms bigint, max_items int)
   ORDER BY g.id
  ON CONFLICT DO NOTHING`;

/** The groups of every plan, each once; null when there are none. */
export function digestGroupsParams(groups: OutboxGroup[]): unknown[] | null {
  const byId = new Map(groups.map((g) => [g.id, g]));
  if (byId.size === 0) return null;
  return [
    JSON.stringify(
      [...byId.values()].map((g) => ({
        id: g.id,
        route: g.route,
        channel: g.channel,
        key: g.key,
        labels: g.labels,
        wait_ms: g.waitMs,
        interval_ms: g.intervalMs,
        max_items: g.maxItems,
      })),
    ),
  ];
}
