import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { DigestRepository } from './digest.repository';

type GroupRow = { channel: string; pending: number; overdueSeconds: number };

/** Digest metrics; the gauges are read from the database at scrape time (shared by replicas). */
@Injectable()
export class DigestMetrics {
  private readonly digests: Counter<'channel' | 'result'>;

  constructor(metrics: MetricsService, repository: DigestRepository, @Inject(APP_CONFIG) config: AppConfig) {
    const registers = [metrics.registry];
    this.digests = new Counter({
      name: 'alert_relay_digests_total',
      help: 'Digest attempts by channel and result (delivered, retry, dead, lease-lost).',
      labelNames: ['channel', 'result'],
      registers,
    });
    const channels = Object.keys(config.channels);
    let cached: { at: number; value: Promise<Map<string, GroupRow>> } | undefined;
    const snapshot = () => {
      if (!cached || Date.now() - cached.at > 500) {
        cached = {
          at: Date.now(),
          value: repository.gauges().then((rows) => new Map(rows.map((r) => [r.channel, r]))),
        };
      }
      return cached.value;
    };
    const perChannel = (name: string, help: string, pick: (row: GroupRow | undefined) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['channel'],
        registers,
        async collect() {
          const byChannel = await snapshot();
          for (const channel of new Set([...channels, ...byChannel.keys()])) {
            this.set({ channel }, pick(byChannel.get(channel)));
          }
        },
      });
    perChannel('alert_relay_digest_pending', 'Changes waiting in digest groups, by channel.', (r) => r?.pending ?? 0);
    perChannel(
      'alert_relay_digest_overdue_seconds',
      'How long the most overdue digest group has been due and not sent, by channel.',
      (r) => r?.overdueSeconds ?? 0,
    );
  }

  digest(channel: string, result: string): void {
    this.digests.inc({ channel, result });
  }
}
