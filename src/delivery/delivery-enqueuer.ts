import { EventEmitter } from 'node:events';
import { Inject, Injectable } from '@nestjs/common';

import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { RoutableNotification } from '../routing/routes';
import { RoutingService } from '../routing/routing.service';

import { DeliveryRepository, NewDelivery } from './delivery.repository';
import { DeliveryKind, NotificationSnapshot } from '../domain/notification';

/**
 * Turns a committed-to-be notification change into outbox rows, inside the change's own transaction:
 * the routes pick the channels, plus every channel an earlier revision went to (so whoever saw the
 * open also sees the update and the resolve, even when the route no longer matches).
 */
@Injectable()
export class DeliveryEnqueuer {
  /** Emits `wake` after a commit that enqueued work (in-process; PostgreSQL also gets NOTIFY). */
  readonly wakeups = new EventEmitter();

  /** Each channel's max age (its own, else the delivery default), worked out once. */
  private readonly maxAges: Map<string, number>;
  private readonly allChannels: { channel: string; maxAgeMs: number }[];

  constructor(
    private readonly routing: RoutingService,
    private readonly repository: DeliveryRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.maxAges = new Map(
      Object.entries(config.channels).map(([channel, c]) => [channel, durationMs(c.maxAge ?? config.delivery.maxAge)]),
    );
    this.allChannels = [...this.maxAges].map(([channel, maxAgeMs]) => ({ channel, maxAgeMs }));
  }

  /**
   * The outbox statement for this revision, to run in the change's transaction; null when no channel
   * can be concerned. Routing reads only the fields of `notification`; `payload` (what the channels will
   * render) is built only when something is written. Call `committed()` once the transaction commits.
   */
  plan(
    notification: RoutableNotification & { id: string; revision: number },
    kind: DeliveryKind,
    payload: () => NotificationSnapshot,
  ): { sql: string; params: unknown[] } | null {
    const routed = this.routing.route(notification);
    // Routes name only configured channels: the config loader refuses anything else.
    const targets: NewDelivery[] = routed.targets.map((t) => ({
      channel: t.channel,
      route: t.route,
      remindEverySeconds: t.remindEveryMs === null ? null : Math.max(1, Math.round(t.remindEveryMs / 1000)),
      maxAgeMs: this.maxAgeMs(t.channel),
    }));
    // Revision 1 has no earlier deliveries: with no route either, there is nothing to write.
    const earlier = notification.revision > 1 ? this.allChannels : [];
    if (targets.length === 0 && earlier.length === 0) return null;
    return this.repository.enqueueStatement(notification.id, notification.revision, kind, payload(), targets, earlier);
  }

  committed(): void {
    this.wakeups.emit('wake');
  }

  maxAgeMs(channel: string): number {
    return this.maxAges.get(channel) ?? durationMs(this.config.delivery.maxAge);
  }
}
