import assert from 'node:assert/strict';
import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express, { Express } from 'express';
import { PrototypedExpressAdapter, prototypedServer } from './express-adapter';

/** Serves `app` on `server` (loopback), runs `use` with its base URL, closes it. */
async function serving(server: Server, use: (url: string) => Promise<void>): Promise<void> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

function appWithRoute(): Express {
  const app = express();
  app.use(express.json());
  app.post('/echo/:name', (req, res) => {
    res.status(201).json({ name: req.params.name, body: req.body as unknown, app: req.app === app && res.app === app });
  });
  return app;
}

describe('prototypedServer', () => {
  it("makes requests and responses with Express's prototypes, which Express then leaves as they are", async () => {
    const app = appWithRoute();
    const server = prototypedServer(app);
    const born: boolean[] = [];
    // Before Express's handler: what the server made.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      born.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
    });
    await serving(server, async (url) => {
      const answer = await fetch(`${url}/echo/x`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":[1]}',
      });
      assert.equal(answer.status, 201);
      assert.deepEqual(await answer.json(), { name: 'x', body: { a: [1] }, app: true });
    });
    assert.deepEqual(born, [true, true]);
    // Still Node's and Express's: what inherits from them still does.
    assert.ok(Object.create(app.request) instanceof IncomingMessage);
    assert.ok(Object.create(app.response) instanceof ServerResponse);
    assert.equal(typeof app.response.json, 'function');
  });

  it("is not what Express's own server does (the check above can fail)", async () => {
    const app = appWithRoute();
    const server = new Server(app);
    let born: unknown;
    server.prependListener('request', (req: IncomingMessage) => (born = Object.getPrototypeOf(req)));
    await serving(server, async (url) => {
      const answer = await fetch(`${url}/echo/y`, { method: 'POST' });
      assert.equal(answer.status, 201);
    });
    assert.equal(born, IncomingMessage.prototype);
  });

  it('refuses the Nest options it does not build', () => {
    const adapter = new PrototypedExpressAdapter();
    assert.throws(() => adapter.initHttpServer({ forceCloseConnections: true }), /not supported/);
    adapter.initHttpServer({});
    assert.ok(adapter.getHttpServer() instanceof Server);
  });
});
