import { Inject, Injectable } from '@nestjs/common';
import { ChannelConfig, ChannelType } from '../config/channels.config';
import { CHANNEL_SENDERS, ChannelSender } from './common/channel';

/** The channel senders registered through DI, looked up by type. */
@Injectable()
export class ChannelRegistry {
  private readonly byType = new Map<string, ChannelSender>();

  constructor(@Inject(CHANNEL_SENDERS) senders: ChannelSender[]) {
    for (const sender of senders) this.byType.set(sender.type, sender);
  }

  get<C extends ChannelConfig>(type: ChannelType): ChannelSender<C> {
    const sender = this.byType.get(type);
    if (!sender) throw new Error(`no channel sender registered for type "${type}"`);
    return sender as unknown as ChannelSender<C>;
  }
}
