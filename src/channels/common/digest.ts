import { MessageKind } from '../../domain/notification';
import { OutgoingMessage } from './channel';
import { truncate } from './render';
import { fitText, httpUrl, PLAIN, TextFormat } from './text-format';

// A digest: many notifications' changes told in one message (a grouping route, docs/noise-control.md).
// This is the model every channel lays out: the counts, one line per notification, and what did not fit.

/** One value of the group's key (`host` = `db-7`). */
export interface DigestLabel {
  key: string;
  value: string | null;
}

export interface DigestInput {
  /** The digest's stable id (`webhook-id`; `digestId` of each of its deliveries). */
  id: string;
  route: string;
  labels: DigestLabel[];
  /** Lines to list at most; the rest are counted. */
  maxItems: number;
  messages: readonly OutgoingMessage[];
}

/** One notification in a digest, as its newest change there tells it. */
export interface DigestLine {
  message: OutgoingMessage;
  kind: MessageKind;
  severity: string;
  /** The source's title. */
  title: string;
  /** Ours: `opened`, `updated`, `resolved`, `still open` (a reminder). */
  state: string;
  host: string | null;
  /** The first http(s) link the source gave, if any. */
  link: string | null;
}

export interface Digest {
  id: string;
  route: string;
  labels: DigestLabel[];
  /** Ours, safe in every format: `12 opened · 3 resolved`. */
  counts: string;
  countsByKind: Partial<Record<MessageKind, number>>;
  /** Notifications told (one line each). */
  total: number;
  /** Every line, the most urgent first: still open before resolved, then by severity, then newest. */
  lines: DigestLine[];
  maxItems: number;
  /** Where the lines that do not fit are listed. */
  moreHint: string;
  /** The worst severity of the lines not resolved; `resolved` when all are (colour, priority). */
  severity: string;
  /** False when the group is by host: the headline names it already. */
  showHost: boolean;
  /** Every change as it is delivered, in delivery order (webhooks carry them all). */
  messages: readonly OutgoingMessage[];
}

const STATE: Record<MessageKind, string> = {
  opened: 'opened',
  updated: 'updated',
  resolved: 'resolved',
  reminder: 'still open',
  test: 'test',
};
const KIND_ORDER: MessageKind[] = ['opened', 'updated', 'reminder', 'resolved', 'test'];
const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, unknown: 2, info: 3 };
const rank = (severity: string) => SEVERITY_RANK[severity] ?? 2;

export function buildDigest(input: DigestInput): Digest {
  // Supersede inside the digest: one line per notification, its newest change.
  const newest = new Map<string, OutgoingMessage>();
  for (const m of input.messages) {
    const seen = newest.get(m.notification.id);
    if (!seen || m.notification.revision > seen.notification.revision) newest.set(m.notification.id, m);
  }
  const lines = [...newest.values()].map(toLine).sort(byUrgency);
  const countsByKind: Partial<Record<MessageKind, number>> = {};
  for (const line of lines) countsByKind[line.kind] = (countsByKind[line.kind] ?? 0) + 1;
  const open = lines.filter((l) => l.kind !== 'resolved');
  return {
    id: input.id,
    route: input.route,
    labels: input.labels,
    counts: KIND_ORDER.filter((k) => countsByKind[k])
      .map((k) => `${countsByKind[k]} ${STATE[k]}`)
      .join(' · '),
    countsByKind,
    total: lines.length,
    lines,
    maxItems: input.maxItems,
    moreHint: `GET /api/v1/deliveries?digestId=${input.id}`,
    severity: open.length === 0 ? 'resolved' : open.map((l) => l.severity).sort((a, b) => rank(a) - rank(b))[0],
    showHost: !input.labels.some((l) => l.key === 'host'),
    messages: input.messages,
  };
}

function toLine(message: OutgoingMessage): DigestLine {
  const n = message.notification;
  const links = [...n.links.map((l) => l.href), ...(n.component?.link ? [n.component.link] : [])];
  return {
    message,
    kind: message.kind,
    severity: n.severity,
    title: n.title,
    state: STATE[message.kind],
    host: n.host,
    link: links.map(httpUrl).find((url) => url !== null) ?? null,
  };
}

function byUrgency(a: DigestLine, b: DigestLine): number {
  const resolved = Number(a.kind === 'resolved') - Number(b.kind === 'resolved');
  if (resolved !== 0) return resolved;
  const severity = rank(a.severity) - rank(b.severity);
  if (severity !== 0) return severity;
  return Date.parse(b.message.notification.updatedAt) - Date.parse(a.message.notification.updatedAt);
}

