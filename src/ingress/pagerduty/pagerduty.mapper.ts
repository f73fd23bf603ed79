import { AlertSignal, alertSignal } from '../../domain/alert-signal';
import { LinkRef, Severity } from '../../domain/notification';
import { httpLinks, scopedId } from '../common/links';
import { parseTimestamp } from '../common/timestamps';
import { PAGERDUTY_SEVERITIES, PagerDutyEventDto, PagerDutySeverity } from './pagerduty.dto';

/** `ingress.pagerduty.severities`: each of PagerDuty's four severities as one of ours. */
export type PagerDutySeverityMap = Readonly<Record<PagerDutySeverity, Severity>>;

/**
 * A trigger or resolve as a lifecycle signal keyed by the routing key's name and `dedup_key`
 * (docs/sources.md, "PagerDuty Events API v2"): a trigger opens or updates (a change of summary or
 * severity is an update), a resolve closes, and a trigger after a resolve opens anew, as PagerDuty does.
 * A resolve's payload is optional and only what parses of it is used.
 */
export function toSignal(
  event: PagerDutyEventDto,
  raw: unknown,
  sourceInstance: string,
  dedupKey: string,
  severities: PagerDutySeverityMap,
): AlertSignal {
  if (event.event_action === 'acknowledge') throw new Error('an acknowledge is not a lifecycle signal');
  const payload: Record<string, unknown> =
    event.payload && typeof event.payload === 'object' ? { ...event.payload } : {};
  const text = (key: string) => {
    const value = payload[key];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const pdSeverity = PAGERDUTY_SEVERITIES.find((s) => s === payload.severity);
  const summary = text('summary');
  const client = nonBlank(event.client);
  const timestamp = text('timestamp');
  const parsed = timestamp === undefined ? undefined : parseTimestamp(timestamp);
  const resolve = event.event_action === 'resolve';
  const labels = { component: text('component'), group: text('group'), class: text('class'), client };
  const given = (entries: Record<string, string | undefined>) =>
    Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined);
  const metadata = Object.fromEntries([
    ...Object.entries(detailsOf(payload.custom_details)),
    ...given({ dedup_key: dedupKey, ...labels, timestamp }),
  ]);
  return alertSignal({
    source: 'pagerduty',
    sourceInstance,
    externalId: scopedId(sourceInstance, dedupKey),
    action: resolve ? 'close' : 'open',
    // The sender's time when it gives one with a zone (a late retry of an older trigger is then stale);
    // otherwise arrival order, which is all PagerDuty itself goes by.
    sourceTime: parsed?.kind === 'instant' ? parsed.date : null,
    severity: pdSeverity ? severities[pdSeverity] : 'unknown',
    sourceState: resolve ? 'resolved' : (pdSeverity ?? 'unknown'),
    title: summary ?? dedupKey,
    host: text('source') ?? null,
    component: labels.component ? { name: labels.component } : null,
    tags: given(labels).map(([k, v]) => `${k}:${v}`),
    metadata,
    links: linksOf(event),
    closeReason: resolve ? (summary ?? 'resolved') : null,
    reopenAfterClose: true,
    payload: raw,
  });
}

function nonBlank(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** custom_details, one metadata entry per top-level key (values that are not strings as JSON). */
function detailsOf(details: unknown): Record<string, string> {
  if (details === undefined || details === null) return {};
  if (typeof details !== 'object' || Array.isArray(details)) return { custom_details: JSON.stringify(details) };
  return Object.fromEntries(
    Object.entries(details as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

function linksOf(event: PagerDutyEventDto): LinkRef[] {
  return httpLinks([
    ...(event.links ?? []).map((l) => [nonBlank(l.text) ?? 'link', l.href] as const),
    ['client', event.client_url],
    ...(event.images ?? []).flatMap((i) => [
      ['image', i.src] as const,
      [nonBlank(i.alt) ?? 'image link', i.href] as const,
    ]),
  ]);
}
