import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sdk } from './support/sdk';
import { API_KEY, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

// The console asks this before it offers any write action.
describe(`whoami (${TEST_DB})`, () => {
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
});
