import cluster from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';

// With WORKERS=N a scrape reaches one worker; that worker asks the primary, which asks every worker
// (prom-client's AggregatorRegistry) and answers with the sum: counters and histograms add up, the
// gauges read from the shared database (`aggregator: 'first'`) are one worker's reading.
const ASK = 'alert-relay:metrics';
const ANSWER = 'alert-relay:metrics-answer';
const TIMEOUT_MS = 6000;

interface Answer {
  type: string;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary of WORKERS=N: answers the workers' requests for everybody's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== ASK) return;
    const answer = (fields: Partial<Answer>) => worker.send({ type: ANSWER, id: message.id, ...fields });
    aggregator.clusterMetrics().then(
      (text) => answer({ text }),
      (error: unknown) => answer({ error: String(error) }),
    );
  });
}

/**
 * In a worker: `registry` is what it reports to the primary, and the function returned gives every
 * worker's metrics together. Outside a cluster: undefined (the registry alone is the answer).
 */
export function clusterMetricsFor(registry: Registry): (() => Promise<string>) | undefined {
  if (!cluster.isWorker) return undefined;
  AggregatorRegistry.setRegistries(registry);
  new AggregatorRegistry(); // its worker side answers the primary's requests
  let next = 0;
  const pending = new Map<number, (answer: Answer) => void>();
  process.on('message', (message: Answer) => {
    if (message?.type === ANSWER) pending.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => settle({ type: ANSWER, id, error: 'no answer from the primary' }), TIMEOUT_MS);
      const settle = (answer: Answer) => {
        pending.delete(id);
        clearTimeout(timer);
        if (answer.text !== undefined) resolve(answer.text);
        else reject(new Error(`metrics of all workers: ${answer.error}`));
      };
      pending.set(id, settle);
      process.send!({ type: ASK, id });
    });
}
