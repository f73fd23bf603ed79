import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryModule } from '../delivery/delivery.module';
import { RoutingModule } from '../routing/routing.module';
import { SilencesModule } from '../silences/silences.module';
import { ChangeRepository } from './change.repository';
import { EventsFeedRepository } from './events-feed.repository';
import { EventsFeedService } from './events-feed.service';
import { LifecyclePlanner } from './lifecycle-planner';
import { NotificationActionsService } from './notification-actions.service';
import { NotificationEventEntity } from './notification-event.entity';
import { NotificationMetrics } from './notification-metrics';
import { NotificationEntity } from './notification.entity';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { RemindersRepository } from './reminders.repository';
import { RepeatFlusher } from './repeat-flusher';
import { RepeatLedger } from './repeat-ledger';
import { RemindersService } from './reminders.service';
import { SignalPreviews } from './signal-previews';

@Module({
  imports: [
    TypeOrmModule.forFeature([NotificationEntity, NotificationEventEntity]),
    RoutingModule,
    DeliveryModule,
    SilencesModule,
  ],
  providers: [
    ChangeRepository,
    LifecyclePlanner,
    NotificationsRepository,
    NotificationsService,
    NotificationActionsService,
    NotificationMetrics,
    EventsFeedRepository,
    EventsFeedService,
    RemindersRepository,
    RemindersService,
    RepeatLedger,
    RepeatFlusher,
    SignalPreviews,
  ],
  exports: [NotificationsService, NotificationActionsService, EventsFeedService, SignalPreviews],
})
export class NotificationsModule {}
