import { DeliveryKind, NotificationStatus } from '../domain/notification';

/**
 * One (notification, channel) pair with held deliveries, once nothing holds the notification any more:
 * the notification as it is now, and what the channel was told (its deliveries `delivered` or `pending`,
 * i.e. sent or on their way in order; dead, superseded and held ones told it nothing).
 */
export interface HeldPair {
  notificationId: string;
  channel: string;
  status: NotificationStatus;
  revision: number;
  heldIds: string[];
  /** Sequence of the newest held reminder, if a reminder came due while held. */
  heldReminderSequence: string | null;
  told: { id: string; sequence: string; revision: number } | null;
}

/** Send the notification's current state to the channel as `send`, or nothing (`releasedAs` told it). */
export type ReleaseDecision = { send: DeliveryKind } | { send: null; releasedAs: string | null };

/**
 * What the channel hears when a hold ends: an open notification's current state once (`opened` when the
 * channel never heard of it, `updated` when it changed since the channel last heard, a `reminder` when
 * one came due while held and nothing changed); a closed one's resolve when the channel was told it
 * opened and not yet that it closed. A notification that opened and closed while held stays quiet.
 */
export function decideRelease(pair: HeldPair): ReleaseDecision {
  const { told } = pair;
  if (pair.status === 'closed') {
    if (!told) return { send: null, releasedAs: null };
    return told.revision >= pair.revision ? { send: null, releasedAs: told.id } : { send: 'resolved' };
  }
  if (!told) return { send: 'opened' };
  if (told.revision < pair.revision) return { send: 'updated' };
  const reminderDue = pair.heldReminderSequence !== null && BigInt(pair.heldReminderSequence) > BigInt(told.sequence);
  return reminderDue ? { send: 'reminder' } : { send: null, releasedAs: told.id };
}
