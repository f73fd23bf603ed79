import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { MetricsService } from '../metrics/metrics.service';
import { ListNotificationsQuery, Schemas } from '../common/api-types';
import { AlertSignal } from '../domain/alert-signal';
import { ChangeNotifier } from './change-notifier';
import { decide, Decision } from './lifecycle';
import { decodeListCursor, encodeListCursor } from './notification-cursor';
import { toNotification, toNotificationEvent } from './notification-mapper';
import { NotificationsRepository } from './notifications.repository';

type IngestResult = Schemas['IngestResult'];

const RESULT: Record<Decision['kind'], IngestResult['result']> = {
  open: 'opened',
  update: 'updated',
  close: 'closed',
  'record-close': 'recorded',
  'one-shot': 'recorded',
  duplicate: 'duplicate',
  stale: 'stale',
};

/** The list query as the spec defines it; the controller's DTO has already defaulted `limit`. */
export type NotificationFilters = ListNotificationsQuery & { limit: number };

/** The notification lifecycle: every ingress hands its normalised signals here. */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly metrics: MetricsService,
    private readonly changes: ChangeNotifier,
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
    const result = RESULT[outcome.decision.kind];
    this.metrics.ingestRequests.inc({ source: signal.source, result });
    const line = `${signal.source}/${signal.sourceInstance} ${signal.externalId}: ${result}`;
    if (result === 'duplicate' || result === 'stale') this.logger.debug(line);
    else {
      this.changes.committed();
      this.logger.log(`${line} (notification ${outcome.notificationId} revision ${outcome.revision})`);
    }
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

  async listNotifications(query: NotificationFilters): Promise<Schemas['NotificationPage']> {
    const sort = query.sort ?? '-openedAt';
    const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, sort);
    const rows = await this.repository.list({
      status: query.status,
      source: query.source,
      severity: query.severity,
      tags: query.tag,
      externalId: query.externalId,
      q: query.q,
      openedAfter: dateOrUndefined(query.openedAfter),
      openedBefore: dateOrUndefined(query.openedBefore),
      updatedAfter: dateOrUndefined(query.updatedAfter),
      direction: sort === '-openedAt' ? 'DESC' : 'ASC',
      after,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toNotification),
      nextCursor: rows.length > query.limit && last ? encodeListCursor(sort, last) : null,
    };
  }
}

function dateOrUndefined(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}
