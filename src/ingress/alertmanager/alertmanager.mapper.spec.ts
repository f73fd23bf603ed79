import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateAs } from '../../common/validation';
import { ALERTMANAGER_SEVERITIES } from '../../config/webhook-ingress.config';
import { AlertmanagerWebhookDto } from './alertmanager.dto';
import { AlertmanagerSeverity, hostOf, labelsFingerprint, toSignals } from './alertmanager.mapper';

const SEVERITY: AlertmanagerSeverity = { label: 'severity', map: ALERTMANAGER_SEVERITIES };
const LABELS = {
  alertname: 'NodeFilesystemAlmostFull',
  instance: 'db-7:9100',
  job: 'node',
  mountpoint: '/var',
  severity: 'critical',
};

function signals(body: Record<string, unknown>, severity = SEVERITY) {
  return toSignals(validateAs(AlertmanagerWebhookDto, body, ''), body, 'prom', severity);
}
const alert = (fields: Record<string, unknown> = {}) => ({ status: 'firing', labels: LABELS, ...fields });

describe('Alertmanager mapping', () => {
  it('computes the fingerprint Alertmanager sends for a label set', () => {
    // The fingerprint Alertmanager 0.25 sent with these labels (captured).
    assert.equal(labelsFingerprint(LABELS), '30c73b8e7f1054ab');
    assert.equal(labelsFingerprint({ ...LABELS, severity: 'warning' }) === '30c73b8e7f1054ab', false);
    // FNV-1a's offset basis: the empty label set.
    assert.equal(labelsFingerprint({}), 'cbf29ce484222325');
    // Order of the keys as sent does not matter.
    const reversed = Object.fromEntries(Object.entries(LABELS).reverse());
    assert.equal(labelsFingerprint(reversed), '30c73b8e7f1054ab');
  });

  it('reads the host from instance without its port, from a probed URL, or from host', () => {
    const cases: [Record<string, string>, string | null][] = [
      [{ instance: 'db-7:9100' }, 'db-7'],
      [{ instance: 'db-7' }, 'db-7'],
      [{ instance: '10.0.0.7:9100' }, '10.0.0.7'],
      [{ instance: '[2001:db8::7]:9100' }, '2001:db8::7'],
      [{ instance: '2001:db8::7' }, '2001:db8::7'],
      [{ instance: 'https://shop.example.org:8443/health' }, 'shop.example.org'],
      [{ instance: 'http://[2001:db8::7]/' }, '2001:db8::7'],
      [{ host: 'web-1' }, 'web-1'],
      [{ instance: ' ', host: 'web-1' }, 'web-1'],
      [{ alertname: 'Watchdog' }, null],
    ];
    for (const [labels, host] of cases) assert.equal(hostOf(labels), host, JSON.stringify(labels));
  });

  it('maps a firing alert: key, title, message, severity, host, tags, links, metadata, time', () => {
    const body = {
      receiver: 'relay',
      status: 'firing',
      version: '4',
      groupKey: '{}:{alertname="NodeFilesystemAlmostFull"}',
      externalURL: 'http://alertmanager.example.org:9093',
      alerts: [
        alert({
          annotations: {
            summary: 'Filesystem /var is full',
            description: 'Only 2.1% left.',
            runbook_url: 'https://rb.example.org/fs',
          },
          startsAt: '2026-12-01T23:20:39.785402954Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.example.org:9090/graph',
        }),
      ],
    };
    const [s] = signals(body);
    assert.deepEqual(
      { ...s, payload: undefined },
      {
        source: 'alertmanager',
        sourceInstance: 'prom',
        externalId: 'prom/30c73b8e7f1054ab',
        action: 'open',
        sourceTime: new Date('2026-12-01T23:20:39.785Z'),
        severity: 'critical',
        sourceState: 'firing',
        title: 'Filesystem /var is full',
        message: 'Only 2.1% left.',
        component: null,
        host: 'db-7',
        tags: [
          'alertname:NodeFilesystemAlmostFull',
          'instance:db-7:9100',
          'job:node',
          'mountpoint:/var',
          'severity:critical',
        ],
        metadata: {
          runbook_url: 'https://rb.example.org/fs',
          fingerprint: '30c73b8e7f1054ab',
          startsAt: '2026-12-01T23:20:39.785402954Z',
          receiver: 'relay',
          groupKey: '{}:{alertname="NodeFilesystemAlmostFull"}',
          version: '4',
        },
        links: [
          { rel: 'source', href: 'http://prometheus.example.org:9090/graph' },
          { rel: 'alertmanager', href: 'http://alertmanager.example.org:9093' },
          { rel: 'runbook', href: 'https://rb.example.org/fs' },
        ],
        closeReason: null,
        reopenAfterClose: true,
        oneShot: false,
        payload: undefined,
      },
    );
    // Each alert's event keeps the message as sent, with only its own alert.
    assert.deepEqual(s.payload, { ...body, alerts: [body.alerts[0]] });
  });

  it('closes on resolved, at endsAt, and maps each alert of a message on its own', () => {
    const out = signals({
      alerts: [
        alert({ status: 'resolved', startsAt: '2026-12-01T23:20:39Z', endsAt: '2026-12-01T23:25:00Z' }),
        alert({ labels: { alertname: 'Watchdog' }, fingerprint: 'abc' }),
        alert({ labels: {} }),
      ],
    });
    assert.deepEqual(
      out.map((s) => [s.externalId, s.action, s.sourceTime?.toISOString() ?? null, s.title, s.closeReason, s.severity]),
      [
        [
          'prom/30c73b8e7f1054ab',
          'close',
          '2026-12-01T23:25:00.000Z',
          'NodeFilesystemAlmostFull',
          'resolved',
          'critical',
        ],
        ['prom/abc', 'open', null, 'Watchdog', null, 'unknown'],
        ['prom/cbf29ce484222325', 'open', null, 'alert cbf29ce484222325', null, 'unknown'],
      ],
    );
  });

  it('maps severities through the configured label and map; anything else is unknown', () => {
    const severityOf = (labels: Record<string, string>, severity = SEVERITY) =>
      signals({ alerts: [alert({ labels })] }, severity)[0].severity;
    assert.equal(severityOf({ severity: 'WARNING' }), 'warning');
    assert.equal(severityOf({ severity: 'error' }), 'critical');
    assert.equal(severityOf({ severity: 'page' }), 'unknown');
    assert.equal(severityOf({ severity: 'constructor' }), 'unknown');
    const custom = { label: 'priority', map: { ...ALERTMANAGER_SEVERITIES, p1: 'critical' as const } };
    assert.equal(severityOf({ priority: 'P1', severity: 'info' }, custom), 'critical');
  });

  it("keeps Grafana's extras: its links, values, org and state; empty and non-http URLs are left out", () => {
    const [s] = signals({
      version: '1',
      orgId: 1,
      state: 'alerting',
      title: '[FIRING:1]  (blue)',
      externalURL: 'https://grafana.example.org/',
      alerts: [
        alert({
          labels: { alertname: 'High memory usage', team: 'blue' },
          annotations: { message: 'Memory above 90%' },
          silenceURL: 'https://grafana.example.org/alerting/silence/new',
          dashboardURL: '',
          panelURL: 'javascript:alert(1)',
          generatorURL: '/alerting/grafana/abc/view',
          values: { B: 44.2, C: 1 },
          valueString: "[ var='B' value=44.2 ]",
          ruleUID: 'abc',
        }),
      ],
    });
    assert.equal(s.message, 'Memory above 90%');
    assert.deepEqual(s.links, [
      { rel: 'grafana', href: 'https://grafana.example.org/' },
      { rel: 'silence', href: 'https://grafana.example.org/alerting/silence/new' },
    ]);
    assert.deepEqual(
      [s.metadata.orgId, s.metadata.state, s.metadata.groupTitle, s.metadata.values, s.metadata.ruleUID],
      ['1', 'alerting', '[FIRING:1]  (blue)', '{"B":44.2,"C":1}', 'abc'],
    );
    assert.equal(s.metadata.valueString, "[ var='B' value=44.2 ]");
  });
});
