import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RoutingModule } from '../routing/routing.module';
import { DeliveriesController } from './deliveries.controller';
import { NotificationsController } from './notifications.controller';
import { RouteTestService } from './route-test.service';

@Module({
  imports: [NotificationsModule, DeliveryModule, RoutingModule, ChannelsModule],
  controllers: [NotificationsController, DeliveriesController],
  providers: [RouteTestService],
})
export class ApiModule {}
