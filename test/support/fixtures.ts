import { randomUUID } from 'node:crypto';

/** StackState's documented open message (docs/sources.md, "StackState"), with a fresh notificationId. */
export function stackStateOpen(
  overrides: { notificationId?: string; state?: string; title?: string; triggeredTimeMs?: number } = {},
) {
  return {
    component: {
      identifier: 'urn:kubernetes:/k8s-demo-cluster:sock-shop:service/catalogue',
      link: 'https://play.stackstate.com/#/components/urn%3Akubernetes%3A%2Fk8s-demo-cluster%3Asock-shop%3Aservice%2Fcatalogue',
      name: 'catalogue',
      tags: [
        'app.kubernetes.io/component:catalogue',
        'cluster-name:k8s-demo-cluster',
        'namespace:sock-shop',
        'stackpack:kubernetes',
      ],
      type: 'service',
    },
    event: {
      state: overrides.state ?? 'CRITICAL',
      title: overrides.title ?? 'HTTP - response time - is above 3.0 seconds',
      triggeredTimeMs: overrides.triggeredTimeMs ?? 1702635356757,
      type: 'open',
    },
    monitor: {
      identifier: 'urn:stackpack:kubernetes-v2:shared:monitor:kubernetes-v2:http-response-time',
      link: 'https://play.stackstate.com/#/monitors/urn%3Astackpack%3Akubernetes-v2%3Ashared%3Amonitor%3Akubernetes-v2%3Ahttp-response-time',
      name: 'HTTP - response time - is above 3 seconds',
      tags: [],
    },
    notificationConfiguration: {
      identifier: 'urn:system:default:notification-configuration:testing-2',
      link: 'https://play.stackstate.com/#/notifications/urn%3Asystem%3Adefault%3Anotification-configuration%3Atesting-2',
      name: 'Test Notification',
    },
    notificationId: overrides.notificationId ?? randomUUID(),
    metadata: { team: 'Team A' },
  };
}

/** The documented close, which (a stale doc, docs/sources.md "StackState") carries `tags`, not `metadata`. */
export function stackStateClose(notificationId: string, reason = 'HealthStateResolved') {
  const { metadata: _metadata, event: _event, ...rest } = stackStateOpen({ notificationId });
  return { ...rest, event: { reason, type: 'close' }, tags: { team: 'Team A' } };
}

/** Monasca's realistic webhook body (docs/sources.md, "Monasca"), with a fresh alarm_id. */
export function monascaAlarm(overrides: Partial<Record<string, unknown>> = {}) {
  return {
    metrics: [{ dimensions: { hostname: 'operator' }, id: null, name: 'cpu.user_perc' }],
    alarm_id: randomUUID(),
    state: 'ALARM',
    alarm_timestamp: 1556703552,
    tenant_id: '62f7a7a314904aa3ab137d569d6b4fde',
    old_state: 'OK',
    alarm_description: 'Dummy alarm',
    message:
      'Thresholds were exceeded for the sub-alarms: count(cpu.user_perc, deterministic) >= 1.0 with the values: [1.0]',
    alarm_definition_id: '78ce7b53-f7e6-4b51-88d0-cb741e7dc906',
    alarm_name: 'dummy_alarm',
    ...overrides,
  };
}

/** The exact body of monasca-notification's own test (docs/sources.md, "Monasca"). */
export const MONASCA_TEST_FIXTURE = {
  metrics: [{ dimensions: { hostname: 'foo1', service: 'bar1' } }],
  alarm_id: '0',
  state: 'ALARM',
  alarm_timestamp: 1429023453,
  tenant_id: '0',
  old_state: 'OK',
  alarm_description: 'test Alarm description',
  message: 'I am alarming!',
  alarm_definition_id: 0,
  alarm_name: 'test Alarm',
};

// Alertmanager 0.25 (Debian) as a sender, captured (docs/sources.md, "Alertmanager" and "PagerDuty
// Events API v2"): one alert fired, then resolved, through webhook_configs and pagerduty_configs.
const CAPTURED_LABELS = {
  alertname: 'NodeFilesystemAlmostFull',
  instance: 'db-7:9100',
  job: 'node',
  mountpoint: '/var',
  severity: 'critical',
};
const CAPTURED_ANNOTATIONS = {
  description: 'Only 2.1% left.',
  runbook_url: 'https://runbooks.example.org/node/fs',
  summary: 'Filesystem /var on db-7 has less than 3% left',
};

