import { Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry';
import { CHANNEL_SENDERS, ChannelSender } from './common/channel';
import { EmailSender } from './email/email.sender';
import { MattermostSender } from './mattermost/mattermost.sender';
import { PushoverSender } from './pushover/pushover.sender';
import { SignalSender } from './signal/signal.sender';
import { SlackSender } from './slack/slack.sender';
import { WebhookSender } from './webhook/webhook.sender';

const SENDERS = [SlackSender, MattermostSender, PushoverSender, SignalSender, EmailSender, WebhookSender];

@Module({
  providers: [
    ...SENDERS,
    { provide: CHANNEL_SENDERS, useFactory: (...senders: ChannelSender[]) => senders, inject: SENDERS },
    ChannelRegistry,
  ],
  exports: [ChannelRegistry],
})
export class ChannelsModule {}
