import { Schemas } from '../common/api-types';
import { NotificationSnapshot } from '../domain/notification';
import { Holds } from '../silences/holds';
import { NotificationEventEntity } from './notification-event.entity';
import { NotificationEntity } from './notification.entity';

/** The stored notification, as deliveries carry it (the API adds `heldBy`). */
export function toNotification(n: NotificationEntity): NotificationSnapshot {
  return {
    id: n.id,
    source: n.source,
    sourceInstance: n.sourceInstance,
    externalId: n.externalId,
    status: n.status,
    severity: n.severity as Schemas['Severity'],
    sourceState: n.sourceState,
    title: n.title,
    message: n.message,
    component: n.component,
    host: n.host,
    tags: n.tags,
    metadata: n.metadata,
    links: n.links,
    revision: n.revision,
    openedAt: n.openedAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    closedAt: n.closedAt?.toISOString() ?? null,
    closeReason: n.closeReason,
    lastSeenAt: n.lastSeenAt.toISOString(),
    duplicateCount: n.duplicateCount,
    externalRefs: n.externalRefs,
    acknowledgement: n.acknowledgement,
    version: n.version,
  };
}

/** A notification as the API shows it: as stored, with what holds it back now. */
export function toApiNotification(n: NotificationEntity, holds: Holds): Schemas['Notification'] {
  return { ...toNotification(n), heldBy: holds.heldBy(n) };
}

export function toNotificationEvent(e: NotificationEventEntity): Schemas['NotificationEvent'] {
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
