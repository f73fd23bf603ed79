import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RoutingModule } from '../routing/routing.module';
import { DeliveriesController } from './deliveries.controller';
import { EventsController } from './events.controller';
import { IdempotencyRepository } from './idempotency.repository';
import { NotificationsController } from './notifications.controller';
import { RouteTestService } from './route-test.service';

@Module({
  imports: [NotificationsModule, DeliveryModule, RoutingModule, ChannelsModule],
  controllers: [NotificationsController, EventsController, DeliveriesController],
  providers: [IdempotencyRepository, RouteTestService],
})
export class ApiModule {}
