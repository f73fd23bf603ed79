import { Gauge, Registry } from 'prom-client';

export interface ChannelGauge<R> {
  name: string;
  help: string;
  pick: (row: R | undefined) => number;
}

/**
 * Gauges labelled by channel whose values are read from the database when scraped (the outbox is shared
 * by every replica). prom-client collects the gauges concurrently: one read, kept 500 ms, serves them
 * all. Every configured channel gets a value, 0 when `read` has no row for it.
 */
export function channelGauges<R>(
  registry: Registry,
  channels: string[],
  read: () => Promise<Map<string, R>>,
  gauges: ChannelGauge<R>[],
): void {
  let cached: { at: number; value: Promise<Map<string, R>> } | undefined;
  const snapshot = (): Promise<Map<string, R>> => {
    if (!cached || Date.now() - cached.at > 500) cached = { at: Date.now(), value: read() };
    return cached.value;
  };
  for (const { name, help, pick } of gauges) {
    new Gauge({
      name,
      help,
      aggregator: 'first', // read from the shared database: the same in every worker
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        const byChannel = await snapshot();
        for (const channel of new Set([...channels, ...byChannel.keys()]))
          this.set({ channel }, pick(byChannel.get(channel)));
      },
    });
  }
}
