import { AlertSignal } from '../domain/alert-signal';
import { NotificationEntity } from './notification.entity';
import { NotificationStatus } from '../domain/notification';

/** The columns a lifecycle step writes; acknowledgement and external refs belong to the API. */
export type LifecycleRow = Omit<NotificationEntity, 'acknowledgement' | 'externalRefs'>;

/** A notification as a signal first creates it: open, or closed from the start (record-close, one-shot). */
export function createdState(id: string, signal: AlertSignal, status: NotificationStatus, now: Date): LifecycleRow {
  const closed = status === 'closed';
  return {
    id,
    source: signal.source,
    sourceInstance: signal.sourceInstance,
    externalId: signal.externalId,
    status,
    severity: signal.severity,
    sourceState: signal.sourceState,
    title: signal.title,
    message: signal.message,
    component: signal.component,
    host: signal.host,
    tags: signal.tags,
    metadata: signal.metadata,
    links: signal.links,
    revision: 1,
    openedAt: now,
    updatedAt: now,
    closedAt: closed ? now : null,
    closeReason: closed ? signal.closeReason : null,
    lastSeenAt: now,
    duplicateCount: 0,
    sourceTime: signal.sourceTime,
    version: 1,
  };
}

/**
 * The next revision of an open notification: an update refreshes everything the source said; a close
 * (StackState's says little beyond its reason) keeps what the open said and records why it closed.
 */
export function nextState(current: LifecycleRow, signal: AlertSignal, closing: boolean, now: Date): LifecycleRow {
  const common = {
    ...current,
    revision: current.revision + 1,
    version: current.version + 1,
    updatedAt: now,
    lastSeenAt: now,
    sourceTime: latest(current.sourceTime, signal.sourceTime),
    sourceState: signal.sourceState,
    component: signal.component ?? current.component,
    host: signal.host ?? current.host,
  };
  if (closing) {
    return {
      ...common,
      status: 'closed',
      closedAt: now,
      closeReason: signal.closeReason,
      message: signal.message ?? current.message,
    };
  }
  return {
    ...common,
    severity: signal.severity,
    title: signal.title,
    message: signal.message,
    tags: signal.tags,
    metadata: signal.metadata,
    links: signal.links,
  };
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
