import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { DeliveryEnqueuer } from '../delivery/delivery-enqueuer';
import { MetricsService } from '../metrics/metrics.service';
import { Schemas } from '../common/api-types';
import { AlertSignal } from './alert-signal';
import { decide } from './lifecycle';
import { NotificationEventEntity } from './notification-event.entity';
import { NotificationEntity } from './notification.entity';
import { toNotification } from './notification.mapper';
import { NotificationsRepository } from './notifications.repository';

type IngestResult = Schemas['IngestResult'];

const RESULT: Record<string, IngestResult['result']> = {
  open: 'opened',
  update: 'updated',
  close: 'closed',
  'record-close': 'recorded',
  'one-shot': 'recorded',
  duplicate: 'duplicate',
  stale: 'stale',
};

/** The notification lifecycle: every ingress hands its normalised signals here. */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly deliveries: DeliveryEnqueuer,
    private readonly metrics: MetricsService,
  ) {}

  /** Applies the signal and resolves only once the change (and its deliveries) is committed. */
  async ingest(signal: AlertSignal): Promise<IngestResult> {
    let outcome;
    try {
      outcome = await this.repository.apply(signal, (latest) => decide(latest, signal), new Date());
    } catch (error) {
      this.metrics.ingestRequests.inc({ source: signal.source, result: 'error' });
      throw error;
    }
    if (outcome.enqueued > 0) this.deliveries.committed();
    const result = RESULT[outcome.decision.kind];
    this.metrics.ingestRequests.inc({ source: signal.source, result });
    const line = `${signal.source}/${signal.sourceInstance} ${signal.externalId}: ${result}`;
    if (result === 'duplicate' || result === 'stale') this.logger.debug(line);
    else this.logger.log(`${line} (notification ${outcome.notificationId} revision ${outcome.revision})`);
    return { result, notificationId: outcome.notificationId, revision: outcome.revision };
  }

  async getNotification(id: string): Promise<Schemas['Notification']> {
    const entity = await this.repository.findById(id);
    if (!entity) throw new ApiError('not_found', `No notification ${id}`);
    return toNotification(entity);
  }

  async listNotificationEvents(id: string): Promise<Schemas['NotificationEventList']> {
    const entity = await this.repository.findById(id);
    if (!entity) throw new ApiError('not_found', `No notification ${id}`);
    const events = await this.repository.listEvents(id);
    return { items: events.map(toNotificationEvent) };
  }

  async listNotifications(query: {
    status?: 'open' | 'closed';
    source?: string;
    externalId?: string;
    limit: number;
    cursor?: string;
  }): Promise<Schemas['NotificationPage']> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.repository.list({ ...query, after, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toNotification),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }
}

// Cursors are opaque to clients: base64url of the (openedAt, id) of the last item returned.
function encodeCursor(n: NotificationEntity): string {
  return Buffer.from(JSON.stringify([n.openedAt.toISOString(), n.id])).toString('base64url');
}

function decodeCursor(cursor: string): { openedAt: Date; id: string } {
  const invalid = () =>
    new ApiError('bad_request', 'cursor is not valid', [
      { field: 'cursor', problem: 'must be a nextCursor returned by this API' },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [openedAt, id] = parsed as unknown[];
  const date = typeof openedAt === 'string' ? new Date(openedAt) : new Date(NaN);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !uuid.test(id)) throw invalid();
  return { openedAt: date, id };
}

function toNotificationEvent(e: NotificationEventEntity): Schemas['NotificationEvent'] {
  return {
    sequence: e.sequence,
    notificationId: e.notificationId,
    type: e.type,
    revision: e.revision,
    receivedAt: e.receivedAt.toISOString(),
    sourceTimestamp: e.sourceTime?.toISOString() ?? null,
    payload: e.payload,
    details: e.details,
  };
}
