import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { RoutingModule } from '../routing/routing.module';
import { ChannelGuards } from './channel-guards';
import { DeliveryEnqueuer } from './delivery-enqueuer';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';
import { DeliveryWorker } from './delivery-worker';

@Module({
  imports: [RoutingModule, ChannelsModule],
  providers: [DeliveryRepository, DeliveryEnqueuer, DeliveryWorker, ChannelGuards, DeliveryMetrics, DeliveryService],
  exports: [DeliveryEnqueuer, DeliveryService],
})
export class DeliveryModule {}
