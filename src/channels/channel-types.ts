import { email } from './email/email.channel';
import { mattermost } from './mattermost/mattermost.channel';
import { pushover } from './pushover/pushover.channel';
import { signal } from './signal/signal.channel';
import { slack } from './slack/slack.channel';
import { webhook } from './webhook/webhook.channel';

/**
 * Every channel type the service knows, in the order messages name them. The channels module, the
 * config loader (through the composition root) and the API all read this list: a new type is its
 * folder plus one entry here (docs/delivery.md, "Adding a channel type").
 */
export const CHANNEL_TYPES = [slack, mattermost, pushover, signal, email, webhook] as const;

export type ChannelTypeName = (typeof CHANNEL_TYPES)[number]['type'];
/** A configured channel's typed config: an instance of one of the types' config classes. */
export type ChannelConfig = InstanceType<(typeof CHANNEL_TYPES)[number]['configClass']>;
