// Sample values for the DTOs of the API and the webhooks: what the unit tests that compare our
// conversion and validation with class-transformer's and class-validator's own run them on.
import 'reflect-metadata';
import fc from 'fast-check';
import * as deliveries from '../../src/api/deliveries.dto';
import * as events from '../../src/api/events.dto';
import * as notifications from '../../src/api/notifications.dto';
import * as silences from '../../src/api/silences.dto';
import * as alertmanager from '../../src/ingress/alertmanager/alertmanager.dto';
import * as monasca from '../../src/ingress/monasca/monasca.dto';
import * as pagerduty from '../../src/ingress/pagerduty/pagerduty.dto';
import * as stackstate from '../../src/ingress/stackstate/stackstate.dto';

export type Dto = new (...args: unknown[]) => object;

// Every DTO class of the API and the webhooks: what the global pipe converts.
export const DTOS: Dto[] = [deliveries, events, notifications, silences, alertmanager, monasca, pagerduty, stackstate]
  .flatMap((module) => Object.values(module))
  .filter((value): value is Dto => typeof value === 'function' && /Dto$/.test(value.name));

// Bodies of the right shape, so that nested rules (@Type, @Transform) are reached.
export const SHAPES: unknown[] = [
  {
    notificationId: 'a',
    event: { type: 'open', state: 'CRITICAL', title: 't', triggeredTimeMs: 1, reason: 'r' },
    monitor: { name: 'm', identifier: 'i', link: 'l', tags: ['x'] },
    component: { identifier: 'c', link: 'l', name: 'n', type: 't', tags: ['a:b'] },
    notificationConfiguration: { name: 'n' },
    metadata: { k: 'v' },
  },
  { event: { type: 'close', reason: 'r' } },
  { event: { type: 'other' } },
  {
    alarm_id: 'a',
    alarm_definition_id: 1,
    alarm_timestamp: 1,
    state: 'ALARM',
    metrics: [{ name: 'cpu', dimensions: { hostname: 'h' } }, 5, null],
  },
  { version: '4', alerts: [{ status: 'firing', labels: { a: 'b' }, annotations: {} }], groupLabels: {} },
  { routing_key: 'k', event_action: 'TRIGGER', payload: { summary: 's', severity: 'critical', custom_details: {} } },
  { limit: '5', tag: 'a', cursor: 'c', wait: '2', status: ['open'] },
  { matchers: { source: 'stackstate', severity: ['critical'] }, startsAt: 'x', endsAt: 'y', comment: 'c' },
];

// Keys class-transformer treats specially: skipped, or names Object already has.
const TRICKY_KEYS = ['toString', 'valueOf', 'hasOwnProperty', 'prototype', '__proto__', 'constructor', 'type'];

/** `value` with an own property `key` (also `__proto__`, which an assignment would not make). */
function withKey(value: unknown, key: string, item: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy = { ...value } as Record<string, unknown>;
  Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Replaces (or adds) the value at a path chosen by `choices`. */
function mutate(value: unknown, choices: number[], item: unknown, key: string): unknown {
  if (choices.length === 0 || value === null || typeof value !== 'object') return withKey(value, key, item);
  const keys = Object.keys(value);
  if (keys.length === 0) return withKey(value, key, item);
  const [choice, ...rest] = choices;
  const at = keys[choice % keys.length];
  const inner = mutate((value as Record<string, unknown>)[at], rest, item, key);
  if (Array.isArray(value)) return value.map((v, i) => (String(i) === at ? inner : v));
  return withKey(value, at, inner);
}

/** Any JSON, and the shapes above with one value replaced or one key added somewhere within. */
export const dtoValues = fc.oneof(
  fc.jsonValue(),
  fc
    .record({
      shape: fc.constantFrom(...SHAPES),
      path: fc.array(fc.nat(), { maxLength: 4 }),
      item: fc.jsonValue({ maxDepth: 2 }),
      key: fc.oneof(fc.constantFrom(...TRICKY_KEYS), fc.string({ maxLength: 6 })),
    })
    .map(({ shape, path, item, key }) => mutate(shape, path, item, key)),
);
