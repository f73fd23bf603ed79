import { ComponentRef, LinkRef, Severity } from './notification';

/**
 * The longest source id, in bytes of UTF-8: with the source and the open time it must fit one btree
 * index row of PostgreSQL (about 2.7 kB). Ingress DTOs refuse longer ids with a 400 naming the field.
 */
export const MAX_EXTERNAL_ID_BYTES = 1000;

/** What a source message asks of its notification. */
export const SIGNAL_ACTIONS = ['open', 'close'] as const;
export type SignalAction = (typeof SIGNAL_ACTIONS)[number];

/** What an ingress hands to the lifecycle: one source message, normalised. */
export interface AlertSignal {
  source: string;
  /** Name of the configured token/key/rule the message came in with. */
  sourceInstance: string;
  externalId: string;
  action: SignalAction;
  /** When the source says the change happened; `null` when it does not say (StackState close, mail). */
  sourceTime: Date | null;
  severity: Severity;
  sourceState: string;
  title: string;
  message: string | null;
  component: ComponentRef | null;
  host: string | null;
  tags: string[];
  metadata: Record<string, string>;
  links: LinkRef[];
  closeReason: string | null;
  /**
   * Whether an `open` after a close starts a new notification with the same id (Monasca, HAProxy), or
   * the id is finished for good (StackState: a close is the last use of a notificationId).
   */
  reopenAfterClose: boolean;
  /**
   * A message that opens nothing and that nothing will close (mail no rule matches): stored as a
   * notification that is closed from the start, once per externalId. `action` is then `close`.
   */
  oneShot: boolean;
  /** The message as received, kept in the event. */
  payload: unknown;
}

/** The fields every source must say; the rest default to "not said". */
export type SignalFields = Pick<
  AlertSignal,
  'source' | 'sourceInstance' | 'externalId' | 'action' | 'severity' | 'sourceState' | 'title' | 'payload'
> &
  Partial<AlertSignal>;

/**
 * A signal from what the source said: absent fields are null, empty, or false. Every signal has the
 * same properties in the same order, whatever its source said: the lifecycle's code that reads them
 * sees one object shape (spreading each source's own set of fields made one shape per source and
 * action, and the property reads after it polymorphic).
 */
export function alertSignal(fields: SignalFields): AlertSignal {
  return {
    source: fields.source,
    sourceInstance: fields.sourceInstance,
    externalId: fields.externalId,
    action: fields.action,
    sourceTime: fields.sourceTime ?? null,
    severity: fields.severity,
    sourceState: fields.sourceState,
    title: fields.title,
    message: fields.message ?? null,
    component: fields.component ?? null,
    host: fields.host ?? null,
    tags: fields.tags ?? [],
    metadata: fields.metadata ?? {},
    links: fields.links ?? [],
    closeReason: fields.closeReason ?? null,
    reopenAfterClose: fields.reopenAfterClose ?? false,
    oneShot: fields.oneShot ?? false,
    payload: fields.payload,
  };
}
