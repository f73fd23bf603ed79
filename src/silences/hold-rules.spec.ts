import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { MaintenanceWindowConfig } from '../config/maintenance.config';
import { RouteMatchConfig } from '../config/routes.config';
import { RoutableNotification } from '../routing/routes';
import { HoldRules } from './hold-rules';
import { MaintenanceWindow } from './maintenance-window';

const window = (plain: Record<string, unknown>) =>
  MaintenanceWindow.fromConfig(plainToInstance(MaintenanceWindowConfig, plain));
const match = (plain: Record<string, unknown>) => plainToInstance(RouteMatchConfig, plain);
const notification = (overrides: Partial<RoutableNotification> = {}): RoutableNotification => ({
  source: 'stackstate',
  sourceInstance: 'prod',
  severity: 'critical',
  status: 'open',
  tags: ['cluster-name:staging'],
  metadata: {},
  host: 'db-07',
  ...overrides,
});

describe('maintenance windows', () => {
  // Tuesdays 02:00 in Amsterdam for 2h: 01:00-03:00 UTC in winter (CET), 00:00-02:00 UTC in summer (CEST).
  const tuesday = window({
    name: 'patch-tuesday',
    match: { host: 'db-*' },
    schedule: '0 2 * * TUE',
    timezone: 'Europe/Amsterdam',
    duration: '2h',
  });

  it('is on from each start of its schedule, in its time zone, for its duration', () => {
    assert.equal(tuesday.occurrenceAt(new Date('2026-03-10T00:59:59.999Z')), null);
    assert.deepEqual(tuesday.occurrenceAt(new Date('2026-03-10T01:00:00.000Z')), {
      start: new Date('2026-03-10T01:00:00Z'),
      end: new Date('2026-03-10T03:00:00Z'),
    });
    assert.equal(
      tuesday.occurrenceAt(new Date('2026-03-10T02:59:59.999Z'))?.end.toISOString(),
      '2026-03-10T03:00:00.000Z',
    );
    assert.equal(tuesday.occurrenceAt(new Date('2026-03-10T03:00:00.000Z')), null);
    assert.equal(tuesday.occurrenceAt(new Date('2026-03-12T12:00:00Z')), null);
    // After the switch to summer time the same local hours are an hour earlier in UTC.
    assert.deepEqual(tuesday.occurrenceAt(new Date('2026-04-07T00:30:00Z')), {
      start: new Date('2026-04-07T00:00:00Z'),
      end: new Date('2026-04-07T02:00:00Z'),
    });
    // Time going back (a test's clock) is answered right too.
    assert.equal(
      tuesday.occurrenceAt(new Date('2026-03-10T01:30:00Z'))?.start.toISOString(),
      '2026-03-10T01:00:00.000Z',
    );
  });

  it('is on for a window longer than the gap between two starts until the last one ends', () => {
    const hourly = window({ name: 'w', match: { host: 'x' }, schedule: '0 * * * *', duration: '90m' });
    assert.deepEqual(hourly.occurrenceAt(new Date('2026-01-01T05:20:00Z')), {
      start: new Date('2026-01-01T05:00:00Z'),
      end: new Date('2026-01-01T06:30:00Z'),
    });
  });

  it('is on between the start and the end of a one-off window', () => {
    const move = window({
      name: 'db-move',
      match: { host: 'db-07' },
      start: '2026-12-24T22:00:00Z',
      end: '2026-12-25T02:00:00Z',
    });
    assert.equal(move.occurrenceAt(new Date('2026-12-24T21:59:59Z')), null);
    assert.equal(move.occurrenceAt(new Date('2026-12-24T22:00:00Z'))?.end.toISOString(), '2026-12-25T02:00:00.000Z');
    assert.equal(move.occurrenceAt(new Date('2026-12-25T02:00:00Z')), null);
  });

  it('is never on for a schedule that never comes (30 February)', () => {
    const never = window({ name: 'n', match: { host: 'x' }, schedule: '0 0 30 2 *', duration: '1h' });
    assert.equal(never.occurrenceAt(new Date('2026-03-02T00:30:00Z')), null);
  });
});

describe('HoldRules', () => {
  const silence = {
    id: '6c1f2d3e-0000-4000-8000-000000000001',
    match: match({ source: 'stackstate', severity: ['warning', 'critical'] }),
    startsAt: new Date('2026-01-01T10:00:00Z'),
    endsAt: new Date('2026-01-01T11:00:00Z'),
  };
  const db = window({
    name: 'db-move',
    match: { host: 'DB-07' },
    start: '2026-01-01T10:30:00Z',
    end: '2026-01-01T12:00:00Z',
  });
  const rules = new HoldRules([silence], [db]);

  it('names every silence and window that is on and matches, with when each ends', () => {
    assert.deepEqual(rules.heldBy(notification(), new Date('2026-01-01T10:45:00Z')), [
      { kind: 'silence', id: silence.id, endsAt: '2026-01-01T11:00:00.000Z' },
      { kind: 'maintenance', name: 'db-move', endsAt: '2026-01-01T12:00:00.000Z' },
    ]);
  });

  it('holds nothing before a silence starts, after it ends, or what it does not match', () => {
    assert.deepEqual(rules.heldBy(notification(), new Date('2026-01-01T09:59:59Z')), []);
    assert.deepEqual(rules.heldBy(notification({ host: 'web-01' }), new Date('2026-01-01T11:00:00Z')), []);
    assert.deepEqual(
      rules.heldBy(notification({ severity: 'info', host: null }), new Date('2026-01-01T10:15:00Z')),
      [],
    );
  });
});
