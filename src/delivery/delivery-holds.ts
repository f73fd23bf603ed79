import { Injectable, Logger } from '@nestjs/common';
import { HoldRef, NotificationSnapshot } from '../domain/notification';
import { DeliveryMetrics } from './delivery-metrics';
import { ClaimedDelivery, DeliveryRepository } from './delivery.repository';

/**
 * What holds back a notification's deliveries now (silences, maintenance windows), asked by the workers
 * before they send: a delivery planned before a silence began is held instead of sent. The silences
 * module, above delivery, answers (`decideWith` at start); until then nothing is held.
 */
@Injectable()
export class DeliveryHolds {
  private readonly logger = new Logger('Delivery');
  private check: (notification: NotificationSnapshot) => HoldRef[] = () => [];

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly metrics: DeliveryMetrics,
  ) {}

  decideWith(check: (notification: NotificationSnapshot) => HoldRef[]): void {
    this.check = check;
  }

  heldBy(notification: NotificationSnapshot): HoldRef[] {
    return this.check(notification);
  }

  /**
   * Keeps back (`held`, not sent) the claimed deliveries whose notification a silence or maintenance
   * window holds now (they were planned before it began) and answers the rest, to be sent. The
   * silences' release job tells the held ones later. Used by both workers: single deliveries and digests.
   */
  async keepBack(claimed: ClaimedDelivery[]): Promise<ClaimedDelivery[]> {
    const held = claimed
      .map((delivery) => ({ delivery, by: this.heldBy(delivery.payload as unknown as NotificationSnapshot) }))
      .filter((h) => h.by.length > 0);
    if (held.length === 0) return claimed;
    await this.repository.hold(held);
    for (const { delivery: d, by } of held) {
      this.metrics.delivery(d.channel, 'held');
      this.logger.log({
        msg: 'delivery held',
        deliveryId: d.id,
        notificationId: d.notificationId,
        channel: d.channel,
        kind: d.kind,
        revision: d.revision,
        heldBy: by.map((h) => (h.kind === 'silence' ? `silence ${h.id}` : `maintenance ${h.name}`)),
      });
    }
    const keep = new Set(held.map((h) => h.delivery));
    return claimed.filter((d) => !keep.has(d));
  }
}
