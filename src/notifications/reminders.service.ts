import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { errorText } from '../common/errors';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { durationMs } from '../config/duration';
import { RemindersRepository } from './reminders.repository';

/** Every `delivery.reminderInterval`, enqueues the reminders that are due (routes' `remindEvery`). */
@Injectable()
export class RemindersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reminders');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly repository: RemindersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // A replica without delivery workers only enqueues what producers send.
    if (!this.config.delivery.workers || Object.keys(this.config.channels).length === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.remind().finally(() => (this.running = undefined));
    }, durationMs(this.config.delivery.reminderInterval));
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async remind(): Promise<void> {
    try {
      const count = await this.repository.enqueueDue(durationMs(this.config.delivery.maxAge));
      if (count > 0) this.logger.log(`enqueued ${count} reminders`);
    } catch (error) {
      this.logger.error(`reminders failed: ${errorText(error)}`);
    }
  }
}
