import { Inject, Injectable, Logger } from '@nestjs/common';
import { withinDeadline } from '../common/database-errors';
import { DATABASE_TARGET, DatabaseTarget, ingestDeadlineMs } from '../database/database-target';
import { ApiError } from '../common/api-error';
import { MetricsService } from '../metrics/metrics.service';
import { ListNotificationsQuery, Schemas } from '../common/api-types';
import { AlertSignal, MAX_EXTERNAL_ID_BYTES } from '../domain/alert-signal';
import { utf8Bytes } from '../common/max-bytes';
import { ChangeRepository } from './change.repository';
import { Decision } from './lifecycle';
import { LifecyclePlanner } from './lifecycle-planner';
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
  private readonly deadlineMs: number;

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly changes: ChangeRepository,
    private readonly planner: LifecyclePlanner,
    private readonly metrics: MetricsService,
    @Inject(DATABASE_TARGET) database: DatabaseTarget,
  ) {
    this.deadlineMs = ingestDeadlineMs(database);
  }

  /** Applies the signal and resolves only once the change (and its deliveries) is committed. */
  async ingest(signal: AlertSignal): Promise<IngestResult> {
    // Each ingress DTO names its own id field; this holds for any source that forgets to.
    if (utf8Bytes(signal.externalId) > MAX_EXTERNAL_ID_BYTES) {
      throw new ApiError('validation_failed', 'The source id is too long to be stored', [
        { field: 'externalId', problem: `must be at most ${MAX_EXTERNAL_ID_BYTES} bytes in UTF-8` },
      ]);
    }
    let change;
    try {
      // A database that stops answering gets the producer a 503 (SMTP 451) within this, whatever
      // step the change is waiting at (a transaction slot, a connection, a query).
      change = await withinDeadline(this.changes.apply(this.planner.request(signal, new Date())), this.deadlineMs);
    } catch (error) {
      this.metrics.ingestRequests.inc({ source: signal.source, result: 'error' });
      throw error;
    }
    const { decision, row } = change.step;
    const result = RESULT[decision.kind];
    const notificationId = row?.id ?? null;
    const revision = row?.revision ?? null;
    this.metrics.ingestRequests.inc({ source: signal.source, result });
    const line = `${signal.source}/${signal.sourceInstance} ${signal.externalId}: ${result}`;
    if (result === 'duplicate' || result === 'stale') this.logger.debug(line);
    else this.logger.log(`${line} (notification ${notificationId} revision ${revision})`);
    return { result, notificationId, revision };
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
