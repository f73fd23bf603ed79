import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { clusterMetricsFor } from './cluster-metrics';

/**
 * The process's Prometheus registry (one per app, not prom-client's global one, so that several apps in
 * one test process do not collide). Modules add their own metrics to `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor() {
    // Node's own: process_resident_memory_bytes, nodejs_heap_size_used_bytes, nodejs_gc_duration_seconds,
    // nodejs_eventloop_lag_seconds, ... (what a memory leak or a blocked event loop shows up in).
    collectDefaultMetrics({ register: this.registry });
  }

  readonly ingestRequests = new Counter({
    name: 'alert_relay_ingest_requests_total',
    help: 'Ingested alert messages by source and lifecycle result (opened, updated, closed, duplicate, stale, error).',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  });

  readonly ingestRepeatBodies = new Counter({
    name: 'alert_relay_ingest_repeat_bodies_total',
    help: 'Webhook requests answered as duplicates from their body alone, before validation: the same bytes with the same credential as a message already decided.',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly ingestGroupSize = new Histogram({
    name: 'alert_relay_ingest_group_size',
    help: 'Alert messages applied per database transaction (more than 1 while the database is busy, or for a request that carries several alerts).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly ingestGroupRetries = new Counter({
    name: 'alert_relay_ingest_group_retries_total',
    help: 'Groups PostgreSQL refused a statement of, rolled back and applied again one message at a time.',
    registers: [this.registry],
  });

  // With WORKERS=N: every worker's metrics together (metrics/cluster-metrics.ts).
  private readonly allWorkers = clusterMetricsFor(this.registry);

  metrics(): Promise<string> {
    return this.allWorkers ? this.allWorkers() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
