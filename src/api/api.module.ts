import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RoutingModule } from '../routing/routing.module';
import { SilencesModule } from '../silences/silences.module';
import { DeliveriesController } from './deliveries.controller';
import { EventsController } from './events.controller';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IdempotencyRepository } from './idempotency.repository';
import { NotificationDeliveriesService } from './notification-deliveries.service';
import { NotificationsController } from './notifications.controller';
import { RouteTestService } from './route-test.service';
import { SilencesController } from './silences.controller';
import { WhoAmIController } from './whoami.controller';
import { WhoAmIService } from './whoami.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([IdempotencyKeyEntity]),
    NotificationsModule,
    DeliveryModule,
    RoutingModule,
    ChannelsModule,
    SilencesModule,
  ],
  controllers: [NotificationsController, EventsController, DeliveriesController, WhoAmIController, SilencesController],
  providers: [IdempotencyRepository, NotificationDeliveriesService, RouteTestService, WhoAmIService],
})
export class ApiModule {}
