import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { channelGauges } from '../metrics/channel-gauges';
import { MetricsService } from '../metrics/metrics.service';
import { DigestRepository } from './digest.repository';

/** Digest metrics; the gauges are read from the database at scrape time (shared by replicas). */
@Injectable()
export class DigestMetrics {
  private readonly digests: Counter<'channel' | 'result'>;

  constructor(metrics: MetricsService, repository: DigestRepository, @Inject(APP_CONFIG) config: AppConfig) {
    this.digests = new Counter({
      name: 'alert_relay_digests_total',
      help: 'Digest attempts by channel and result (delivered, retry, dead, lease-lost).',
      labelNames: ['channel', 'result'],
      registers: [metrics.registry],
    });
    channelGauges(
      metrics.registry,
      Object.keys(config.channels),
      () => repository.gauges().then((rows) => new Map(rows.map((r) => [r.channel, r]))),
      [
        {
          name: 'alert_relay_digest_pending',
          help: 'Changes waiting in digest groups, by channel.',
          pick: (r) => r?.pending ?? 0,
        },
        {
          name: 'alert_relay_digest_overdue_seconds',
          help: 'How long the most overdue digest group has been due and not sent, by channel.',
          pick: (r) => r?.overdueSeconds ?? 0,
        },
      ],
    );
  }

  digest(channel: string, result: string): void {
    this.digests.inc({ channel, result });
  }
}
