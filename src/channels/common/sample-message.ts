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
