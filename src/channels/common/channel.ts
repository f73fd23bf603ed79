import { ChannelConfig } from '../../config/channels.config';
import { MessageKind, NotificationSnapshot } from '../../domain/notification';
import { SendOutcome } from '../../delivery/retry-policy';

/** One delivery as a channel sees it: the notification as of that revision, and why it is sent. */
export interface OutgoingMessage {
  /** The delivery's stable id (`webhook-id`). */
  id: string;
  kind: MessageKind;
  notification: NotificationSnapshot;
}

export interface SendResult {
  outcome: SendOutcome;
  /** HTTP status, SMTP reply code, signal-cli exit code; null when nothing answered. */
  statusCode: number | null;
  /** What the service asked for (Retry-After and the like). */
  retryAfterMs?: number;
  error?: string;
  /** The start of what the service answered. */
  response?: string;
}

/** What would be sent, for `POST /routes/test`: secrets replaced by `[redacted]`. */
export interface ChannelPreview {
  target: string;
  request: unknown;
}

/**
 * One per channel type (src/channels/<type>/). Stateless: clients are built per call from the typed
 * config. `send` gets one message, or several for channels that batch (`batchSize`).
 */
export interface ChannelSender<C extends ChannelConfig = ChannelConfig> {
  readonly type: C['type'];
  /** How many messages one `send` may carry. */
  batchSize(config: C): number;
  preview(messages: OutgoingMessage[], config: C): ChannelPreview;
  send(messages: OutgoingMessage[], config: C, timeoutMs: number): Promise<SendResult>;
}

export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');
