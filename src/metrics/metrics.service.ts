import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/**
 * The process's Prometheus registry (one per app, not prom-client's global one, so that several apps in
 * one test process do not collide). Modules add their own metrics to `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly ingestRequests = new Counter({
    name: 'alert_relay_ingest_requests_total',
    help: 'Ingested alert messages by source and lifecycle result (opened, updated, closed, duplicate, stale, error).',
    labelNames: ['source', 'result'] as const,
    registers: [this.registry],
  });

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
