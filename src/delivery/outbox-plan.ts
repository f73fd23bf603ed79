import { Injectable } from '@nestjs/common';
import { ChannelCatalog } from '../channels/channel-catalog';
import { DeliveryHold, DeliveryKind, HoldRef } from '../domain/notification';

/** A channel a route picked for a revision (routing's answer, in delivery's terms). */
export interface OutboxTarget {
  channel: string;
  route: string;
  remindEveryMs: number | null;
}

/** One pending delivery to write for a revision. */
export interface OutboxRow {
  channel: string;
  route: string;
  remindEverySeconds: number | null;
  maxAgeMs: number;
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
    // Routes name only configured channels: the config loader refuses anything else.
    const rows = targets.map((t) => ({
      channel: t.channel,
      route: t.route,
      remindEverySeconds: t.remindEveryMs === null ? null : Math.max(1, Math.round(t.remindEveryMs / 1000)),
      maxAgeMs: this.catalog.maxAgeMs(t.channel),
    }));
    const earlierChannels = revision > 1 ? this.allChannels : [];
    if (rows.length === 0 && earlierChannels.length === 0) return null;
    const hold = heldBy.length > 0 ? { by: heldBy, releasedAt: null, releasedAs: null } : null;
    return { kind, rows, earlierChannels, hold };
  }
}
