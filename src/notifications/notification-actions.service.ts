import { logLine, RequestRef } from '../common/http-logger';
import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { AcknowledgeRequest, CloseRequest, ExternalRefInput, Schemas, UnacknowledgeRequest } from '../common/api-types';
import { etagMatches } from '../common/etag';
import { alertSignal } from '../domain/alert-signal';
import { Severity } from '../domain/notification';
import { ChangeRepository, FieldsChange } from './change.repository';
import { LifecyclePlanner } from './lifecycle-planner';
import { Holds } from '../silences/holds';
import { toApiNotification } from './notification-mapper';
import { NotificationEntity } from './notification.entity';
import { NotificationsRepository } from './notifications.repository';

/** Who asks for a write: the API key's name, and its If-Match header if any. */
export interface WriteContext {
  apiKeyName: string;
  ifMatch?: string;
  /** The request, named on the change's log line. */
  request?: RequestRef;
}

/** What integrations do to a notification through the API: acknowledge, link a ticket, close by hand. */
@Injectable()
export class NotificationActionsService {
  private readonly logger = new Logger(NotificationActionsService.name);

  constructor(
    private readonly repository: NotificationsRepository,
    private readonly changes: ChangeRepository,
    private readonly planner: LifecyclePlanner,
    private readonly holds: Holds,
  ) {}

  putExternalRef(
    id: string,
    system: string,
    input: ExternalRefInput,
    context: WriteContext,
  ): Promise<Schemas['Notification']> {
    return this.change(id, context, `linked ${system} ${input.id}`, (current) => {
      const ref = { system, id: input.id, ...(input.url === undefined ? {} : { url: input.url }) };
      const previous = current.externalRefs.find((r) => r.system === system);
      if (previous && previous.id === ref.id && previous.url === ref.url) return null;
      return {
        acknowledgement: current.acknowledgement,
        externalRefs: [...current.externalRefs.filter((r) => r.system !== system), ref],
        event: {
          type: 'ticket_linked',
          payload: input,
          details: { ...ref, by: context.apiKeyName, ...(previous ? { previous } : {}) },
        },
      };
    });
  }

  acknowledge(id: string, input: AcknowledgeRequest, context: WriteContext): Promise<Schemas['Notification']> {
    return this.change(id, context, `acknowledged by ${input.by}`, (current, now) =>
      acknowledged(current, input.by, input.reason ?? null, now, input, { apiKey: context.apiKeyName }),
    );
  }

  /**
   * A source's own acknowledge (PagerDuty's `acknowledge`): the open notification of (source,
   * externalId) is acknowledged as the API's acknowledge does it, unless it already is (the first one
   * stands, as in PagerDuty). `payload` is the message as received. Resolves to what it did: `none` when
   * there is no open notification, `unchanged` when it was already acknowledged.
   */
  async acknowledgeOpen(
    source: string,
    externalId: string,
    input: { by: string; reason: string | null },
    payload: unknown,
    details: Record<string, unknown>,
    request?: RequestRef,
  ): Promise<'acknowledged' | 'unchanged' | 'none'> {
    const open = await this.repository.findOpen(source, externalId);
    if (!open) return 'none';
    const now = new Date();
    let changed = false;
    // Under the id's lock: it may have closed (or been acknowledged) since it was read.
    const found = await this.changes.changeFields(open.id, now, (current) => {
      if (current.status !== 'open' || current.acknowledgement) return null;
      changed = true;
      return acknowledged(current, input.by, input.reason, now, payload, details);
    });
    if (!found) return 'none';
    if (!changed) return 'unchanged';
    this.logger.log(logLine(`notification ${open.id} acknowledged by ${input.by} (${source})`, request));
    return 'acknowledged';
  }

  unacknowledge(id: string, input: UnacknowledgeRequest, context: WriteContext): Promise<Schemas['Notification']> {
    return this.change(id, context, `unacknowledged by ${input.by}`, (current) => {
      if (!current.acknowledgement) throw new ApiError('conflict', `Notification ${id} is not acknowledged`);
      return {
        acknowledgement: null,
        externalRefs: current.externalRefs,
        event: {
          type: 'unacknowledged',
          payload: input,
          details: {
            by: input.by,
            reason: input.reason ?? null,
            previous: current.acknowledgement,
            apiKey: context.apiKeyName,
          },
        },
      };
    });
  }

  /**
   * Closes by hand through the lifecycle's own transaction (ChangeRepository.apply), so the close
   * is a new revision and is delivered exactly like a close from the source.
   */
  async close(id: string, input: CloseRequest, context: WriteContext): Promise<Schemas['Notification']> {
    const current = await this.repository.findById(id);
    if (!current) throw new ApiError('not_found', `No notification ${id}`);
    const by = input.by ?? context.apiKeyName;
    const signal = alertSignal({
      source: current.source,
      sourceInstance: current.sourceInstance,
      externalId: current.externalId,
      action: 'close',
      severity: current.severity as Severity,
      sourceState: current.sourceState,
      title: current.title,
      tags: current.tags,
      metadata: current.metadata,
      links: current.links,
      closeReason: input.reason,
      payload: input,
    });
    const change = await this.changes.apply(
      this.planner.request(signal, new Date(), {
        notificationId: id,
        decide: () => ({ kind: 'close' }),
        closeDetails: { manual: true, by, apiKey: context.apiKeyName },
        precheck: (row) => {
          if (!row) throw new ApiError('not_found', `No notification ${id}`);
          checkIfMatch(id, context, row.version);
          if (row.status !== 'open') throw new ApiError('conflict', `Notification ${id} is already closed`);
        },
      }),
    );
    this.logger.log(
      logLine(`notification ${id} closed by hand by ${by} (revision ${change.step.row?.revision})`, context.request),
    );
    return this.read(id);
  }

  private async change(
    id: string,
    context: WriteContext,
    what: string,
    change: (current: NotificationEntity, now: Date) => FieldsChange | null,
  ): Promise<Schemas['Notification']> {
    const now = new Date();
    let changed = false;
    const found = await this.changes.changeFields(id, now, (current) => {
      checkIfMatch(id, context, current.version);
      const next = change(current, now);
      changed = next !== null;
      return next;
    });
    if (!found) throw new ApiError('not_found', `No notification ${id}`);
    if (changed)
      this.logger.log(logLine(`notification ${id} ${what} (API key ${context.apiKeyName})`, context.request));
    return this.read(id);
  }

  private async read(id: string): Promise<Schemas['Notification']> {
    const entity = await this.repository.findById(id);
    if (!entity) throw new ApiError('not_found', `No notification ${id}`);
    return toApiNotification(entity, this.holds);
  }
}

/** The change that acknowledges a notification, and its event (with `details` of who asked). */
function acknowledged(
  current: NotificationEntity,
  by: string,
  reason: string | null,
  now: Date,
  payload: unknown,
  details: Record<string, unknown>,
): FieldsChange {
  const acknowledgement = { by, reason, at: now.toISOString() };
  return {
    acknowledgement,
    externalRefs: current.externalRefs,
    event: { type: 'acknowledged', payload, details: { ...acknowledgement, ...details } },
  };
}

function checkIfMatch(id: string, context: WriteContext, version: number): void {
  if (context.ifMatch !== undefined && !etagMatches(context.ifMatch, version)) {
    throw new ApiError(
      'precondition_failed',
      `Notification ${id} changed since that ETag (If-Match ${context.ifMatch}; current version ${version}); read it again`,
    );
  }
}
