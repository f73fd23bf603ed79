import { AlertSignal } from '../domain/alert-signal';
import { DeliveryKind, NotificationEventType, NotificationStatus } from '../domain/notification';
import { Decision } from './lifecycle';
import { createdState, LifecycleRow, nextState } from './notification-state';

/** What one decided lifecycle step writes, as data; the change repository turns it into SQL. */
export interface ChangeStep {
  decision: Decision;
  /** The row as the step leaves it (null while there still is none): the next step for the id starts here. */
  row: LifecycleRow | null;
  write:
    | { kind: 'insert'; row: LifecycleRow }
    | { kind: 'update'; row: LifecycleRow }
    /** A duplicate: only lastSeenAt, duplicateCount and version move. */
    | { kind: 'seen'; id: string; at: Date }
    | null;
  /** The event it records, with the message as received and the source's time. */
  event: {
    type: NotificationEventType;
    details: Record<string, unknown>;
    payload: unknown;
    sourceTime: Date | null;
    receivedAt: Date;
  } | null;
  /** The new revision is told to the channels as this kind; null when it is not told. */
  deliver: DeliveryKind | null;
}

/**
 * The step the lifecycle decided, planned on the newest stored row of the signal's id (`latest`).
 * `closeDetails` go into a close's event (who closed by hand). A close for an id never seen is recorded
 * but not delivered: nobody was told it opened.
 */
export function planStep(
  decision: Decision,
  signal: AlertSignal,
  latest: LifecycleRow | null,
  now: Date,
  newId: () => string,
  closeDetails: Record<string, unknown> = {},
): ChangeStep {
  // update, close and duplicate are only ever decided on an existing notification.
  const existing = (): LifecycleRow => {
    if (!latest) throw new Error(`lifecycle decided to ${decision.kind} a notification that does not exist`);
    return latest;
  };
  const created = (
    status: NotificationStatus,
    details: Record<string, unknown>,
    deliver: DeliveryKind | null,
  ): ChangeStep => {
    const row = createdState(newId(), signal, status, now);
    return {
      decision,
      row,
      write: { kind: 'insert', row },
      event: event(status === 'open' ? 'opened' : 'closed', details),
      deliver,
    };
  };
  const revised = (closing: boolean, details: Record<string, unknown>): ChangeStep => {
    const row = nextState(existing(), signal, closing, now);
    const recorded = event(closing ? 'closed' : 'updated', details);
    return {
      decision,
      row,
      write: { kind: 'update', row },
      event: recorded,
      deliver: closing ? 'resolved' : 'updated',
    };
  };
  const event = (type: NotificationEventType, details: Record<string, unknown>) => ({
    type,
    details,
    payload: signal.payload,
    sourceTime: signal.sourceTime,
    receivedAt: now,
  });
  switch (decision.kind) {
    case 'stale':
      return { decision, row: latest, write: null, event: null, deliver: null };
    case 'duplicate': {
      const row = existing();
      const seen = { ...row, lastSeenAt: now, duplicateCount: row.duplicateCount + 1, version: row.version + 1 };
      return { decision, row: seen, write: { kind: 'seen', id: row.id, at: now }, event: null, deliver: null };
    }
    case 'open':
      return created('open', {}, 'opened');
    case 'record-close':
      return created('closed', { note: 'close for an id that was never open' }, null);
    case 'one-shot':
      // Recorded closed, but people still need to see it once: delivered as an open.
      return created('closed', { note: 'one-shot: a message that opens nothing, recorded closed' }, 'opened');
    case 'update':
      return revised(false, { changed: decision.changed });
    case 'close':
      return revised(true, closeDetails);
  }
}
