import { randomUUID } from 'node:crypto';

/** StackState's documented open message (wire-formats.md §1.8), with a fresh notificationId. */
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

/** The documented close, which (a stale doc, wire-formats.md §1.5) carries `tags` instead of `metadata`. */
export function stackStateClose(notificationId: string, reason = 'HealthStateResolved') {
  const { metadata: _metadata, event: _event, ...rest } = stackStateOpen({ notificationId });
  return { ...rest, event: { reason, type: 'close' }, tags: { team: 'Team A' } };
}

/** Monasca's realistic webhook body (README.rst of monasca-notification), with a fresh alarm_id. */
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

/** The exact body asserted in monasca-notification's tests/test_webhook_notification.py. */
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
