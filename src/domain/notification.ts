import { Schemas } from '../common/api-types';

// The domain's vocabulary, taken from the OpenAPI spec (the source of truth) and listed once for
// validators and SQL. Every module imports these from here.

/**
 * A tuple of every member of the string union T, in the given order: the compiler refuses a list that
 * misses a member or names one that is not in T.
 */
function everyOf<T extends string>() {
  return <const L extends readonly T[]>(
    list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> }),
  ): L => list;
}

export type Severity = Schemas['Severity'];
export const SEVERITIES = everyOf<Severity>()(['critical', 'warning', 'info', 'unknown']);

export type NotificationStatus = Schemas['NotificationStatus'];
export const NOTIFICATION_STATUSES = everyOf<NotificationStatus>()(['open', 'closed']);

/** Why a delivery is sent: the change it tells of. */
export type DeliveryKind = Schemas['DeliveryKind'];
export const DELIVERY_KINDS = everyOf<DeliveryKind>()(['opened', 'updated', 'resolved', 'reminder']);

export type DeliveryStatus = Schemas['DeliveryStatus'];
export const DELIVERY_STATUSES = everyOf<DeliveryStatus>()([
  'pending',
  'delivered',
  'dead',
  'superseded',
  'held',
  'released',
]);

/** What a channel is asked to send: a delivery's kind, or a test message (`POST /channels/{name}/test`). */
export type MessageKind = DeliveryKind | 'test';

export type ComponentRef = Schemas['ComponentRef'];
export type LinkRef = Schemas['Link'];
export type ExternalRef = Schemas['ExternalRef'];
export type Acknowledgement = Schemas['Acknowledgement'];

/**
 * A notification as a delivery carries it (as of its revision); the API shows it with `heldBy`, which
 * is computed when read.
 */
export type NotificationSnapshot = Omit<Schemas['Notification'], 'heldBy'>;

/** A silence or a maintenance window that holds back a notification's deliveries. */
export type HoldRef = Schemas['Hold'];

/** What held a delivery, and how the hold ended (`deliveries.hold`). */
export type DeliveryHold = Schemas['DeliveryHold'];

/** What an event of a notification's history records. */
export type NotificationEventType = Schemas['NotificationEvent']['type'];
