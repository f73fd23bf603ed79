import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A local webhook receiver for the delivery benches: records when each notification first arrived. */
export interface Sink {
  /** The webhook URL to configure. */
  url: string;
  /** externalId → performance.now() of its first delivery. */
  firstReceipt: Map<string, number>;
  /** Every request received, repeats included. */
  received(): number;
  /** Resolves once `done()` holds (checked at each delivery), or fails after `timeoutMs`. */
  waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const firstReceipt = new Map<string, number>();
  let received = 0;
  let waiter: { done: () => boolean; resolve: () => void } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      received++;
      try {
        const key = JSON.parse(Buffer.concat(chunks).toString('utf8'))?.data?.notification?.externalId;
        if (typeof key === 'string' && !firstReceipt.has(key)) firstReceipt.set(key, now);
      } catch {
        // not our JSON: counted in `received` only
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (waiter?.done()) waiter.resolve();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    firstReceipt,
    received: () => received,
    waitFor(what, done, timeoutMs) {
      if (done()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`${what}: not delivered after ${timeoutMs} ms (${firstReceipt.size} notifications so far)`));
        }, timeoutMs);
        waiter = {
          done,
          resolve: () => {
            clearTimeout(timer);
            waiter = undefined;
            resolve();
          },
        };
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The service's config with every change delivered to `sinkUrl`; `workers: false` only fills the outbox. */
export function deliveryConfig(
  base: Record<string, unknown>,
  sinkUrl: string,
  workers = true,
): Record<string, unknown> {
  return {
    ...base,
    channels: { sink: { type: 'webhook', url: sinkUrl } },
    defaultChannels: ['sink'],
    delivery: { workers, concurrency: 32, pollInterval: '1s' },
  };
}
