import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { RouteConfig } from '../config/routes.config';
import { compileRoutes, evaluateRoutes, RoutableNotification } from './routes';

const base: RoutableNotification = {
  source: 'stackstate',
  sourceInstance: 'prod',
  severity: 'critical',
  status: 'open',
  tags: ['cluster-name:prod', 'namespace:shop', 'namespace:db'],
  metadata: { team: 'Team A' },
  host: 'DB-7',
};

const targets = (group: unknown, n: RoutableNotification = base, more: Partial<RouteConfig> = {}) =>
  evaluateRoutes(
    compileRoutes({
      routes: [plainToInstance(RouteConfig, { name: 'storm', match: {}, channels: ['slack', 'hook'], group, ...more })],
      defaultChannels: [],
      hosts: {},
    }),
    n,
  ).targets;

describe('route groups', () => {
  it('labels a change with the values of `by`, and times it with the route', () => {
    const [slack, hook] = targets({
      by: [
        'host',
        'severity',
        'metadata.team',
        'metadata.none',
        'tag:namespace:',
        'source',
        'sourceInstance',
        'status',
      ],
      wait: '200ms',
      interval: '1m',
      maxItems: 5,
    });
    assert.deepEqual(slack.group?.labels, [
      { key: 'host', value: 'db-7' },
      { key: 'severity', value: 'critical' },
      { key: 'metadata.team', value: 'Team A' },
      { key: 'metadata.none', value: null },
      { key: 'tag:namespace:', value: 'namespace:db, namespace:shop' },
      { key: 'source', value: 'stackstate' },
      { key: 'sourceInstance', value: 'prod' },
      { key: 'status', value: 'open' },
    ]);
    assert.equal(slack.group?.waitMs, 200);
    assert.equal(slack.group?.intervalMs, 60_000);
    assert.equal(slack.group?.maxItems, 5);
    assert.match(slack.group?.key ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(hook.group, slack.group, 'every channel of the route: the same group');
  });

  it('gives equal labels one key, and different labels another', () => {
    const key = (n: RoutableNotification) => targets({ by: ['host'] }, n)[0].group!.key;
    assert.equal(key(base), key({ ...base, host: 'db-7', severity: 'info' }), 'only `by` counts; host ignores case');
    assert.notEqual(key(base), key({ ...base, host: 'db-8' }));
    assert.notEqual(key(base), key({ ...base, host: null }));
    const all = (n: RoutableNotification) => targets({}, n)[0].group!;
    assert.deepEqual(all(base).labels, [], '`by: []`: one group for the route');
    assert.equal(all(base).key, all({ ...base, host: 'elsewhere', severity: 'info' }).key);
  });

  it('leaves targets of routes without `group` as they were', () => {
    const [slack] = evaluateRoutes(
      compileRoutes({
        routes: [plainToInstance(RouteConfig, { name: 'plain', match: {}, channels: ['slack'] })],
        defaultChannels: [],
        hosts: {},
      }),
      base,
    ).targets;
    assert.deepEqual(slack, { channel: 'slack', route: 'plain', remindEveryMs: null });
  });
});
