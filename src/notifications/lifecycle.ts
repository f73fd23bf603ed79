import { AlertSignal } from '../domain/alert-signal';
import { NotificationStatus } from '../domain/notification';

/** The stored notification fields the lifecycle rules look at. */
export interface LifecycleState {
  status: NotificationStatus;
  sourceState: string;
  title: string;
  sourceTime: Date | null;
}

export type Decision =
  | { kind: 'open' }
  | { kind: 'update'; changed: string[] }
  | { kind: 'close' }
  /** A close for an id never seen: kept as a closed notification, not an error. */
  | { kind: 'record-close' }
  /** A one-shot message (`signal.oneShot`) seen for the first time: stored closed at revision 1. */
  | { kind: 'one-shot' }
  /** Nothing changed: only lastSeenAt/duplicateCount move. */
  | { kind: 'duplicate' }
  /** Older than what is stored: acknowledged, ignored. */
  | { kind: 'stale' };

/**
 * The lifecycle rules (docs/design-notes.md, "Lifecycle"), given the newest stored notification for the signal's
 * (source, externalId), or null when there is none.
 */
export function decide(latest: LifecycleState | null, signal: AlertSignal): Decision {
  // The same one-shot again (a sender's retry after a 451, the same mail sent twice) changes nothing.
  if (signal.oneShot) return latest === null ? { kind: 'one-shot' } : { kind: 'duplicate' };
  if (latest === null) return signal.action === 'open' ? { kind: 'open' } : { kind: 'record-close' };
  const older = isOlder(signal.sourceTime, latest.sourceTime);

  if (latest.status === 'closed') {
    if (signal.action === 'close') return older ? { kind: 'stale' } : { kind: 'duplicate' };
    // An open for a closed id: a new incident where ids are reused (Monasca ALARM after OK), as long as
    // it is newer than the close; otherwise a late retry of a message from before the close.
    const newer = isNewer(signal.sourceTime, latest.sourceTime);
    return signal.reopenAfterClose && newer ? { kind: 'open' } : { kind: 'stale' };
  }

  if (older) return { kind: 'stale' };
  if (signal.action === 'close') return { kind: 'close' };
  const changed: string[] = [];
  if (signal.sourceState !== latest.sourceState) changed.push('sourceState');
  if (signal.title !== latest.title) changed.push('title');
  return changed.length > 0 ? { kind: 'update', changed } : { kind: 'duplicate' };
}

function isOlder(incoming: Date | null, stored: Date | null): boolean {
  return incoming !== null && stored !== null && incoming.getTime() < stored.getTime();
}

// A message without a source time (mail) is ordered by arrival, i.e. by the per-id lock: it is newer
// than whatever is stored, and never stale.
function isNewer(incoming: Date | null, stored: Date | null): boolean {
  return incoming === null || stored === null || incoming.getTime() > stored.getTime();
}
