import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChannelCatalog } from '../channels/channel-catalog';
import { SendResult } from '../channels/common/send-result';
import { errorText } from '../common/errors';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { Admission, admissionOf, ChannelOutlook } from './admission';
import { ChannelStateRepository } from './channel-state.repository';

/**
 * Per-channel rate limit (token bucket), circuit breaker and disabling, shared by every replica
 * through PostgreSQL (`channel_state`): N replicas together keep a channel at its configured rate.
 * A claim round asks once per channel (`admit`, one statement); a success costs nothing unless it
 * ends a run of failures; a retryable failure is one statement.
 */
@Injectable()
export class ChannelGuards {
  private readonly logger = new Logger('Delivery');
  private readonly outlooks = new Map<string, ChannelOutlook>();
  private readonly threshold: number;
  private readonly openForMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly catalog: ChannelCatalog,
    private readonly state: ChannelStateRepository,
  ) {
    this.threshold = config.delivery.circuitBreaker.failureThreshold;
    this.openForMs = durationMs(config.delivery.circuitBreaker.openFor);
  }

  /** A row (a full bucket) for every configured channel that has none. */
  start(): Promise<void> {
    return this.state.ensure(this.catalog.all().map((c) => ({ name: c.name, burst: c.rateLimit.burst })));
  }

  /** Channels worth claiming for now, as far as this process last heard. */
  claimable(channels: string[], now: number): string[] {
    return channels.filter((name) => this.outlook(name).claimable(now));
  }

  /** How many sends of `name` are worth claiming now, as far as this process last heard. */
  capacity(name: string, now: number): number {
    return this.outlook(name).capacity(now);
  }

  /** How long until `name` is worth claiming again. */
  msUntilClaimable(name: string, now: number): number {
    return this.outlook(name).msUntilClaimable(now);
  }

  /** How many of `sends` may go now (one statement), and how long the rest wait. */
  async admit(name: string, sends: number): Promise<Admission> {
    const channel = this.catalog.require(name);
    const { perSecond, burst } = channel.rateLimit;
    // A half-open probe holds the channel for one attempt (its timeout) plus a second.
    const row = await this.state.admit(name, sends, perSecond, burst, channel.timeoutMs + 1000);
    this.outlook(name).heard(row, Date.now());
    return admissionOf(row, perSecond);
  }

  /** What an attempt tells about the channel; never rejects (the breaker is advice, the send is done). */
  async record(name: string, result: SendResult): Promise<void> {
    const outlook = this.outlook(name);
    try {
      if (result.disable !== undefined) await this.disable(name, result.disable);
      if (result.outcome === 'retry') {
        const { opened, failures } = await this.state.failed(name, this.threshold, this.openForMs);
        outlook.failures = failures;
        if (opened && outlook.circuit !== 'open') {
          outlook.circuit = 'open';
          this.logger.warn({ msg: 'circuit open', channel: name, failures, openForMs: this.openForMs });
        }
      } else if (result.outcome === 'success' && (outlook.failures > 0 || outlook.circuit !== 'closed')) {
        await this.state.succeeded(name);
        if (outlook.circuit !== 'closed') this.logger.log({ msg: 'circuit closed', channel: name });
        outlook.failures = 0;
        outlook.circuit = 'closed';
      }
      // A permanent failure is about the message (a 4xx), not the endpoint being down.
    } catch (error) {
      this.logger.warn(`recording the outcome for channel ${name} failed: ${errorText(error)}`);
    }
  }

  /** Disables a channel for every replica (a 410 Gone); logged once, by the replica that did it. */
  async disable(name: string, reason: string): Promise<void> {
    if (await this.state.disable(name, reason)) {
      this.logger.warn({ msg: 'channel disabled', channel: name, reason });
    }
    this.outlook(name).disabled = true;
  }

  private outlook(name: string): ChannelOutlook {
    let outlook = this.outlooks.get(name);
    if (!outlook) {
      const rate = this.catalog.require(name).rateLimit;
      outlook = new ChannelOutlook(rate.perSecond, rate.burst);
      this.outlooks.set(name, outlook);
    }
    return outlook;
  }
}
