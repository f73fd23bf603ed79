import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { DeliveryKind } from '../domain/notification';

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
}

/** Turns routing targets into outbox rows: each channel's max age, reminders in whole seconds. */
@Injectable()
export class OutboxPlanner {
  /** Each channel's max age (its own, else the delivery default), worked out once. */
  private readonly maxAges: Map<string, number>;
  private readonly allChannels: { channel: string; maxAgeMs: number }[];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.maxAges = new Map(
      Object.entries(config.channels).map(([channel, c]) => [channel, durationMs(c.maxAge ?? config.delivery.maxAge)]),
    );
    this.allChannels = [...this.maxAges].map(([channel, maxAgeMs]) => ({ channel, maxAgeMs }));
  }

  /** null when no channel can be concerned (nothing routed, and revision 1 has no earlier deliveries). */
  plan(targets: OutboxTarget[], revision: number, kind: DeliveryKind): OutboxPlan | null {
    // Routes name only configured channels: the config loader refuses anything else.
    const rows = targets.map((t) => ({
      channel: t.channel,
      route: t.route,
      remindEverySeconds: t.remindEveryMs === null ? null : Math.max(1, Math.round(t.remindEveryMs / 1000)),
      maxAgeMs: this.maxAgeMs(t.channel),
    }));
    const earlierChannels = revision > 1 ? this.allChannels : [];
    if (rows.length === 0 && earlierChannels.length === 0) return null;
    return { kind, rows, earlierChannels };
  }

  maxAgeMs(channel: string): number {
    return this.maxAges.get(channel) ?? durationMs(this.config.delivery.maxAge);
  }
}
