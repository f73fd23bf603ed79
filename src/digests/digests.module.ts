import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { DigestGroupEntity } from './digest-group.entity';
import { DigestMetrics } from './digest-metrics';
import { DigestRepository } from './digest.repository';
import { DigestWorker } from './digest-worker';

/** Grouping routes' changes sent as digests (docs/noise-control.md): the groups and their flush. */
@Module({
  imports: [TypeOrmModule.forFeature([DigestGroupEntity]), ChannelsModule, DeliveryModule],
  providers: [DigestRepository, DigestWorker, DigestMetrics],
})
export class DigestsModule {}
