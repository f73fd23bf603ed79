import { OutboxPlan } from '../delivery/outbox-plan';

/**
 * The outbox rows of one revision: one pending delivery per routed channel, plus one per channel that an
 * earlier revision of the notification went to (whoever saw the open also sees the update and the
 * resolve, even when the route no longer matches), superseding the pair's older deliveries that are not
 * in flight (a live lease means a worker is sending it: that one finishes, and the new one waits for
 * it). Rows of a held notification (`$7`: what holds it) are written `held`: kept, not claimed, until the
 * silences' release job tells the channel (src/silences). Lists travel as jsonb.
 */
export const OUTBOX_INSERT = `WITH targets AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(channel text, route text, remind int, max_age bigint)
    UNION ALL
    SELECT e.channel, 'earlier revisions', NULL::int, c.max_age
      FROM (SELECT DISTINCT channel FROM deliveries WHERE notification_id = $1::uuid AND kind <> 'reminder') e
      JOIN jsonb_to_recordset($6::jsonb) AS c(channel text, max_age bigint) ON c.channel = e.channel
     WHERE e.channel NOT IN (SELECT channel FROM jsonb_to_recordset($2::jsonb) AS r(channel text))
  ), superseded AS (
    UPDATE deliveries SET status = 'superseded', completed_at = now(), lease_token = NULL
     WHERE notification_id = $1::uuid AND channel IN (SELECT channel FROM targets) AND status = 'pending'
       AND (leased_until IS NULL OR leased_until < now())
  )
  INSERT INTO deliveries (notification_id, channel, revision, kind, status, route, payload,
    remind_every_seconds, created_at, next_attempt_at, expires_at, hold)
  SELECT $1::uuid, t.channel, $3::int, $4, CASE WHEN $7::jsonb IS NULL THEN 'pending' ELSE 'held' END, t.route,
         $5::jsonb, t.remind, now(), now(), now() + t.max_age * interval '1 millisecond', $7::jsonb
    FROM targets t`;

export function outboxParams(notificationId: string, revision: number, plan: OutboxPlan, payload: unknown): unknown[] {
  return [
    notificationId,
    JSON.stringify(
      plan.rows.map((r) => ({ channel: r.channel, route: r.route, remind: r.remindEverySeconds, max_age: r.maxAgeMs })),
    ),
    revision,
    plan.kind,
    JSON.stringify(payload),
    JSON.stringify(plan.earlierChannels.map((e) => ({ channel: e.channel, max_age: e.maxAgeMs }))),
    plan.hold === null ? null : JSON.stringify(plan.hold),
  ];
}
