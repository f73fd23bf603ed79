import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EgressGuard } from './egress';
import { httpPost } from './http';

describe('EgressGuard', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('denies link-local and metadata addresses by default, not loopback', () => {
    const guard = new EgressGuard();
    for (const address of [
      '169.254.169.254',
      '::ffff:169.254.169.254',
      'fe80::1',
      'fd00:ec2::254',
      '100.100.100.200',
    ]) {
      assert.equal(guard.isDenied(address), true, address);
    }
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '93.184.216.34']) {
      assert.equal(guard.isDenied(address), false, address);
    }
    const configured = new EgressGuard({ deny: ['10.0.0.0/8'], allow: ['169.254.10.0/24'] });
    assert.equal(configured.isDenied('10.1.2.3'), true);
    assert.equal(configured.isDenied('169.254.10.20'), false);
    assert.equal(configured.isDenied('169.254.169.254'), true);
  });

  it('refuses a denied address as written in the URL or as a name resolves, permanently, before connecting', async () => {
    const guard = new EgressGuard({ deny: ['127.0.0.0/8', '::1/128'], allow: [] });
    const literal = await httpPost(
      { url: `http://127.0.0.1:${port}/x`, headers: {}, body: '' },
      1000,
      undefined,
      guard,
    );
    assert.deepEqual([literal.outcome, literal.error], ['permanent', '127.0.0.1 is denied by delivery.egress']);
    const metadata = await httpPost({ url: 'http://169.254.169.254/latest/meta-data/', headers: {}, body: '' }, 1000);
    assert.equal(metadata.outcome, 'permanent');
    const named = await httpPost({ url: `http://localhost:${port}/x`, headers: {}, body: '' }, 1000, undefined, guard);
    assert.equal(named.outcome, 'permanent');
    assert.match(named.error ?? '', /^localhost \((127\.0\.0\.1|::1)\) is denied by delivery\.egress$/);
    await assert.rejects(guard.resolve('localhost'), /denied by delivery\.egress/);
    // Allowed: the same request goes out.
    const open = await httpPost({ url: `http://localhost:${port}/x`, headers: {}, body: '' }, 1000);
    assert.equal(open.outcome, 'success');
    assert.match(await new EgressGuard().resolve('localhost'), /^(127\.0\.0\.1|::1)$/);
    await guard.onApplicationShutdown();
  });
});
