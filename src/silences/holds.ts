import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { errorText } from '../common/errors';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { CommitSignals } from '../database/commit-signals';
import { DeliveryHolds } from '../delivery/delivery-holds';
import { HoldRef } from '../domain/notification';
import { RoutableNotification } from '../routing/routes';
import { HoldRules, SilenceRule } from './hold-rules';
import { MaintenanceWindow } from './maintenance-window';
import { SilencesRepository } from './silences.repository';

/**
 * What holds notifications back now, kept in memory so that the ingest path asks without a query: the
 * maintenance windows of the config, and the silences that have not ended, read again whenever a
 * silence is created or ended (on any replica: NOTIFY on PostgreSQL) and every `delivery.releaseInterval`.
 */
@Injectable()
export class Holds implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Holds');
  private readonly windows: MaintenanceWindow[];
  private rules: HoldRules;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly wake = () => void this.refresh();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: SilencesRepository,
    private readonly signals: CommitSignals,
    deliveryHolds: DeliveryHolds,
  ) {
    this.windows = config.maintenance.map((w) => MaintenanceWindow.fromConfig(w));
    this.rules = new HoldRules([], this.windows);
    deliveryHolds.decideWith((n) => this.heldBy(n));
  }

  async onModuleInit(): Promise<void> {
    // Before anything is ingested or sent: a silence made before a restart holds from the first message.
    await this.refresh();
    this.signals.on('silences', this.wake);
    await this.signals.listen('silences');
    this.timer = setInterval(this.wake, durationMs(this.config.delivery.releaseInterval));
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.signals.off('silences', this.wake);
    await this.queued;
    await this.refreshing;
  }

  /** The silences and windows that hold `notification` now; empty when nothing does. */
  heldBy(notification: RoutableNotification): HoldRef[] {
    return this.rules.heldBy(notification, this.clock.now());
  }

  /** The rules with these silences (read in a transaction of the caller's) and the config's windows. */
  withSilences(silences: SilenceRule[]): HoldRules {
    return new HoldRules(silences, this.windows);
  }

  /** Reads the silences again; resolves once a read that started after this call has finished. */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.read().finally(() => (this.refreshing = undefined));
      return this.refreshing;
    }
    // A read is under way and may have started before this call: one more after it serves every caller.
    this.queued ??= this.refreshing.then(() => {
      this.queued = undefined;
      return this.refresh();
    });
    return this.queued;
  }

  private async read(): Promise<void> {
    try {
      this.rules = this.withSilences(await this.repository.unexpired(this.clock.now()));
    } catch (error) {
      // The silences read before stay in force; the next signal or interval reads again.
      this.logger.warn(`cannot read the silences (${errorText(error)}); keeping the ones read before`);
    }
  }
}
