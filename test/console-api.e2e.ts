import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { followEvents } from '../clients/typescript/src';
import { stackStateOpen } from './support/fixtures';
import { sdk } from './support/sdk';
import { call } from './support/spec-client';
import { API_KEY, STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

// What the operator console needs of the service: its files, served safely; which actions to offer
// (whoami); where the change feed ends now, so that it follows only what comes next.
describe(`API for the console (${TEST_DB})`, () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  it("answers the key's name and scopes, never the key", async () => {
    const read = await sdk(app.url, API_KEY).GET('/api/v1/whoami');
    assert.deepEqual(read.data, { name: 'ticketing', scopes: ['read'] });
    const write = await sdk(app.url, WRITE_API_KEY).GET('/api/v1/whoami');
    assert.deepEqual(write.data, { name: 'ticket-sync', scopes: ['read', 'write'] });
    assert.ok(!JSON.stringify(write.data).includes(WRITE_API_KEY));
  });

  it('answers 401 for a wrong key', async () => {
    const wrong = await sdk(app.url, 'not-a-key-0123456789').GET('/api/v1/whoami');
    assert.equal(wrong.response.status, 401);
    assert.equal(wrong.error?.error, 'unauthorized');
  });

  it('starts the change feed at its current end with after=now', async () => {
    const client = sdk(app.url, API_KEY);
    const open = async () => {
      const answer = await call(app.url, 'receiveStackStateEvent', {
        body: stackStateOpen({ notificationId: randomUUID() }),
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });
      assert.equal(answer.status, 200);
      return answer.body.notificationId as string;
    };
    // `now` is the end of what the feed serves at that moment; an event committed just before can still be
    // held back by an older transaction on the server, and then comes after it. So: wait until it is served.
    const earlier = await open();
    for await (const event of followEvents(client, { waitSeconds: 5 })) if (event.notificationId === earlier) break;
    const end = await client.GET('/api/v1/events', { params: { query: { after: 'now' } } });
    assert.deepEqual(end.data?.items, []);
    assert.notEqual(end.data?.nextCursor, 'now');
    const later = await open();
    const next = await client.GET('/api/v1/events', { params: { query: { after: end.data?.nextCursor, wait: 10 } } });
    assert.deepEqual(
      next.data?.items.map((e) => [e.notificationId, e.type]),
      [[later, 'opened']],
    );
    // The SDK's follower from now: once its first (empty) answer is in, it yields only what comes later.
    const stop = new AbortController();
    let connected: () => void = () => undefined;
    const firstPage = new Promise<void>((resolve) => (connected = resolve));
    const events = followEvents(client, {
      after: 'now',
      waitSeconds: 1,
      signal: stop.signal,
      onPage: () => connected(),
    });
    const first = events.next();
    await firstPage;
    const third = await open();
    assert.equal((await first).value?.notificationId, third);
    stop.abort();
  });

  it('serves the app with a strict Content-Security-Policy, caching, revalidation and deep links', async () => {
    const bare = await fetch(`${app.url}/console?x=1`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), 'console/?x=1');
    const index = await fetch(`${app.url}/console/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const etag = index.headers.get('etag') ?? '';
    assert.match(etag, /^"[\w-]+"$/);
    // As a browser's reload asks (fetch would add "Cache-Control: no-cache", which asks for a full answer).
    const revalidated = await fetch(`${app.url}/console/`, {
      headers: { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' },
    });
    assert.equal(revalidated.status, 304, 'a reload revalidates the page instead of downloading it');
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) {
      assert.ok(csp.includes(directive), directive);
    }
    assert.doesNotMatch(csp, /unsafe/);
    const html = await index.text();
    assert.match(html, /<head><base href="\.\/">/);
    assert.doesNotMatch(html, /<script>|<style>| style=/, 'no inline script or style');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script);
    const asset = await fetch(`${app.url}/console/${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const deep = await fetch(`${app.url}/console/notifications/${randomUUID()}`);
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<base href="\.\.\/">/);
    const missing = await fetch(`${app.url}/console/assets/gone-1234.js`);
    assert.equal(missing.status, 404);
    assert.ok(missing.headers.get('content-security-policy'));
  });
});
