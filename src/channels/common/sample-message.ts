import { MessageKind, NotificationSnapshot } from '../../domain/notification';
import { OutgoingMessage } from './channel';
import { testNotification } from './render';

// A critical notification with a link, for the channels' unit tests: one fixture, every format.

export function sampleNotification(overrides: Partial<NotificationSnapshot> = {}): NotificationSnapshot {
  return {
    ...testNotification(new Date('2026-01-01T00:00:00Z')),
    severity: 'critical',
    title: 'Server be_app/web1 is DOWN',
    host: 'be_app/web1',
    links: [{ rel: 'monitor', href: 'https://example.com/m/1' }],
    ...overrides,
  };
}

export function sampleMessage(
  kind: MessageKind = 'opened',
  overrides: Partial<NotificationSnapshot> = {},
): OutgoingMessage {
  return { id: 'd', kind, notification: sampleNotification(overrides) };
}

let next = 0;
/** For digests: a change of a notification of its own (or `id`), updated `minute` minutes past midnight. */
export function sampleChange(
  kind: MessageKind,
  severity: string,
  title: string,
  more: { id?: string; revision?: number; minute?: number; host?: string | null } = {},
): OutgoingMessage {
  const id = more.id ?? `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
  const at = `2026-01-01T00:${String(more.minute ?? 0).padStart(2, '0')}:00.000Z`;
  return {
    ...sampleMessage(kind, {
      id,
      severity: severity as 'critical',
      title,
      revision: more.revision ?? 1,
      updatedAt: at,
      host: more.host === undefined ? 'db-7' : more.host,
    }),
    id: `delivery-${next}-${kind}`,
  };
}
