import { Module } from '@nestjs/common';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { ChannelCatalog } from './channel-catalog';
import { CHANNEL_TYPES } from './channel-types';
import { ChannelSender } from './common/channel';
import { EgressGuard } from './common/egress';

const SENDERS = CHANNEL_TYPES.map((t) => t.sender);

/**
 * The senders of every channel type (Nest providers), the egress guard they connect through, and the
 * settings table of the configured channels.
 */
@Module({
  providers: [
    {
      provide: EgressGuard,
      useFactory: (config: AppConfig) => new EgressGuard(config.delivery.egress),
      inject: [APP_CONFIG],
    },
    ...SENDERS,
    {
      provide: ChannelCatalog,
      useFactory: (config: AppConfig, ...senders: ChannelSender[]) =>
        new ChannelCatalog(
          config,
          CHANNEL_TYPES.map((plugin, i) => ({ plugin, sender: senders[i] })),
        ),
      inject: [APP_CONFIG, ...SENDERS],
    },
  ],
  exports: [ChannelCatalog],
})
export class ChannelsModule {}
