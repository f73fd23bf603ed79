import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { operations } from './support/spec-client';
import { startTestApp, TestApp } from './support/test-app';
import { TEST_DB } from './support/test-database';

// A page served by the service itself, the same on either database: checked once, in the embedded run.
describe('API reference page (/docs)', { skip: TEST_DB === 'postgres' ? 'checked in the embedded run' : false }, () => {
  let app: TestApp;
  let browser: Browser;
  before(async () => {
    app = await startTestApp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows every operation of the spec, with nothing loaded from outside the service', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    const origin = new URL(app.url).origin;
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`${app.url}/docs`);
    assert.equal(response?.status(), 200);
    await page.waitForSelector('.opblock-summary-operation-id', { timeout: 30_000 });
    const shown = await page.$$eval('.opblock-summary-operation-id', (nodes) =>
      nodes.map((n) => (n.textContent ?? '').trim()),
    );
    assert.deepEqual([...shown].sort(), Object.keys(operations).sort());
    assert.equal(await page.title(), 'Alert Relay API reference');
    assert.match((await page.textContent('body')) ?? '', /Follow every change \(the change feed\)/);
    assert.deepEqual(outside, [], 'the page requested something from outside the service');
    assert.deepEqual(errors, []);
  });
});
