import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ChannelCatalog, ChannelSettings } from '../channels/channel-catalog';
import { buildDigest } from '../channels/common/digest';
import { SendResult } from '../channels/common/send-result';
import { errorText } from '../common/errors';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { CommitSignals } from '../database/commit-signals';
import { ChannelGuards } from '../delivery/channel-guards';
import { Admission } from '../delivery/admission';
import { DeliveryHolds } from '../delivery/delivery-holds';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { DeliveryMetrics } from '../delivery/delivery-metrics';
import { attemptRecord, backoffOf, leaseMsOf, timedAttempt, withRetries } from '../delivery/delivery-worker';
import { retryDelayMs } from '../delivery/retry-policy';
import { WorkLoop } from '../delivery/work-loop';
import { DeliveryStatus, NotificationSnapshot } from '../domain/notification';
import { compileRoutes } from '../routing/routes';
import { ClaimedGroup, DigestRepository } from './digest.repository';
import { DigestMetrics } from './digest-metrics';

// A group whose claim found nothing to send (superseded meanwhile, or waiting for an older delivery of
// the same notification elsewhere) is looked at again after this.
const NOTHING_TO_SEND_MS = 1000;

/**
 * The digest flush of this process: claims due digest groups (leased, SKIP LOCKED: one replica sends
 * each digest), renders the group's pending changes as one message per channel, sends it through the
 * channel's rate limit and circuit breaker like any message, and records the outcome on every delivery
 * of the digest. Woken when a group falls due (a timer on the earliest due time), by new changes of any
 * replica (their groups fall due `wait` later at the earliest), and by a slow fallback poll.
 */
