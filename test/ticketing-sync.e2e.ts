import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ticket, TicketStore } from '../examples/ticketing-sync/sync';
import { projectRoot } from '../src/common/project-root';
import { stackStateClose, stackStateOpen } from './support/fixtures';
import { sdk } from './support/sdk';
import { call } from './support/spec-client';
import { STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

describe(`examples/ticketing-sync against the service (${TEST_DB})`, () => {
  let app: TestApp;
  let ticketsFile: string;
  let stateFile: string;
  let sync: ChildProcess | undefined;
  let output = '';
  before(async () => {
    app = await startTestApp();
    ticketsFile = join(app.dir, 'tickets.json');
    stateFile = join(app.dir, 'sync-state.json');
  });
  after(async () => {
    await stop();
    await app?.close();
  });

  const start = () => {
    sync = spawn(process.execPath, [join(projectRoot(), 'dist', 'examples', 'ticketing-sync', 'sync.js')], {
      env: {
        ...process.env,
        ALERT_RELAY_URL: app.url,
        ALERT_RELAY_API_KEY: WRITE_API_KEY,
        TICKETS_FILE: ticketsFile,
        STATE_FILE: stateFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sync.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    sync.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  };
  async function stop(): Promise<void> {
    const child = sync;
    sync = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  const send = async (body: unknown) => {
    const response = await call(app.url, 'receiveStackStateEvent', {
      body,
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    assert.equal(response.status, 200);
    return response.body.notificationId as string;
  };
  /** Waits until the tickets file satisfies `done`; fails with what the example printed after 30 s. */
  const until = async (done: (tickets: Ticket[]) => boolean) => {
    const store = new TicketStore(ticketsFile);
    const deadline = Date.now() + 30_000;
    while (!done(store.all())) {
      assert.ok(Date.now() < deadline, `the example did not get there; it printed:\n${output}`);
      assert.equal(sync?.exitCode ?? null, null, `the example exited:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return store.all();
  };

  it('opens a ticket per opened notification, links it back, closes it on close, and resumes after a restart', async () => {
    start();
    const first = stackStateOpen({ title: 'Disk full on db-1' });
    const firstId = await send(first);
    const secondId = await send(stackStateOpen({ title: 'Latency high', state: 'DEVIATING' }));
    let tickets = await until((t) => t.length === 2);
    assert.deepEqual(
      tickets.map((t) => [t.notificationId, t.title, t.status]),
      [
        [firstId, '[critical] Disk full on db-1', 'open'],
        [secondId, '[warning] Latency high', 'open'],
      ],
    );
    const client = sdk(app.url);
    const linked = async (id: string) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { data } = await client.GET('/api/v1/notifications/{id}', { params: { path: { id } } });
        if (data?.externalRefs.length) return data.externalRefs;
        assert.ok(Date.now() < deadline, `notification ${id} was never linked:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    assert.deepEqual(await linked(firstId), [
      { system: 'example-tickets', id: 'OPS-1', url: 'https://tickets.example.invalid/browse/OPS-1' },
    ]);

    // Stopped and started again: it resumes from its cursor, with no second ticket for what it handled.
    await stop();
    await send(stackStateClose(first.notificationId, 'HealthStateResolved'));
    const thirdId = await send(stackStateOpen({ title: 'Pod restarting' }));
    start();
    tickets = await until((t) => t.length === 3 && t[0].status === 'closed');
    assert.deepEqual(
      tickets.map((t) => [t.key, t.notificationId, t.status, t.resolution]),
      [
        ['OPS-1', firstId, 'closed', 'HealthStateResolved'],
        ['OPS-2', secondId, 'open', null],
        ['OPS-3', thirdId, 'open', null],
      ],
    );
    assert.equal((await linked(thirdId))[0].id, 'OPS-3');
  });
});
