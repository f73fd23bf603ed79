import { logLine, RequestRef } from '../common/http-logger';
import type { RepeatBodyRef } from '../common/request-context';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { withinDeadline } from '../common/database-errors';
import { DATABASE_TARGET, DatabaseTarget, ingestDeadlineMs } from '../database/database-target';
import { ApiError } from '../common/api-error';
import { MetricsService } from '../metrics/metrics.service';
import { ErrorDetail, ListNotificationsQuery, Schemas } from '../common/api-types';
import { isUnstorableValue, UNSTORABLE_VALUE } from '../common/database-errors';
import { utf8Bytes } from '../common/max-bytes';
import { AlertSignal, MAX_EXTERNAL_ID_BYTES } from '../domain/alert-signal';
import { ChangeRepository, PlannedChange } from './change.repository';
import { Decision } from './lifecycle';
import { LifecyclePlanner } from './lifecycle-planner';
import { decodeListCursor, encodeListCursor } from './notification-cursor';
import { Holds } from '../silences/holds';
import { toApiNotification, toNotificationEvent } from './notification-mapper';
import { NotificationsRepository } from './notifications.repository';
import { RepeatFlusher } from './repeat-flusher';
import { RepeatLedger, RepeatOrigin } from './repeat-ledger';

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

// Signals of one request that share a transaction at most (see ingestAll).
export const MAX_PER_TRANSACTION = 500;

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
    private readonly holds: Holds,
    private readonly repeats: RepeatLedger,
    private readonly flusher: RepeatFlusher,
    @Inject(DATABASE_TARGET) database: DatabaseTarget,
  ) {
    this.deadlineMs = ingestDeadlineMs(database);
  }

  /**
   * Applies the signal and resolves only once the change (and its deliveries) is committed. A repeat of
   * a message this process committed, on a notification that has not changed since, is a duplicate
   * answered at once: only its lastSeenAt/duplicateCount are written, within a second (RepeatLedger).
   */
  async ingest(signal: AlertSignal, request?: RequestRef & RepeatBodyRef): Promise<IngestResult> {
    refuseLongIds([signal], () => 'externalId');
    const now = new Date();
    const repeat = this.repeats.answer(signal, now);
    const result = repeat
      ? this.result(signal, 'duplicate', repeat.id, repeat.revision, request)
      : await this.apply(signal, now, request);
    // A body is remembered once its message comes out a duplicate (most bodies never come again, and
    // remembering every one only churned the map).
    if (request?.repeatBody !== undefined && result.result === 'duplicate') {
      this.repeats.rememberBody(request.repeatBody, signal);
    }
    return result;
  }

  /** Whether `answerRepeatBody` can answer anything yet (no body is known at first). */
  get knowsRepeatBodies(): boolean {
    return this.repeats.knowsBodies;
  }

  /**
   * A webhook body this process has seen with the same credential, answered before it is validated and
   * mapped when its message would be answered from memory (`RepeatLedger.answerBody`); null: the
   * request goes on to its handler. `signal` maps the body, should the ledger need the message again.
   */
  answerRepeatBody(bodyKey: string, signal: () => AlertSignal, request?: RequestRef): IngestResult | null {
    const repeat = this.repeats.answerBody(bodyKey, signal, new Date());
    if (!repeat) return null;
    this.metrics.ingestRepeatBodies.inc({ source: repeat.origin.source });
    return this.result(repeat.origin, 'duplicate', repeat.id, repeat.revision, request);
  }

  private async apply(signal: AlertSignal, now: Date, request: RequestRef | undefined): Promise<IngestResult> {
    let change;
    try {
      // A database that stops answering gets the producer a 503 (SMTP 451) within this, whatever
      // step the change is waiting at (a transaction slot, a connection, a query).
      change = await withinDeadline(this.changes.apply(this.planner.request(signal, now)), this.deadlineMs);
    } catch (error) {
      this.metrics.ingestRequests.inc({ source: signal.source, result: 'error' });
      throw error;
    }
    return this.report(signal, change, request);
  }

  /**
   * Applies the signals of one request in one transaction (ChangeRepository.applyAll) and resolves with
   * each one's result, in order, once they are committed. A request of more than MAX_PER_TRANSACTION
   * signals takes one transaction per that many, one after the other (each lock is an entry in
   * PostgreSQL's shared lock table, which holds a few thousand: 20,000 in one transaction exhaust it).
   * A signal with a value PostgreSQL cannot store fails alone and the others are still stored (in a
   * transaction each): the answer is then a 400 that names each refused one (`fieldOf(index)`) and says
   * the rest were stored, since a retry would fail the same way. Any other failure (the database
   * unreachable) is thrown as is: a retry is the producer's to make, and what did commit comes back as
   * duplicates.
   */
  async ingestAll(
    signals: AlertSignal[],
    fieldOf: (index: number) => string,
    request?: RequestRef,
  ): Promise<IngestResult[]> {
    refuseLongIds(signals, fieldOf);
    const now = new Date();
    const outcomes: PromiseSettledResult<PlannedChange>[] = [];
    for (let start = 0; start < signals.length; start += MAX_PER_TRANSACTION) {
      const chunk = signals.slice(start, start + MAX_PER_TRANSACTION);
      const requests = chunk.map((signal) => this.planner.request(signal, now));
      outcomes.push(...(await withinDeadline(this.changes.applyAll(requests), this.deadlineMs)));
      // The database is gone: the rest would fail the same way.
      if (outcomes.some((o) => o.status === 'rejected' && !isUnstorableValue(o.reason))) break;
    }
    const results: IngestResult[] = [];
    const refused: ErrorDetail[] = [];
    let failure: { error: unknown } | undefined;
    outcomes.forEach((outcome, i) => {
      const signal = signals[i];
      if (outcome.status === 'fulfilled') {
        results.push(this.report(signal, outcome.value, request));
        return;
      }
      this.metrics.ingestRequests.inc({ source: signal.source, result: 'error' });
      if (isUnstorableValue(outcome.reason)) refused.push({ field: fieldOf(i), problem: `holds ${UNSTORABLE_VALUE}` });
      else failure ??= { error: outcome.reason };
    });
    if (failure) throw failure.error;
    if (refused.length > 0) {
      this.logger.warn(
        logLine(
          `${signals[0].source}: ${refused.length} of ${signals.length} refused (${refused.map((r) => r.field).join(', ')})`,
          request,
        ),
      );
      throw new ApiError(
        'bad_request',
        `${refused.length} of ${signals.length} could not be stored (each is named in details); the other ${signals.length - refused.length} were stored`,
        refused,
      );
    }
    return results;
  }

  /** Counts and logs a committed change, and says what became of it. */
  private report(signal: AlertSignal, change: PlannedChange, request: RequestRef | undefined): IngestResult {
    const { decision, row } = change.step;
    return this.result(signal, RESULT[decision.kind], row?.id ?? null, row?.revision ?? null, request);
  }

  private result(
    signal: RepeatOrigin,
    result: IngestResult['result'],
    notificationId: string | null,
    revision: number | null,
    request: RequestRef | undefined,
  ): IngestResult {
    this.metrics.ingestRequests.inc({ source: signal.source, result });
    const line = `${signal.source}/${signal.sourceInstance} ${signal.externalId}: ${result}`;
    if (result === 'duplicate' || result === 'stale') this.logger.debug(logLine(line, request));
    else this.logger.log(logLine(`${line} (notification ${notificationId} revision ${revision})`, request));
    return { result, notificationId, revision };
  }

  async getNotification(id: string): Promise<Schemas['Notification']> {
    await this.flusher.settle();
    const entity = await this.repository.findById(id);
    if (!entity) throw new ApiError('not_found', `No notification ${id}`);
    return toApiNotification(entity, this.holds);
  }

  async listNotificationEvents(id: string): Promise<Schemas['NotificationEventList']> {
    const entity = await this.repository.findById(id);
    if (!entity) throw new ApiError('not_found', `No notification ${id}`);
    const events = await this.repository.listEvents(id);
    return { items: events.map(toNotificationEvent) };
  }

  async listNotifications(query: NotificationFilters): Promise<Schemas['NotificationPage']> {
    await this.flusher.settle();
    const sort = query.sort ?? '-openedAt';
    const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, sort);
    const rows = await this.repository.list({
      status: query.status,
      source: query.source,
      severity: query.severity,
      tags: query.tag,
      externalId: query.externalId,
      host: query.host,
      q: query.q,
      openedAfter: dateOrUndefined(query.openedAfter),
      openedBefore: dateOrUndefined(query.openedBefore),
      updatedAfter: dateOrUndefined(query.updatedAfter),
      orderBy: sort === '-updatedAt' ? 'updatedAt' : 'openedAt',
      direction: sort === 'openedAt' ? 'ASC' : 'DESC',
      after,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((n) => toApiNotification(n, this.holds)),
      nextCursor:
        rows.length > query.limit && last
          ? encodeListCursor(sort, { at: sort === '-updatedAt' ? last.updatedAt : last.openedAt, id: last.id })
          : null,
    };
  }
}

function dateOrUndefined(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

/** Each ingress DTO limits its own id field; this holds for any source that forgets to (400, not 500). */
function refuseLongIds(signals: AlertSignal[], fieldOf: (index: number) => string): void {
  const problem = `must be at most ${MAX_EXTERNAL_ID_BYTES} bytes in UTF-8`;
  const long = signals.flatMap((s, i) => (utf8Bytes(s.externalId) > MAX_EXTERNAL_ID_BYTES ? [fieldOf(i)] : []));
  if (long.length > 0) {
    throw new ApiError(
      'validation_failed',
      'The source id is too long to be stored',
      long.map((field) => ({ field, problem })),
    );
  }
}
