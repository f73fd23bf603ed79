import { Injectable } from '@nestjs/common';
import { Schemas } from '../common/api-types';
import { DeliveryService } from '../delivery/delivery.service';
import { NotificationsService } from '../notifications/notifications.service';

/** `GET /notifications/{id}/deliveries`: 404 for an unknown notification, else its deliveries. */
@Injectable()
export class NotificationDeliveriesService {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly deliveries: DeliveryService,
  ) {}

  async listNotificationDeliveries(id: string): Promise<Schemas['DeliveryList']> {
    await this.notifications.getNotification(id);
    return this.deliveries.listNotificationDeliveries(id);
  }
}