/** The captured webhook body, firing or resolved; `alert` overrides fields of its one alert. */
export function alertmanagerWebhook(status: 'firing' | 'resolved', alert: Record<string, unknown> = {}) {
  return {
    receiver: 'relay',
    status,
    alerts: [
      {
        status,
        labels: CAPTURED_LABELS,
        annotations: CAPTURED_ANNOTATIONS,
        startsAt: '2026-12-01T23:20:39.785402954Z',
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-12-01T23:20:42Z',
        generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=node_filesystem_avail_bytes',
        fingerprint: '30c73b8e7f1054ab',
        ...alert,
      },
    ],
    groupLabels: { alertname: 'NodeFilesystemAlmostFull', instance: 'db-7:9100' },
    commonLabels: CAPTURED_LABELS,
    commonAnnotations: CAPTURED_ANNOTATIONS,
    externalURL: 'http://vm:19093',
    version: '4',
    groupKey: '{}:{alertname="NodeFilesystemAlmostFull", instance="db-7:9100"}',
    truncatedAlerts: 0,
  };
}

const CAPTURED_DETAILS =
  'Labels:\n - alertname = NodeFilesystemAlmostFull\n - instance = db-7:9100\n - job = node\n - mountpoint = /var\n - severity = critical\nAnnotations:\n - description = Only 2.1% left.\n - runbook_url = https://runbooks.example.org/node/fs\n - summary = Filesystem /var on db-7 has less than 3% left\nSource: http://prometheus.example.org:9090/graph?g0.expr=node_filesystem_avail_bytes\n';

/** The captured PagerDuty v2 event of Alertmanager's pagerduty_configs, trigger or resolve. */
export function alertmanagerPagerDutyEvent(routingKey: string, action: 'trigger' | 'resolve') {
  const firing = action === 'trigger';
  return {
    routing_key: routingKey,
    dedup_key: '111ae425911c0f5e1a8ff99b0eb33e5b86d5677654f7267f182c31753819665f',
    event_action: action,
    payload: {
      summary: firing
        ? '[FIRING:1] NodeFilesystemAlmostFull db-7:9100 (node /var critical)'
        : '[RESOLVED] NodeFilesystemAlmostFull db-7:9100 (node /var critical)',
      source: 'Alertmanager',
      severity: 'error',
      custom_details: {
        firing: firing ? CAPTURED_DETAILS : '',
        num_firing: firing ? '1' : '0',
        num_resolved: firing ? '0' : '1',
        resolved: firing ? '' : CAPTURED_DETAILS,
      },
    },
    client: 'Alertmanager',
    client_url: 'http://vm:19093/#/alerts?receiver=relay',
  };
}

/** Grafana's documented webhook contact point body (docs/sources.md, "Grafana"), one alert. */
export function grafanaWebhook(status: 'firing' | 'resolved' = 'firing') {
  return {
    receiver: 'My Super Webhook',
    status,
    orgId: 1,
    alerts: [
      {
        status,
        labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
        annotations: {
          description: 'This is the alert rule checking high memory usage',
          runbook_url: 'https://myrunbook.com/runbook/1234',
          summary: 'High memory usage',
        },
        startsAt: '2021-10-12T09:51:03.157076+02:00',
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2021-10-12T09:56:03.157076+02:00',
        generatorURL: 'https://play.grafana.org/alerting/1afz29v7z/edit',
        fingerprint: 'c6eadffa33fcdf37',
        silenceURL:
          'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
        dashboardURL: '',
        panelURL: '',
        values: { B: 44.23943737541908, C: 1 },
      },
    ],
    groupLabels: {},
    commonLabels: { team: 'blue', zone: 'us-1' },
    commonAnnotations: {},
    externalURL: 'https://play.grafana.org/',
    version: '1',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    title: '[FIRING:1]  (blue us-1)',
    state: status === 'firing' ? 'alerting' : 'ok',
    message: '**Firing**\n\nLabels:\n - alertname = High memory usage\n - team = blue\n - zone = us-1',
  };
}
