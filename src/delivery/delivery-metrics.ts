import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { channelGauges } from '../metrics/channel-gauges';
import { MetricsService } from '../metrics/metrics.service';
import { channelStatus } from './admission';
import { ChannelStateRepository } from './channel-state.repository';
import { DeliveryRepository } from './delivery.repository';

const CIRCUIT_VALUE = { closed: 0, open: 1, 'half-open': 2 } as const;

/** Delivery metrics; the outbox gauges are read from the database at scrape time (shared by replicas). */
@Injectable()
export class DeliveryMetrics {
  private readonly deliveries: Counter<'channel' | 'result'>;
  private readonly duration: Histogram<'channel'>;

  constructor(
    metrics: MetricsService,
    repository: DeliveryRepository,
    channelState: ChannelStateRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const registers = [metrics.registry];
    this.deliveries = new Counter({
      name: 'alert_relay_deliveries_total',
      help: 'Delivery attempts by channel and result (delivered, retry, dead, superseded, lease-lost).',
      labelNames: ['channel', 'result'],
      registers,
    });
    this.duration = new Histogram({
      name: 'alert_relay_delivery_attempt_duration_seconds',
      help: 'Duration of one send attempt, by channel.',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const channels = Object.keys(config.channels);
    channelGauges(
      metrics.registry,
      channels,
      () => repository.gauges().then((rows) => new Map(rows.map((r) => [r.channel, r]))),
      [
        {
          name: 'alert_relay_outbox_ready',
          help: 'Deliveries due now and not yet sent, by channel.',
          pick: (r) => r?.ready ?? 0,
        },
        {
          name: 'alert_relay_outbox_oldest_age_seconds',
          help: 'Age of the oldest delivery due and not yet sent, by channel.',
          pick: (r) => r?.oldestSeconds ?? 0,
        },
        { name: 'alert_relay_dead_letters', help: 'Dead-lettered deliveries, by channel.', pick: (r) => r?.dead ?? 0 },
      ],
    );
    // The channels' shared state (every replica sees the same), read once per scrape.
    let states: { at: number; value: Promise<Map<string, ReturnType<typeof channelStatus>>> } | undefined;
    const statuses = () => {
      if (!states || Date.now() - states.at > 500) {
        states = {
          at: Date.now(),
          value: channelState.all().then(({ states: rows, now }) => {
            const byName = new Map(rows.map((r) => [r.channel, r]));
            return new Map(channels.map((c) => [c, channelStatus(byName.get(c), now)]));
          }),
        };
      }
      return states.value;
    };
    new Gauge({
      name: 'alert_relay_circuit_state',
      aggregator: 'first', // read from the shared database: the same in every worker
      help: 'Circuit breaker state per channel, shared by all replicas: 0 closed, 1 open, 2 half-open.',
      labelNames: ['channel'],
      registers,
      async collect() {
        for (const [channel, status] of await statuses()) this.set({ channel }, CIRCUIT_VALUE[status.circuit]);
      },
    });
    new Gauge({
      name: 'alert_relay_channel_disabled',
      aggregator: 'first', // read from the shared database: the same in every worker
      help: 'Channels disabled by a 410 Gone (1), until enabled through the API.',
      labelNames: ['channel'],
      registers,
      async collect() {
        for (const [channel, status] of await statuses()) this.set({ channel }, status.disabled ? 1 : 0);
      },
    });
  }

  attempt(channel: string, seconds: number): void {
    this.duration.observe({ channel }, seconds);
  }

  delivery(channel: string, result: string): void {
    this.deliveries.inc({ channel, result });
  }
}
