import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { ChannelGuards } from './channel-guards';
import { DeliveryHolds } from './delivery-holds';
import { ChannelStateEntity } from './channel-state.entity';
import { ChannelStateRepository } from './channel-state.repository';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';
import { DeliveryWorker } from './delivery-worker';
import { OutboxPlanner } from './outbox-plan';

@Module({
  imports: [TypeOrmModule.forFeature([DeliveryEntity, DeliveryAttemptEntity, ChannelStateEntity]), ChannelsModule],
  providers: [
    DeliveryRepository,
    ChannelStateRepository,
    OutboxPlanner,
    DeliveryWorker,
    ChannelGuards,
    DeliveryMetrics,
    DeliveryService,
    DeliveryHolds,
  ],
  // The digest flush (src/digests) shares the channels' guards, records, metrics and holds.
  exports: [OutboxPlanner, DeliveryService, DeliveryHolds, DeliveryRepository, ChannelGuards, DeliveryMetrics],
})
export class DeliveryModule {}