@Injectable()
export class DigestWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Digests');
  readonly workerId = `${hostname().slice(0, 40)}:${process.pid}:digests`;
  private readonly loop: WorkLoop<ClaimedGroup>;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  /** The shortest `wait` of the grouping routes: no change can fall due sooner than this after it. */
  private readonly minWaitMs: number;
  private readonly routes: { route: string; waitMs: number; intervalMs: number; maxItems: number }[];
  private readonly onCommit = () => this.loop.soon(Math.max(this.minWaitMs, 5));

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: DigestRepository,
    private readonly catalog: ChannelCatalog,
    private readonly signals: CommitSignals,
    private readonly guards: ChannelGuards,
    private readonly deliveryMetrics: DeliveryMetrics,
    private readonly metrics: DigestMetrics,
    private readonly holds: DeliveryHolds,
    private readonly deliveries: DeliveryRepository,
  ) {
    this.leaseMs = leaseMsOf(config, catalog);
    this.pollMs = durationMs(config.delivery.pollInterval);
    this.routes = compileRoutes(config).routes.flatMap((r) => (r.group ? [{ route: r.name, ...r.group }] : []));
    this.minWaitMs = Math.min(this.pollMs, ...this.routes.map((r) => r.waitMs));
    this.loop = new WorkLoop({
      round: () => this.round(),
      failed: (error) => this.logger.error(`claiming digests failed: ${errorText(error)}`),
      retryMs: Math.min(this.pollMs, 1000),
      giveBack: async (left) => {
        this.logger.warn(`shutting down with ${left.length} digests in flight: releasing their leases`);
        await Promise.all(left.map((g) => this.repository.release(g, 0).catch(() => undefined)));
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.delivery.workers || this.catalog.names().length === 0) return;
    await this.repository.adoptTiming(this.routes);
    // Groups of routes removed from the config still send what they hold: the worker runs anyway.
    this.signals.on('deliveries', this.onCommit);
    await this.signals.listen('deliveries');
    this.loop.kick();
  }

  /** Graceful stop: no new claims; digests in flight get `shutdownGrace`, then their leases are released. */
  async onModuleDestroy(): Promise<void> {
    this.signals.off('deliveries', this.onCommit);
    await this.loop.stop(durationMs(this.config.delivery.shutdownGrace));
  }

  private async round(): Promise<void> {
    const free = this.config.delivery.concurrency - this.loop.busy;
    const now = Date.now();
    const names = this.catalog.names();
    // As many groups of a channel as it may send now: a claim beyond would only be given back.
    const limits = new Map(names.map((n) => [n, this.guards.capacity(n, now)]));
    const claimed = free > 0 ? await this.repository.claim(limits, free, this.leaseMs) : [];
    // A change a silence began to hold after it joined the group stays out of the digest (held).
    for (const group of claimed) group.deliveries = await this.holds.keepBack(group.deliveries);
    this.dispatch(claimed);
    if (claimed.length > 0 && claimed.length === free) return; // more may be due: finishing sends kick again
    // Sleep until the next group is due, or until a channel held back by its guards can go again.
    const open = names.filter((n) => limits.get(n)! > 0);
    const next = await this.repository.msUntilNextDue(open);
    const blocked = names.filter((n) => limits.get(n) === 0).map((n) => this.guards.msUntilClaimable(n, now));
    this.loop.schedule(Math.min(this.pollMs, next === null ? Infinity : Math.max(next, 5), ...blocked));
  }

  /** Per channel, one admission (shared rate limit, circuit, disabled) for all its digests of this round. */
  private dispatch(claimed: ClaimedGroup[]): void {
    const byChannel = new Map<string, ClaimedGroup[]>();
    for (const group of claimed) {
      if (group.deliveries.length === 0) {
        void this.repository.release(group, NOTHING_TO_SEND_MS).catch(() => undefined);
        continue;
      }
      byChannel.set(group.channel, [...(byChannel.get(group.channel) ?? []), group]);
    }
    for (const [name, groups] of byChannel) {
      const admission = this.guards.admit(name, groups.length).catch((error: unknown): Admission => {
        this.logger.warn(`admitting digests of channel ${name} failed: ${errorText(error)}`);
        return { kind: 'send', granted: 0, waitMs: 1000 };
      });
      groups.forEach((group, index) => {
        const task = admission
          .then((admitted) => this.sendAdmitted(admitted, index, group))
          .catch((error: unknown) => this.logger.error(`sending digest to ${name} failed: ${errorText(error)}`));
        this.loop.track(group, task);
      });
    }
  }

  private async sendAdmitted(admitted: Admission, index: number, group: ClaimedGroup): Promise<void> {
    if (admitted.kind === 'disabled') {
      const reason = `channel disabled: ${admitted.reason}`;
      await this.deliveries.deadLetter(group.deliveries, reason);
      await this.repository.release(group, 0);
      for (const _ of group.deliveries) this.deliveryMetrics.delivery(group.channel, 'dead');
      this.logger.warn({ msg: 'digest dead', digestId: group.digestId, channel: group.channel, error: reason });
      return;
    }
    if (index < admitted.granted) return this.send(group, this.catalog.require(group.channel));
    await this.repository.release(group, admitted.waitMs);
  }

  private async send(group: ClaimedGroup, settings: ChannelSettings): Promise<void> {
    const digest = buildDigest({
      id: group.digestId,
      route: group.route,
      labels: group.labels,
      maxItems: group.maxItems,
      messages: group.deliveries.map((d) => ({
        id: d.id,
        kind: d.kind,
        notification: d.payload as unknown as NotificationSnapshot,
      })),
    });
    const attempt = await timedAttempt(() => settings.sendDigest(digest));
    const { result, durationMs } = attempt;
    void this.guards.record(group.channel, result);
    this.deliveryMetrics.attempt(group.channel, durationMs / 1000);
    const attempts = Math.max(...group.deliveries.map((d) => d.attempts));
    const delay = retryDelayMs(attempts, backoffOf(this.config), result.retryAfterMs);
    let statuses: Map<string, DeliveryStatus>;
    try {
      statuses = await withRetries(() => this.repository.complete(group, attemptRecord(attempt, this.workerId, delay)));
    } catch (error) {
      // The lease runs out and the digest is sent again under the same id: at-least-once.
      this.logger.error(`recording digest ${group.digestId} failed: ${errorText(error)}`);
      return;
    }
    this.record(group, settings, result, statuses, { durationMs, attempts, delay });
  }

  private record(
    group: ClaimedGroup,
    settings: ChannelSettings,
    result: SendResult,
    statuses: Map<string, DeliveryStatus>,
    at: { durationMs: number; attempts: number; delay: number },
  ): void {
    const counts: Record<string, number> = {};
    for (const d of group.deliveries) {
      const status = statuses.get(d.id);
      const outcome = status === undefined ? 'lease-lost' : status === 'pending' ? 'retry' : status;
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      this.deliveryMetrics.delivery(group.channel, outcome);
    }
    const outcome =
      statuses.size === 0 ? 'lease-lost' : result.outcome === 'success' ? 'delivered' : counts.retry ? 'retry' : 'dead';
    this.metrics.digest(group.channel, outcome);
    const line = {
      msg: `digest ${outcome}`,
      digestId: group.digestId,
      channel: group.channel,
      channelType: settings.type,
      route: group.route,
      group: group.labels,
      changes: group.deliveries.length,
      deliveries: counts,
      attempt: at.attempts,
      statusCode: result.statusCode,
      durationMs: at.durationMs,
      ...(result.error ? { error: result.error } : {}),
      ...(outcome === 'retry' ? { retryInMs: at.delay } : {}),
    };
    if (outcome === 'delivered') this.logger.log(line);
    else this.logger.warn(line);
  }
}
