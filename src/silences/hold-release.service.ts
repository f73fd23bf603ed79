import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ChannelCatalog } from '../channels/channel-catalog';
import { Clock } from '../common/clock';
import { errorText } from '../common/errors';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { CommitSignals } from '../database/commit-signals';
import { HoldReleaseRepository, ReleasePlanner } from './hold-release.repository';
import { Holds } from './holds';
import { decideRelease } from './release-decision';

// Notifications read (and released) at a time.
const BATCH = 500;
// Another replica is releasing, or a notification was being changed: look again soon.
const RETRY_MS = 250;
const START = '00000000-0000-0000-0000-000000000000';

/**
 * Ends holds: every `delivery.releaseInterval`, and at once when a silence is made or ended (on any
 * replica), the held deliveries of notifications that nothing holds any more are released
 * (release-decision.ts says what each channel is told). Every pass reads the notifications that have
 * held deliveries (their ids and the fields holds match: cheap, and none at all most of the time), so
 * a window or silence that began and ended between two passes is not missed. One replica at a time
 * releases; the others find nothing left.
 */
@Injectable()
export class HoldReleaseService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HoldRelease');
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private readonly wake = () => this.kick();
  private readonly planner: ReleasePlanner;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly holds: Holds,
    private readonly repository: HoldReleaseRepository,
    private readonly signals: CommitSignals,
    catalog: ChannelCatalog,
  ) {
    this.planner = {
      released: (rules, notifications) =>
        new Set(notifications.filter((n) => rules.heldBy(n, this.clock.now()).length === 0).map((n) => n.id)),
      decide: (pairs) =>
        pairs.map((pair) => {
          const decision = decideRelease(pair);
          return {
            pair,
            send: decision.send,
            releasedAs: decision.send === null ? decision.releasedAs : null,
            maxAgeMs: catalog.maxAgeMs(pair.channel),
          };
        }),
    };
  }

  onApplicationBootstrap(): void {
    // As with reminders: a replica without delivery workers only enqueues what producers send.
    if (!this.config.delivery.workers || Object.keys(this.config.channels).length === 0) return;
    this.signals.on('silences', this.wake);
    this.timer = setInterval(this.wake, durationMs(this.config.delivery.releaseInterval));
    this.timer.unref();
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.signals.off('silences', this.wake);
    clearInterval(this.timer);
    clearTimeout(this.retry);
    await this.running;
  }

  /** A pass now, or right after the one running. */
  kick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pass(): Promise<void> {
    try {
      await this.holds.refresh();
      const outcome = await this.releaseAll(this.clock.now());
      if (!outcome.complete) this.retryLater();
      if (outcome.released > 0) {
        this.logger.log(`released ${outcome.released} held deliveries; ${outcome.told} told the current state`);
      }
    } catch (error) {
      this.logger.error(`releasing held deliveries failed: ${errorText(error)}`);
      this.retryLater();
    }
  }

  private async releaseAll(now: Date): Promise<{ complete: boolean; released: number; told: number }> {
    const total = { complete: true, released: 0, told: 0 };
    for (let after = START; ;) {
      const batch = await this.repository.heldNotifications(after, BATCH);
      if (batch.length === 0) return total;
      after = batch[batch.length - 1].id;
      // The cache was read just now: what it still sees held is not worth a transaction.
      const free = batch.filter((n) => this.holds.heldBy(n).length === 0).map((n) => n.id);
      if (free.length > 0) {
        const result = await this.repository.release(free, now, (s) => this.holds.withSilences(s), this.planner);
        if (result === null || result.skipped > 0) total.complete = false;
        total.released += result?.released ?? 0;
        total.told += result?.told ?? 0;
      }
      if (batch.length < BATCH) return total;
    }
  }

  private retryLater(): void {
    clearTimeout(this.retry);
    if (this.stopping) return;
    this.retry = setTimeout(this.wake, RETRY_MS);
    this.retry.unref();
  }
}