/** What the group's changes share, in `format`: `host db-7 · team Team A`, or the route's name. */
export function groupName(format: TextFormat, digest: Pick<Digest, 'labels' | 'route'>): string {
  if (digest.labels.length === 0) return `route ${format.text(digest.route)}`;
  return digest.labels
    .map(({ key, value }) => {
      if (key.startsWith('tag:')) return value === null ? `no ${format.text(key.slice(4))} tag` : format.text(value);
      const name = key.startsWith('metadata.') ? key.slice('metadata.'.length) : key;
      return value === null ? `no ${format.text(name)}` : `${format.text(name)} ${format.text(value)}`;
    })
    .join(' · ');
}

/** `12 opened · 3 resolved · host db-7` in `format`. */
export function digestHeadline(format: TextFormat, digest: Digest): string {
  return `${digest.counts} · ${groupName(format, digest)}`;
}

/** `… and 12 more: GET /api/v1/deliveries?digestId=…` (ours: safe in every format). */
export function moreLine(digest: Digest, more: number): string {
  return `… and ${more} more: ${digest.moreHint}`;
}

/**
 * The first lines (at most `maxItems`) that fit in `maxChars` together with the "… and N more" line
 * (`separator` between all of them): what a size-limited message lists. `rendered` holds every line of
 * the digest, in order, already in the channel's format.
 */
export function fitLines(
  digest: Digest,
  rendered: string[],
  maxChars: number,
  separator = '\n',
): { lines: string[]; more: string | null } {
  const joined = (lines: string[]) => lines.reduce((sum, l, i) => sum + length(l) + (i > 0 ? length(separator) : 0), 0);
  if (rendered.length <= digest.maxItems && joined(rendered) <= maxChars) return { lines: rendered, more: null };
  // Not all: keep room for the longest "more" line this digest can need.
  const room = maxChars - length(moreLine(digest, digest.total)) - length(separator);
  const lines: string[] = [];
  let used = 0;
  for (const line of rendered.slice(0, digest.maxItems)) {
    const cost = length(line) + (lines.length > 0 ? length(separator) : 0);
    if (used + cost > room) break;
    lines.push(line);
    used += cost;
  }
  const more = rendered.length - lines.length;
  return { lines, more: more > 0 ? moreLine(digest, more) : null };
}

/** Whole lines packed into blocks of at most `maxChars` (Slack's text blocks, Mattermost attachments). */
export function blocks(lines: string[], maxChars: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (current && length(next) > maxChars) {
      out.push(current);
      current = line;
    } else current = next;
  }
  if (current) out.push(current);
  return out;
}

/** How a format marks up a line: a bullet, strong text (our words only). */
export interface DigestLineStyle {
  bullet: string;
  strong(ours: string): string;
}

export const PLAIN_LINES: DigestLineStyle = { bullet: '', strong: (s) => s };

// A line stays short: a long title is cut, a very long link left out (the API has it).
const TITLE_MAX = 150;
const HOST_MAX = 60;
const LINK_MAX = 300;

/**
 * One line: `CRITICAL <title> — opened · db-7`, the title linked where the format has links (plain text
 * puts the URL last). The source's title and host are escaped for `format`.
 */
export function lineText(format: TextFormat, line: DigestLine, digest: Digest, style: DigestLineStyle): string {
  const link = line.link !== null && line.link.length <= LINK_MAX ? line.link : null;
  const plain = format === PLAIN;
  const title =
    link && !plain ? format.link(link, truncate(line.title, TITLE_MAX)) : fitText(format, line.title, TITLE_MAX);
  const facts = [line.state, ...(digest.showHost && line.host ? [fitText(format, line.host, HOST_MAX)] : [])];
  if (link && plain) facts.push(link);
  return `${style.bullet}${style.strong(line.severity.toUpperCase())} ${title} — ${facts.join(' · ')}`;
}

/** Plain text within `maxChars`: the headline (unless it goes elsewhere), the lines that fit, "… and N more". */
export function plainDigest(digest: Digest, maxChars: number, withHeadline = true): string {
  const headline = withHeadline ? [truncate(digestHeadline(PLAIN, digest), Math.min(maxChars, 500))] : [];
  const rendered = digest.lines.map((line) => lineText(PLAIN, line, digest, PLAIN_LINES));
  const room = maxChars - headline.reduce((sum, h) => sum + length(h) + 1, 0);
  const { lines, more } = fitLines(digest, rendered, room);
  return [...headline, ...lines, ...(more ? [more] : [])].join('\n');
}

const length = (text: string) => [...text].length;
