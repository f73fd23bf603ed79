import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ChannelCatalog, ChannelSettings } from '../channels/channel-catalog';
import { OutgoingMessage } from '../channels/common/channel';
import { SendResult } from '../channels/common/send-result';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { DeliveryMetrics } from './delivery-metrics';
import { Admission } from './admission';
import { ChannelGuards } from './channel-guards';
import { DeliveryHolds } from './delivery-holds';
import { CommitSignals } from '../database/commit-signals';
import { GroupCommit } from '../database/group-commit';
import { AttemptRecord, ClaimedDelivery, DeliveryRepository } from './delivery.repository';
import { WorkLoop } from './work-loop';

import { BackoffPolicy, retryDelayMs } from './retry-policy';
import { DeliveryStatus, NotificationSnapshot } from '../domain/notification';
import { errorText } from '../common/errors';

/**
 * The delivery workers of this process: claim due deliveries (leased, SKIP LOCKED), send them through
 * their channel, record the outcome. Woken at once by new work (CommitSignals: NOTIFY from every
 * replica on PostgreSQL, in-process on the embedded database), at each retry's due time, and by a slow
 * fallback poll.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Delivery');
  readonly workerId = `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly loop: WorkLoop<ClaimedDelivery[]>;
  private readonly wake = () => this.loop.kick();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  /** Attempt results, written in groups (one write at a time; results arriving meanwhile share the next). */
  private readonly completions: GroupCommit<
    { delivery: ClaimedDelivery; attempt: AttemptRecord },
    DeliveryStatus | null
  >;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: DeliveryRepository,
    private readonly catalog: ChannelCatalog,
    private readonly signals: CommitSignals,
    private readonly guards: ChannelGuards,
    private readonly metrics: DeliveryMetrics,
    private readonly holds: DeliveryHolds,
  ) {
    this.leaseMs = leaseMsOf(config, catalog);
    this.pollMs = durationMs(config.delivery.pollInterval);
    this.loop = new WorkLoop({
      round: () => this.pump(),
      failed: (error) => this.logger.error(`claiming deliveries failed: ${errorText(error)}`),
      retryMs: Math.min(this.pollMs, 1000),
      giveBack: async (batches) => {
        const left = batches.flat();
        this.logger.warn(`shutting down with ${left.length} deliveries in flight: releasing their leases`);
        await this.repository.release(left, 0).catch(() => undefined);
      },
    });
    this.completions = new GroupCommit({
      maxInFlight: 1,
      maxBatch: 100,
      // Past its lease the delivery is claimed and sent again anyway: its result no longer matters.
      maxWaitMs: this.leaseMs,
      tooLong: (waitedMs) => new Error(`waited ${Math.round(waitedMs)} ms to record the result`),
      run: async (batch) => {
        const statuses = await withRetries(() => this.repository.complete(batch.map((p) => p.job)));
        for (const p of batch) p.resolve(statuses.get(p.job.delivery.id) ?? null);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.delivery.workers) return;
    for (const { channel, count } of await this.repository.deadLetterUnconfigured(this.catalog.names())) {
      this.logger.warn({ msg: 'deliveries dead-lettered: channel no longer configured', channel, count });
    }
    if (this.catalog.names().length === 0) return;
    await this.guards.start();
    // New work of any replica wakes this one at once (NOTIFY on PostgreSQL, in-process otherwise).
    this.signals.on('deliveries', this.wake);
    await this.signals.listen('deliveries');
    this.loop.kick();
  }

  /** Graceful stop: no new claims; in-flight sends get `shutdownGrace`, then their leases are released. */
  async onModuleDestroy(): Promise<void> {
    this.signals.off('deliveries', this.wake);
    await this.loop.stop(durationMs(this.config.delivery.shutdownGrace));
  }

  private async pump(): Promise<void> {
    while (!this.loop.stopped) {
      const concurrency = this.config.delivery.concurrency;
      const free = concurrency - this.loop.busy;
      // Under load, claim in batches (a quarter of the slots) rather than one row per finished send.
      if (free <= 0 || (this.loop.busy > 0 && free < Math.ceil(concurrency / 4))) return;
      const channels = this.guards.claimable(this.catalog.names(), Date.now());
      const claimed = await this.repository.claim(channels, free, this.leaseMs);
      const toSend = await this.holds.keepBack(claimed);
      if (toSend.length > 0) this.dispatch(toSend);
      if (claimed.length === 0) {
        // Nothing due now: sleep until the next retry is due (or a lease runs out), or the fallback poll.
        const next = await this.repository.msUntilNextDue();
        this.loop.schedule(next === null ? this.pollMs : Math.min(this.pollMs, Math.max(next, 5)));
        return;
      }
      if (claimed.length < free) return; // the queue is drained for now; finishing sends kick again
    }
  }

  /**
   * Per channel, one admission (shared rate limit, circuit, disabled) for all its sends of this round;
   * each send (a batch) is tracked from the start, so `concurrency` counts them as before.
   */
  private dispatch(claimed: ClaimedDelivery[]): void {
    const byChannel = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
    for (const [name, deliveries] of byChannel) {
      const channel = this.catalog.require(name);
      const batches: ClaimedDelivery[][] = [];
      for (let i = 0; i < deliveries.length; i += channel.maxBatch) {
        batches.push(deliveries.slice(i, i + channel.maxBatch));
      }
      const admission = this.guards.admit(name, batches.length).catch((error: unknown): Admission => {
        this.logger.warn(`admitting deliveries of channel ${name} failed: ${errorText(error)}`);
        return { kind: 'send', granted: 0, waitMs: 1000 };
      });
      batches.forEach((batch, index) => {
        const task = admission
          .then((admitted) => this.sendAdmitted(admitted, index, batch, channel))
          .catch((error: unknown) => this.logger.error(`delivering to ${name} failed: ${errorText(error)}`));
        this.loop.track(batch, task);
      });
    }
  }

  private async sendAdmitted(
    admitted: Admission,
    index: number,
    batch: ClaimedDelivery[],
    channel: ChannelSettings,
  ): Promise<void> {
    if (admitted.kind === 'disabled') {
      const reason = `channel disabled: ${admitted.reason}`;
      await this.repository.deadLetter(batch, reason);
      for (const d of batch) {
        this.metrics.delivery(channel.name, 'dead');
        this.logger.warn({
          msg: 'delivery dead',
          deliveryId: d.id,
          notificationId: d.notificationId,
          channel: channel.name,
          error: reason,
        });
      }
      return;
    }
    if (index < admitted.granted) return this.send(batch, channel);
    await this.repository.release(batch, admitted.waitMs);
  }

  private async send(batch: ClaimedDelivery[], settings: ChannelSettings): Promise<void> {
    const channel = settings.name;
    const messages: OutgoingMessage[] = batch.map((d) => ({
      id: d.id,
      kind: d.kind,
      notification: d.payload as unknown as NotificationSnapshot,
    }));
    const attempt = await timedAttempt(() => settings.send(messages));
    const { result, durationMs } = attempt;
    void this.guards.record(channel, result);
    this.metrics.attempt(channel, durationMs / 1000);
    for (const d of batch) {
      const delay = retryDelayMs(d.attempts, this.backoff(), result.retryAfterMs);
      let status;
      try {
        status = await this.completions.submit({ delivery: d, attempt: attemptRecord(attempt, this.workerId, delay) });
      } catch (error) {
        // The lease runs out and another attempt follows: at-least-once.
        this.logger.error(`recording delivery ${d.id} failed: ${errorText(error)}`);
        continue;
      }
      const outcome = status === null ? 'lease-lost' : status === 'pending' ? 'retry' : status;
      this.metrics.delivery(channel, outcome);
      const line = {
        msg: `delivery ${outcome}`,
        deliveryId: d.id,
        notificationId: d.notificationId,
        channel,
        channelType: settings.type,
        kind: d.kind,
        revision: d.revision,
        attempt: d.attempts,
        statusCode: result.statusCode,
        durationMs,
        ...(result.error ? { error: result.error } : {}),
        ...(outcome === 'retry' ? { retryInMs: delay } : {}),
      };
      if (outcome === 'delivered') this.logger.log(line);
      else this.logger.warn(line);
    }
  }

  private backoff() {
    return backoffOf(this.config);
  }
}

/** One send attempt: its result (a throw is a retry), when it started and how long it took. */
export async function timedAttempt(
  send: () => Promise<SendResult>,
): Promise<{ result: SendResult; startedAt: Date; durationMs: number }> {
  const startedAt = new Date();
  let result: SendResult;
  try {
    result = await send();
  } catch (error) {
    result = { outcome: 'retry', statusCode: null, error: errorText(error) };
  }
  return { result, startedAt, durationMs: Date.now() - startedAt.getTime() };
}

/** What an attempt records on each delivery it carried. */
export function attemptRecord(
  { result, startedAt, durationMs }: Awaited<ReturnType<typeof timedAttempt>>,
  worker: string,
  retryDelayMs: number,
): AttemptRecord {
  return {
    outcome: result.outcome,
    statusCode: result.statusCode,
    error: result.error ?? null,
    response: result.response ?? null,
    startedAt,
    durationMs,
    worker,
    retryDelayMs,
  };
}

/** How long a claim is held (`delivery.lease`), at least one attempt's timeout + 1 s. */
export function leaseMsOf(config: AppConfig, catalog: ChannelCatalog): number {
  // A lease shorter than a send would let a second worker send it again while the first still is.
  return Math.max(durationMs(config.delivery.lease), catalog.maxTimeoutMs() + 1000);
}

export function backoffOf(config: AppConfig): BackoffPolicy {
  const b = config.delivery.backoff;
  return { baseMs: durationMs(b.base), maxMs: durationMs(b.max), jitter: b.jitter };
}

// A result not recorded means a second send after the lease runs out: worth two more tries (a dropped
// pooled connection, a restarted database).
export async function withRetries<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
