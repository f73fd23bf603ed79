import { MessageKind, NotificationSnapshot } from '../../domain/notification';

// The words every channel uses for a notification change; each channel lays them out in its own format
// and within its own limits.

export interface RenderedMessage {
  kind: MessageKind;
  severity: string;
  /** Ours: `CRITICAL`, `CRITICAL · UPDATED`, `RESOLVED`, … */
  label: string;
  /** The source's title. */
  title: string;
  /** One line, `[label] title`: `[CRITICAL] High CPU on web-01`, `[RESOLVED] …`. */
  headline: string;
  /** `key: value` facts in a fixed order. */
  fields: { label: string; value: string }[];
  /** The source's own text, when it gave one. */
  body: string | null;
  links: { title: string; url: string }[];
}

const LABEL: Record<MessageKind, (severity: string) => string> = {
  opened: (s) => s.toUpperCase(),
  updated: (s) => `${s.toUpperCase()} · UPDATED`,
  resolved: () => 'RESOLVED',
  reminder: (s) => `REMINDER · ${s.toUpperCase()}`,
  test: () => 'TEST',
};

export function render(kind: MessageKind, n: NotificationSnapshot): RenderedMessage {
  const fields: { label: string; value: string }[] = [];
  const add = (label: string, value: string | null | undefined) => {
    if (value) fields.push({ label, value });
  };
  add('Source', `${n.source}/${n.sourceInstance}`);
  add('Host', n.host);
  add('State', n.sourceState);
  if (kind === 'resolved') add('Reason', n.closeReason);
  add('Opened', n.openedAt);
  if (kind === 'resolved') add('Closed', n.closedAt);
  add('Tags', n.tags.length > 0 ? n.tags.join(', ') : null);
  for (const [key, value] of Object.entries(n.metadata)) add(key, String(value));
  add('Id', `${n.externalId} (revision ${n.revision})`);
  const links = [
    ...n.links.map((l) => ({ title: l.rel, url: l.href })),
    ...(n.component?.link && !n.links.some((l) => l.href === n.component?.link)
      ? [{ title: 'component', url: n.component.link }]
      : []),
  ];
  const label = LABEL[kind](n.severity);
  return {
    kind,
    severity: n.severity,
    label,
    title: n.title,
    headline: `[${label}] ${n.title}`,
    fields,
    body: n.message,
    links,
  };
}

/** Plain text: headline, body, fields, links; cut to `max` characters. */
export function plainText(m: RenderedMessage, max = Infinity, withHeadline = true): string {
  const lines = [
    ...(withHeadline ? [m.headline] : []),
    ...(m.body ? [m.body] : []),
    ...m.fields.map((f) => `${f.label}: ${f.value}`),
    ...m.links.map((l) => `${l.title}: ${l.url}`),
  ];
  return truncate(lines.join('\n'), max);
}

/** Cuts to at most `max` characters (code points), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (!Number.isFinite(max)) return text;
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

export const SEVERITY_COLOR: Record<string, string> = {
  critical: '#d00000',
  warning: '#f2a900',
  info: '#2f7ed8',
  unknown: '#808080',
  resolved: '#2eb67d',
};

export function colorOf(m: RenderedMessage): string {
  return m.kind === 'resolved' ? SEVERITY_COLOR.resolved : (SEVERITY_COLOR[m.severity] ?? SEVERITY_COLOR.unknown);
}

/** A test message for `POST /channels/{name}/test`. */
export function testNotification(now: Date): NotificationSnapshot {
  const at = now.toISOString();
  return {
    id: '00000000-0000-4000-8000-000000000000',
    source: 'alert-relay',
    sourceInstance: 'test',
    externalId: 'channel-test',
    status: 'open',
    severity: 'info',
    sourceState: 'TEST',
    title: 'Alert Relay test message',
    message: 'If you can read this, the channel works.',
    component: null,
    host: null,
    tags: [],
    metadata: {},
    links: [],
    revision: 1,
    openedAt: at,
    updatedAt: at,
    closedAt: null,
    closeReason: null,
    lastSeenAt: at,
    duplicateCount: 0,
    externalRefs: [],
    acknowledgement: null,
    version: 1,
  };
}
