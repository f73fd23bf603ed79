import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpPost } from './http';

describe('http', () => {
  let server: Server;
  let base = '';
  before(async () => {
    // Answers the status named in the path, with the headers named in the query; /hang never answers,
    // /stall sends its headers and then nothing, /echo answers the request's headers.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/hang') return;
      if (url.pathname === '/stall') return void res.writeHead(200).write('part of it');
      if (url.pathname === '/echo') return void res.writeHead(200).end(JSON.stringify(req.headers));
      res.writeHead(Number(url.pathname.slice(1)), Object.fromEntries(url.searchParams));
      res.end('x'.repeat(600));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const post = (path: string, waitHeaders?: string[], timeoutMs = 2000, headers: Record<string, string> = {}) =>
    httpPost({ url: `${base}${path}`, headers, body: '{}' }, timeoutMs, waitHeaders);

  it('classifies the answer and keeps an excerpt of it', async () => {
    const ok = await post('/200');
    assert.equal(ok.outcome, 'success');
    assert.equal(ok.error, undefined);
    assert.equal(ok.response?.length, 500);
    assert.equal(ok.body?.length, 600);
    assert.equal((await post('/404')).outcome, 'permanent');
    const busy = await post('/503');
    assert.deepEqual([busy.outcome, busy.statusCode, busy.error], ['retry', 503, 'HTTP 503']);
  });

  it('does not follow redirects: a moved webhook is a configuration problem', async () => {
    const moved = await post(`/301?location=${encodeURIComponent(`${base}/200`)}`);
    assert.deepEqual([moved.outcome, moved.statusCode], ['permanent', 301]);
  });

  it("honours the channel's wait headers on a retry, and only there", async () => {
    assert.equal((await post('/429?retry-after=7')).retryAfterMs, 7000);
    assert.equal((await post('/429?x-ratelimit-reset=3', ['retry-after', 'x-ratelimit-reset'])).retryAfterMs, 3000);
    assert.equal((await post('/429?x-ratelimit-reset=3')).retryAfterMs, undefined);
    assert.equal((await post('/400?retry-after=7')).retryAfterMs, undefined);
    // Names as a channel writes them; undici gives them in lower case.
    assert.equal((await post('/429?x-ratelimit-reset=3', ['X-RateLimit-Reset'])).retryAfterMs, 3000);
  });

  it("sends a user agent and accept unless the channel's headers name them, in any case", async () => {
    const sent = (answer: { body?: string }) => JSON.parse(answer.body ?? '{}') as Record<string, string>;
    const plain = sent(await post('/echo'));
    assert.deepEqual([plain['user-agent'], plain.accept], ['alert-relay', '*/*']);
    const own = sent(await post('/echo', undefined, 2000, { 'User-Agent': 'mine/1', Accept: 'application/json' }));
    assert.deepEqual([own['user-agent'], own.accept], ['mine/1', 'application/json']);
  });

  it('retries timeouts and network errors', async () => {
    const slow = await post('/hang', undefined, 100);
    assert.deepEqual([slow.outcome, slow.statusCode, slow.error], ['retry', null, 'timed out after 100 ms']);
    // The limit covers the body too: headers at once, the rest never.
    const stalled = await post('/stall', undefined, 100);
    assert.deepEqual([stalled.outcome, stalled.statusCode, stalled.error], ['retry', 200, 'timed out after 100 ms']);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await httpPost({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '' }, 1000);
    assert.deepEqual([refused.outcome, refused.error], ['retry', 'network error: ECONNREFUSED']);
  });
});
