import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { NotificationsRepository } from './notifications.repository';

/** Notification gauges, read from the database at scrape time (shared by replicas). */
@Injectable()
export class NotificationMetrics {
  constructor(metrics: MetricsService, repository: NotificationsRepository) {
    new Gauge({
      name: 'alert_relay_notifications_open',
      aggregator: 'first', // read from the shared database: the same in every worker
      help: 'Notifications currently open.',
      registers: [metrics.registry],
      async collect() {
        this.set(await repository.countOpen());
      },
    });
  }
}
