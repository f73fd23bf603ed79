import { Injectable } from '@nestjs/common';
import { HoldRef, NotificationSnapshot } from '../domain/notification';

/**
 * What holds back a notification's deliveries now (silences, maintenance windows), asked by the worker
 * before it sends: a delivery planned before a silence began is held instead of sent. The silences
 * module, above delivery, answers (`decideWith` at start); until then nothing is held.
 */
@Injectable()
export class DeliveryHolds {
  private check: (notification: NotificationSnapshot) => HoldRef[] = () => [];

  decideWith(check: (notification: NotificationSnapshot) => HoldRef[]): void {
    this.check = check;
  }

  heldBy(notification: NotificationSnapshot): HoldRef[] {
    return this.check(notification);
  }
}
