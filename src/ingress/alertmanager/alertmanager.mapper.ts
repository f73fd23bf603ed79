import { AlertSignal, alertSignal } from '../../domain/alert-signal';
import { LinkRef, Severity } from '../../domain/notification';
import { httpLinks, scopedId } from '../common/links';
import { instantOrZero } from '../common/timestamps';
import { AlertmanagerAlertDto, AlertmanagerWebhookDto } from './alertmanager.dto';

/** What the config says about reading an alert's severity (ingress.alertmanager). */
export interface AlertmanagerSeverity {
  label: string;
  /** Label value in lower case -> severity; any other value is `unknown`. */
  map: Readonly<Record<string, Severity>>;
}

// Annotations that become the title and message rather than metadata.
const TEXT_ANNOTATIONS = new Set(['summary', 'description', 'message']);

/**
 * Every alert of an Alertmanager (or Grafana) webhook message as its own lifecycle signal, in order
 * (docs/sources.md, "Alertmanager"). Keyed by the key name and the alert's fingerprint, so that unrelated
 * Alertmanagers sending the same label set (`alertname="Watchdog"`) keep apart, while an HA pair sharing
 * a key merges. `firing` opens or updates, `resolved` closes; after a close, the same labels firing again
 * open a new notification.
 */
export function toSignals(
  body: AlertmanagerWebhookDto,
  raw: unknown,
  sourceInstance: string,
  severity: AlertmanagerSeverity,
): AlertSignal[] {
  const rawAlerts = (raw as { alerts?: unknown[] }).alerts ?? [];
  return body.alerts.map((alert, i) =>
    toSignal(body, alert, { ...(raw as object), alerts: [rawAlerts[i]] }, sourceInstance, severity),
  );
}

function toSignal(
  body: AlertmanagerWebhookDto,
  alert: AlertmanagerAlertDto,
  payload: unknown,
  sourceInstance: string,
  severity: AlertmanagerSeverity,
): AlertSignal {
  const { labels } = alert;
  const annotations = alert.annotations ?? {};
  const fingerprint = alert.fingerprint ?? labelsFingerprint(labels);
  const resolved = alert.status === 'resolved';
  const grafana = body.version === '1' || body.orgId !== undefined;
  const text = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value : undefined);
  return alertSignal({
    source: 'alertmanager',
    sourceInstance,
    externalId: scopedId(sourceInstance, fingerprint),
    action: resolved ? 'close' : 'open',
    // The firing alert's start, or when it ended: a firing repeat delayed past the resolve is then older.
    sourceTime: (resolved ? time(alert.endsAt) : time(alert.startsAt)) ?? null,
    severity: severityOf(labels[severity.label], severity.map),
    sourceState: alert.status,
    title: text(annotations.summary) ?? text(labels.alertname) ?? `alert ${fingerprint}`,
    message: text(annotations.description) ?? text(annotations.message) ?? null,
    host: hostOf(labels),
    tags: Object.entries(labels)
      .map(([k, v]) => `${k}:${v}`)
      .sort(),
    metadata: metadataOf(body, alert, annotations, fingerprint),
    links: linksOf(body, alert, annotations, grafana),
    closeReason: resolved ? 'resolved' : null,
    reopenAfterClose: true,
    payload,
  });
}

/** The label's value (any letter case) through the map; own keys only (`constructor` is no severity). */
function severityOf(value: string | undefined, map: Readonly<Record<string, Severity>>): Severity {
  const key = value?.toLowerCase();
  return key !== undefined && Object.hasOwn(map, key) ? map[key] : 'unknown';
}

function time(value: string | undefined): Date | null | undefined {
  return value === undefined ? undefined : instantOrZero(value);
}

function metadataOf(
  body: AlertmanagerWebhookDto,
  alert: AlertmanagerAlertDto,
  annotations: Record<string, string>,
  fingerprint: string,
): Record<string, string> {
  const own: Record<string, string | number | undefined | null> = {
    fingerprint,
    startsAt: alert.startsAt,
    endsAt: time(alert.endsAt) ? alert.endsAt : undefined,
    receiver: body.receiver,
    groupKey: body.groupKey,
    version: body.version,
    notificationReason: body.notification_reason,
    truncatedAlerts: body.truncatedAlerts || undefined,
    // Grafana's extras.
    orgId: alert.orgId ?? body.orgId,
    state: body.state,
    groupTitle: body.title,
    ruleUID: alert.ruleUID,
    valueString: alert.valueString || undefined,
    values: alert.values ? JSON.stringify(alert.values) : undefined,
  };
  // Entries, not assignments: an annotation named `__proto__` is just a key.
  return Object.fromEntries([
    ...Object.entries(annotations).filter(([k]) => !TEXT_ANNOTATIONS.has(k)),
    ...Object.entries(own)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)]),
  ]) as Record<string, string>;
}

function linksOf(
  body: AlertmanagerWebhookDto,
  alert: AlertmanagerAlertDto,
  annotations: Record<string, string>,
  grafana: boolean,
): LinkRef[] {
  return httpLinks([
    ['source', alert.generatorURL],
    [grafana ? 'grafana' : 'alertmanager', body.externalURL],
    ['runbook', annotations.runbook_url],
    ['silence', alert.silenceURL],
    ['dashboard', alert.dashboardURL],
    ['panel', alert.panelURL],
    ['image', alert.imageURL],
  ]);
}

/**
 * The host an alert is about: the `instance` label without its port (or the host of a URL, as blackbox
 * probes have), else the `host` label.
 */
export function hostOf(labels: Record<string, string>): string | null {
  const instance = labels.instance?.trim();
  if (instance) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(instance)) {
      try {
        const hostname = new URL(instance).hostname;
        if (hostname) return hostname.replace(/^\[(.*)\]$/, '$1');
      } catch {
        // Not a URL after all: read it as host[:port].
      }
    }
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(instance);
    if (bracketed) return bracketed[1];
    // One colon and digits after it is a port; more colons is a bare IPv6 address.
    const withPort = /^([^:]+):\d+$/.exec(instance);
    return withPort ? withPort[1] : instance;
  }
  return labels.host?.trim() || null;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * The fingerprint Alertmanager sends for a label set (prometheus/common model.LabelSet.Fingerprint):
 * FNV-1a 64 over the label names in byte order, each as `name 0xFF value 0xFF`, as 16 hex digits.
 */
export function labelsFingerprint(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let hash = FNV_OFFSET;
  const add = (bytes: Iterable<number>) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  };
  for (const name of names) {
    add(Buffer.from(name));
    add([0xff]);
    add(Buffer.from(labels[name]));
    add([0xff]);
  }
  return hash.toString(16).padStart(16, '0');
}
