import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ChannelCatalog } from '../channels/channel-catalog';
import { DeliveryHold, DeliveryKind, HoldRef } from '../domain/notification';

/** The digest group a grouping route puts a change in (routing's TargetGroup, in delivery's terms). */
export interface OutboxTargetGroup {
  key: string;
  labels: { key: string; value: string | null }[];
  waitMs: number;
  intervalMs: number;
  maxItems: number;
}

/** A channel a route picked for a revision (routing's answer, in delivery's terms). */
export interface OutboxTarget {
  channel: string;
  route: string;
  remindEveryMs: number | null;
  /** Set when the route groups its changes into digests (docs/noise-control.md). */
  group?: OutboxTargetGroup;
}

/** One pending delivery to write for a revision. */
export interface OutboxRow {
  channel: string;
  route: string;
  remindEverySeconds: number | null;
  maxAgeMs: number;
  /** The digest group it waits in; null: sent on its own. */
  groupId: string | null;
}

/** A digest group the rows of a revision wait in: created by the change's transaction if new. */
export interface OutboxGroup extends OutboxTargetGroup {
  id: string;
  route: string;
  channel: string;
}

/**
 * The deliveries of one revision, as data for the transaction that writes the change: the routed rows,
 * and (from revision 2 on) every configured channel with its max age, of which the writer keeps those
 * that an earlier revision went to, so whoever saw the open also sees the update and the resolve.
 */
export interface OutboxPlan {
  kind: DeliveryKind;
  rows: OutboxRow[];
  earlierChannels: { channel: string; maxAgeMs: number }[];
  /** Set when a silence or maintenance window holds the notification: the rows are written `held`. */
  hold: DeliveryHold | null;
  /** The digest groups of `rows` (grouping routes only). */
  groups: OutboxGroup[];
}

/** Turns routing targets into outbox rows: each channel's max age, reminders in whole seconds. */
@Injectable()
export class OutboxPlanner {
  private readonly allChannels: { channel: string; maxAgeMs: number }[];

  constructor(private readonly catalog: ChannelCatalog) {
    this.allChannels = catalog.all().map((c) => ({ channel: c.name, maxAgeMs: c.maxAgeMs }));
  }

  /**
   * null when no channel can be concerned (nothing routed, and revision 1 has no earlier deliveries).
   * `heldBy`: what holds the notification now; its rows are then kept `held`, not sent.
   */
  plan(targets: OutboxTarget[], revision: number, kind: DeliveryKind, heldBy: HoldRef[] = []): OutboxPlan | null {
    const groups: OutboxGroup[] = [];
    // Routes name only configured channels: the config loader refuses anything else.
    const rows = targets.map((t) => {
      const group = t.group && { ...t.group, id: digestGroupId(t.route, t.channel, t.group.key), route: t.route };
      if (group) groups.push({ ...group, channel: t.channel });
      return {
        channel: t.channel,
        route: t.route,
        remindEverySeconds: t.remindEveryMs === null ? null : Math.max(1, Math.round(t.remindEveryMs / 1000)),
        maxAgeMs: this.catalog.maxAgeMs(t.channel),
        groupId: group?.id ?? null,
      };
    });
    const earlierChannels = revision > 1 ? this.allChannels : [];
    if (rows.length === 0 && earlierChannels.length === 0) return null;
    const hold = heldBy.length > 0 ? { by: heldBy, releasedAt: null, releasedAs: null } : null;
    return { kind, rows, earlierChannels, hold, groups };
  }
}

/**
 * A group's id follows from what it is (route, channel, key), so every transaction that adds a change
 * to it knows its id without reading: the row is created by the first, and nobody waits on it.
 */
export function digestGroupId(route: string, channel: string, key: string): string {
  const hex = createHash('sha256').update(`${route}\n${channel}\n${key}`).digest('hex');
  // A UUID's layout, version 8 (custom) and the RFC variant.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
