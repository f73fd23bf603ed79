import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelsModule } from '../channels/channels.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { HoldReleaseRepository } from './hold-release.repository';
import { HoldReleaseService } from './hold-release.service';
import { Holds } from './holds';
import { SilenceEntity } from './silence.entity';
import { SilencesRepository } from './silences.repository';
import { SilencesService } from './silences.service';

/** Silences (API) and maintenance windows (config): what holds deliveries back, and their release. */
@Module({
  imports: [TypeOrmModule.forFeature([SilenceEntity]), DeliveryModule, ChannelsModule],
  providers: [SilencesRepository, Holds, HoldReleaseRepository, HoldReleaseService, SilencesService],
  exports: [Holds, SilencesService],
})
export class SilencesModule {}
