import { AppConfig } from '../config/config.loader';
import { RateLimitConfig } from '../config/channels.config';
import { durationMs } from '../config/duration';
import { ChannelPlugin, ChannelPreview, ChannelSender, OutgoingMessage } from './common/channel';
import { Digest } from './common/digest';
import { SendResult } from './common/send-result';
import { channelSecrets, Redactor } from './common/redact';
import { errorText } from '../common/errors';
import { ChannelConfig, ChannelTypeName } from './channel-types';

/** One configured channel with every setting resolved once, at start (own value, else the default). */
export interface ChannelSettings {
  readonly name: string;
  readonly type: ChannelTypeName;
  readonly config: ChannelConfig;
  readonly sender: ChannelSender;
  /** Its `rateLimit`, else `delivery.rateLimits.<type>` (which the loader fills with the type's default). */
  readonly rateLimit: Readonly<RateLimitConfig>;
  /** Its `timeout`, else `delivery.timeout`. */
  readonly timeoutMs: number;
  /** Its `maxAge`, else `delivery.maxAge`. */
  readonly maxAgeMs: number;
  /** Where it sends, secrets left out (`GET /channels`, route previews). */
  readonly target: string;
  /** How many messages one `send` may carry: 1 unless the sender batches. */
  readonly maxBatch: number;
  /** Sends within `timeoutMs`; `messages` holds at most `maxBatch`. Never rejects; secrets cleared. */
  send(messages: readonly OutgoingMessage[]): Promise<SendResult>;
  preview(messages: readonly OutgoingMessage[]): ChannelPreview;
  /** Sends a digest as one message within `timeoutMs`. */
  sendDigest(digest: Digest): Promise<SendResult>;
}

/** A channel type's plugin with its sender as Nest built it. */
export interface ChannelTypeBinding {
  plugin: ChannelPlugin;
  sender: ChannelSender;
}

/**
 * The per-channel settings table: every channel under `channels:`, in config order, with its sender
 * bound. The delivery workers, guards and the channels API read their settings here and nowhere else.
 */
export class ChannelCatalog {
  private readonly byName = new Map<string, ChannelSettings>();
  private readonly defaultTimeoutMs: number;
  private readonly defaultMaxAgeMs: number;

  constructor(config: AppConfig, types: readonly ChannelTypeBinding[]) {
    this.defaultTimeoutMs = durationMs(config.delivery.timeout);
    this.defaultMaxAgeMs = durationMs(config.delivery.maxAge);
    const defaults = {
      timeoutMs: this.defaultTimeoutMs,
      maxAgeMs: this.defaultMaxAgeMs,
      rateLimits: config.delivery.rateLimits,
    };
    for (const [name, channel] of Object.entries(config.channels)) {
      const binding = types.find((t) => t.plugin.type === channel.type);
      // The loader refuses any other type.
      if (!binding) throw new Error(`channel ${name}: no channel type "${channel.type}"`);
      this.byName.set(name, settingsOf(name, channel as ChannelConfig, binding, defaults));
    }
  }

  get(name: string): ChannelSettings | undefined {
    return this.byName.get(name);
  }

  /** The channel's settings; throws for a name that is not configured. */
  require(name: string): ChannelSettings {
    const settings = this.byName.get(name);
    if (!settings) throw new Error(`no channel named "${name}" is configured`);
    return settings;
  }

  all(): ChannelSettings[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** A channel's max age; `delivery.maxAge` for one no longer configured (its rows still exist). */
  maxAgeMs(name: string): number {
    return this.byName.get(name)?.maxAgeMs ?? this.defaultMaxAgeMs;
  }

  /** The longest time one attempt may take, over every channel and the default. */
  maxTimeoutMs(): number {
    return Math.max(this.defaultTimeoutMs, ...this.all().map((c) => c.timeoutMs));
  }
}

function settingsOf(
  name: string,
  config: ChannelConfig,
  { plugin, sender }: ChannelTypeBinding,
  defaults: { timeoutMs: number; maxAgeMs: number; rateLimits: Record<string, RateLimitConfig> },
): ChannelSettings {
  const timeoutMs = config.timeout ? durationMs(config.timeout) : defaults.timeoutMs;
  const target = sender.target(config);
  // Whatever the service answers or an error quotes is cleared of this channel's secrets here, before
  // the worker stores or logs it and before the API returns it.
  const redactor = new Redactor(channelSecrets(config));
  const sent = (sending: () => Promise<SendResult>): Promise<SendResult> =>
    sending().then(
      (result) => redactor.result(result),
      (error: unknown) => redactor.result({ outcome: 'retry', statusCode: null, error: errorText(error) }),
    );
  const common = {
    name,
    type: plugin.type as ChannelTypeName,
    config,
    sender,
    rateLimit: config.rateLimit ?? defaults.rateLimits[plugin.type],
    timeoutMs,
    maxAgeMs: config.maxAge ? durationMs(config.maxAge) : defaults.maxAgeMs,
    target,
    sendDigest: (digest: Digest) => sender.sendDigest(digest, config, timeoutMs),
  };
  if (sender.shape === 'single') {
    return {
      ...common,
      maxBatch: 1,
      send: (messages) => sent(() => sender.send(only(messages), config, timeoutMs)),
      preview: (messages) => ({ target, request: redactor.value(sender.preview(only(messages), config)) }),
    };
  }
  return {
    ...common,
    maxBatch: sender.maxBatch(config),
    send: (messages) => sent(() => sender.send(messages, config, timeoutMs)),
    preview: (messages) => ({ target, request: redactor.value(sender.preview(messages, config)) }),
  };
}

function only(messages: readonly OutgoingMessage[]): OutgoingMessage {
  if (messages.length !== 1) throw new Error(`a single-message sender was given ${messages.length} messages`);
  return messages[0];
}
