import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { HostConfig, RouteConfig } from '../config/routes.config';
import { compileRoutes, evaluateRoutes, glob, RoutableNotification } from './routes';

const base: RoutableNotification = {
  source: 'stackstate',
  sourceInstance: 'prod',
  severity: 'critical',
  status: 'open',
  tags: ['cluster-name:prod', 'namespace:shop'],
  metadata: { team: 'Team A' },
  host: 'prod-web-01',
};

const table = (routes: unknown[], defaultChannels: string[] = [], hosts: Record<string, unknown> = {}) =>
  compileRoutes({
    routes: routes.map((r) => plainToInstance(RouteConfig, r)),
    defaultChannels,
    hosts: Object.fromEntries(Object.entries(hosts).map(([k, v]) => [k, plainToInstance(HostConfig, v)])),
  });

describe('routes', () => {
  it('stops at the first matching route unless it says continue', () => {
    const t = table([
      { name: 'crit', match: { severity: 'critical' }, channels: ['a', 'b'], continue: true },
      { name: 'prod', match: { tags: ['cluster-name:prod'] }, channels: ['b', 'c'] },
      { name: 'never', match: {}, channels: ['d'] },
    ]);
    const result = evaluateRoutes(t, base);
    assert.deepEqual(result.matchedRoutes, ['crit', 'prod']);
    assert.deepEqual(
      result.targets.map((x) => [x.channel, x.route]),
      [
        ['a', 'crit'],
        ['b', 'crit'],
        ['c', 'prod'],
      ],
    );
  });

  it('falls back to defaultChannels when nothing matches', () => {
    const t = table([{ match: { source: 'monasca' }, channels: ['a'] }], ['fallback']);
    assert.deepEqual(evaluateRoutes(t, base), {
      matchedRoutes: [],
      targets: [{ channel: 'fallback', route: 'defaultChannels', remindEveryMs: null }],
    });
  });

  it('matches every key (AND) and any value of a key (OR), with * wildcards', () => {
    const route = (match: unknown) => evaluateRoutes(table([{ match, channels: ['x'] }]), base).targets.length === 1;
    assert.ok(route({ source: ['monasca', 'stackstate'], severity: ['critical', 'warning'] }));
    assert.ok(!route({ source: 'stackstate', severity: 'warning' }));
    assert.ok(route({ host: 'PROD-WEB-*' }), 'host matching ignores case');
    assert.ok(!route({ host: 'db-*' }));
    assert.ok(route({ tags: ['cluster-name:prod', 'namespace:*'] }));
    assert.ok(!route({ tags: ['cluster-name:prod', 'namespace:other'] }));
    assert.ok(route({ metadata: { team: ['Team B', 'Team A'] } }));
    assert.ok(route({ metadata: { team: '*' } }));
    assert.ok(!route({ metadata: { owner: '*' } }));
    assert.ok(route({ sourceInstance: 'prod', status: 'open' }));
    assert.ok(!route({ status: ['closed'] }));
    assert.ok(
      !evaluateRoutes(table([{ match: { host: '*' }, channels: ['x'] }]), { ...base, host: null }).targets.length,
    );
  });

  it('expands hosts: entries into routes after the explicit ones, defaulting to defaultChannels', () => {
    const t = table([{ match: { source: 'monasca' }, channels: ['m'] }], ['email'], {
      'prod-web-01': { notification_channels: ['signal'], remindEvery: '1h' },
      'prod-db-01': {},
    });
    assert.deepEqual(evaluateRoutes(t, base).targets, [
      { channel: 'signal', route: 'host:prod-web-01', remindEveryMs: 3_600_000 },
    ]);
    assert.deepEqual(
      evaluateRoutes(t, { ...base, host: 'prod-db-01' }).targets.map((x) => x.channel),
      ['email'],
    );
  });

  it('keeps the smallest remindEvery when several routes name a channel', () => {
    const t = table([
      { match: {}, channels: ['a'], remindEvery: '1h', continue: true },
      { match: {}, channels: ['a'], remindEvery: '10m' },
    ]);
    assert.equal(evaluateRoutes(t, base).targets[0].remindEveryMs, 600_000);
  });

  it('treats glob metacharacters other than * literally', () => {
    assert.ok(glob('a.b*', 'a.bc'));
    assert.ok(!glob('a.b*', 'axbc'));
    assert.ok(glob('be_app/web(1)', 'be_app/web(1)'));
  });
});
