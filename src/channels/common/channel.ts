import { Type } from '@nestjs/common';
import { BaseChannelConfig, ChannelConfigProblem, ChannelTypeSchema } from '../../config/channels.config';
import { MessageKind, NotificationSnapshot } from '../../domain/notification';
import { Digest } from './digest';
import { SendResult } from './send-result';

/** One delivery as a channel sees it: the notification as of that revision, and why it is sent. */
export interface OutgoingMessage {
  /** The delivery's stable id (`webhook-id`). */
  id: string;
  kind: MessageKind;
  notification: NotificationSnapshot;
}

/** What would be sent, for `POST /routes/test`: secrets replaced by `[redacted]`. */
export interface ChannelPreview {
  target: string;
  request: unknown;
}

// Two shapes of sender. Both are stateless: clients are built per call from the typed config, and
// `target` says where the sender sends with every secret left out (see redactUrl). Both send digests.

/** Many notifications' changes as one message (a grouping route): each type lays out the digest model. */
export interface DigestSender<C extends BaseChannelConfig> {
  sendDigest(digest: Digest, config: C, timeoutMs: number): Promise<SendResult>;
}

/** One request per message (Slack, Mattermost, Pushover, Signal, e-mail). */
export interface SingleMessageSender<C extends BaseChannelConfig> extends DigestSender<C> {
  readonly shape: 'single';
  target(config: C): string;
  /** The request `send` would make, secrets redacted. */
  preview(message: OutgoingMessage, config: C): unknown;
  send(message: OutgoingMessage, config: C, timeoutMs: number): Promise<SendResult>;
}

/** Up to `maxBatch` messages that are ready together in one request (webhook arrays). */
export interface BatchingSender<C extends BaseChannelConfig> extends DigestSender<C> {
  readonly shape: 'batching';
  target(config: C): string;
  maxBatch(config: C): number;
  preview(messages: readonly OutgoingMessage[], config: C): unknown;
  send(messages: readonly OutgoingMessage[], config: C, timeoutMs: number): Promise<SendResult>;
}

export type ChannelSender<C extends BaseChannelConfig = BaseChannelConfig> = SingleMessageSender<C> | BatchingSender<C>;

/**
 * A channel type, whole: what the config loader needs (its `type`, config class, default rate limit,
 * cross-key checks) and the sender, a Nest provider. Each folder src/channels/<type>/ exports one;
 * src/channels/channel-types.ts lists them.
 */
export interface ChannelPlugin<C extends BaseChannelConfig = BaseChannelConfig> extends ChannelTypeSchema {
  readonly type: C['type'];
  readonly configClass: new () => C;
  problems?(config: C): ChannelConfigProblem[];
  readonly sender: Type<ChannelSender<C>>;
}

/** Types a plugin definition by its config class. */
export function defineChannelType<C extends BaseChannelConfig>(plugin: ChannelPlugin<C>): ChannelPlugin<C> {
  return plugin;
}
