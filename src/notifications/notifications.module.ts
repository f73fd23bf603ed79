import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { ChangeNotifier } from './change-notifier';
import { EventsFeedRepository } from './events-feed.repository';
import { EventsFeedService } from './events-feed.service';
import { NotificationActionsService } from './notification-actions.service';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

@Module({
  imports: [DeliveryModule],
  providers: [
    NotificationsRepository,
    NotificationsService,
    NotificationActionsService,
    EventsFeedRepository,
    EventsFeedService,
    ChangeNotifier,
  ],
  exports: [NotificationsService, NotificationActionsService, EventsFeedService],
})
export class NotificationsModule {}
