import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { ChannelGuards } from './channel-guards';
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
  ],
  exports: [OutboxPlanner, DeliveryService],
})
export class DeliveryModule {}
