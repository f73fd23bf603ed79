import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../common/api-error';
import { validateAs } from '../../common/validation';
import { PagerDutySeverities } from '../../config/webhook-ingress.config';
import { pagerDutyErrorBody } from './pagerduty-errors';
import { PagerDutyEventDto } from './pagerduty.dto';
import { toSignal } from './pagerduty.mapper';

const SEVERITIES = { ...new PagerDutySeverities() };
const signal = (event: Record<string, unknown>, dedupKey = 'srv01/HTTP') =>
  toSignal(validateAs(PagerDutyEventDto, event, ''), event, 'grafana', dedupKey, SEVERITIES);
const problems = (event: Record<string, unknown>) => {
  try {
    validateAs(PagerDutyEventDto, event, '');
  } catch (error) {
    return pagerDutyErrorBody(error as ApiError, 'r').errors.sort();
  }
  return [];
};

describe('PagerDuty Events v2 mapping', () => {
  it('maps a trigger: summary, source, severity, component/group/class/client as tags, links, details', () => {
    const s = signal({
      event_action: 'trigger',
      payload: {
        summary: 'DISK at 99% on machine prod-datapipe03.example.com',
        source: 'prod-datapipe03.example.com',
        severity: 'Critical',
        timestamp: '2015-07-17T08:42:58.315+0000',
        component: 'mysql',
        group: 'prod-datapipe',
        class: 'disk',
        custom_details: { 'free space': '1%', 'load avg': 0.75, nested: { a: [1] } },
      },
      client: 'Sample Monitoring Service',
      client_url: 'https://monitoring.example.com',
      links: [{ href: 'https://example.com/', text: 'Link text' }, { text: 'no href' }, { href: 'ftp://x' }],
      images: [{ src: 'https://chart.example.com/c.png', href: 'https://example.com/', alt: 'chart' }],
    });
    assert.deepEqual(
      { ...s, payload: undefined },
      {
        source: 'pagerduty',
        sourceInstance: 'grafana',
        externalId: 'grafana/srv01/HTTP',
        action: 'open',
        sourceTime: new Date('2015-07-17T08:42:58.315Z'),
        severity: 'critical',
        sourceState: 'critical',
        title: 'DISK at 99% on machine prod-datapipe03.example.com',
        message: null,
        component: { name: 'mysql' },
        host: 'prod-datapipe03.example.com',
        tags: ['component:mysql', 'group:prod-datapipe', 'class:disk', 'client:Sample Monitoring Service'],
        metadata: {
          'free space': '1%',
          'load avg': '0.75',
          nested: '{"a":[1]}',
          dedup_key: 'srv01/HTTP',
          component: 'mysql',
          group: 'prod-datapipe',
          class: 'disk',
          client: 'Sample Monitoring Service',
          timestamp: '2015-07-17T08:42:58.315+0000',
        },
        links: [
          { rel: 'Link text', href: 'https://example.com/' },
          { rel: 'client', href: 'https://monitoring.example.com' },
          { rel: 'image', href: 'https://chart.example.com/c.png' },
          { rel: 'chart', href: 'https://example.com/' },
        ],
        closeReason: null,
        reopenAfterClose: true,
        oneShot: false,
        payload: undefined,
      },
    );
  });

  it('maps severities through the config; error is critical by default', () => {
    const severity = (value: string) =>
      signal({ event_action: 'trigger', payload: { summary: 's', source: 'h', severity: value } }).severity;
    assert.deepEqual(['critical', 'error', 'warning', 'info'].map(severity), [
      'critical',
      'critical',
      'warning',
      'info',
    ]);
  });

  it('keeps a timestamp without zone in metadata only, and takes Kapacitor-style nulls and nanoseconds', () => {
    const local = signal({
      event_action: 'trigger',
      payload: { summary: 's', source: 'h', severity: 'info', timestamp: '2015-07-17T08:42:58' },
    });
    assert.equal(local.sourceTime, null);
    assert.equal(local.metadata.timestamp, '2015-07-17T08:42:58');
    const kapacitor = signal({
      event_action: 'trigger',
      payload: {
        summary: 's',
        source: 'unknown',
        severity: 'warning',
        timestamp: '2014-11-12T11:45:26.371000000Z',
        component: '',
        group: '',
        class: 'cpu_alert',
        custom_details: { result: { series: [] } },
      },
      links: null,
      images: null,
    });
    assert.equal(kapacitor.sourceTime?.toISOString(), '2014-11-12T11:45:26.371Z');
    assert.deepEqual(kapacitor.tags, ['class:cpu_alert']);
    assert.deepEqual(kapacitor.links, []);
  });

  it('maps a resolve with or without a payload, using only what parses of it', () => {
    const bare = signal({ event_action: 'resolve', dedup_key: 'k' }, 'k');
    assert.deepEqual(
      [bare.action, bare.title, bare.severity, bare.sourceState, bare.closeReason, bare.host],
      ['close', 'k', 'unknown', 'resolved', 'resolved', null],
    );
    const full = signal(
      { event_action: 'resolve', dedup_key: 'k', payload: { summary: '[RESOLVED] x', severity: 7, source: ['?'] } },
      'k',
    );
    assert.deepEqual(
      [full.title, full.closeReason, full.severity, full.host],
      ['[RESOLVED] x', '[RESOLVED] x', 'unknown', null],
    );
  });

  it("words problems as PagerDuty does: '<field>' is missing or blank", () => {
    assert.deepEqual(problems({ event_action: 'trigger' }), ["'payload' is missing or blank"]);
    assert.deepEqual(problems({ event_action: 'trigger', payload: { summary: ' ', severity: 'fatal' } }), [
      "'payload.severity' must be one of critical, error, warning, info",
      "'payload.source' is missing or blank",
      "'payload.summary' is missing or blank",
    ]);
    assert.deepEqual(problems({ event_action: 'resolve' }), ["'dedup_key' is missing or blank"]);
    assert.deepEqual(problems({ event_action: 'acknowledge', dedup_key: '  ' }), ["'dedup_key' is missing or blank"]);
    assert.deepEqual(problems({ event_action: 'snooze', dedup_key: 'k' }), [
      "'event_action' must be one of trigger, acknowledge, resolve",
    ]);
    const astral = '😀'.repeat(1024);
    assert.deepEqual(
      problems({ event_action: 'trigger', payload: { summary: astral, source: 'h', severity: 'info' } }),
      [],
    );
    assert.deepEqual(
      problems({
        event_action: 'trigger',
        dedup_key: 'k'.repeat(256),
        payload: { summary: `${astral}x`, source: 'h', severity: 'info' },
      }),
      ["'dedup_key' must be at most 255 characters long", "'payload.summary' must be at most 1024 characters long"],
    );
    assert.deepEqual(
      problems({
        event_action: 'trigger',
        payload: { summary: 's', source: 'h', severity: 'info', timestamp: 'yesterday' },
      }),
      ["'payload.timestamp' must be an ISO 8601 date-time with a zone, e.g. 2026-12-01T23:20:39Z"],
    );
  });
});
