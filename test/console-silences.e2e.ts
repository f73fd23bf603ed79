import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { ConsoleTab, openTab, overflow, screenshot, signIn, unlabelledControls } from './support/console-page';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { stackStateOpen } from './support/fixtures';
import { sdk } from './support/sdk';
import { call } from './support/spec-client';
import { API_KEY, defaultTestConfig, STACKSTATE_TOKEN, startTestApp, TestApp, WRITE_API_KEY } from './support/test-app';
import { TEST_DB } from './support/test-database';

const HOUR = 3_600_000;
const HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> HTML';

/** A `datetime-local` value in this process's time zone (the browser's too: same machine, same TZ). */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// Silences in the console, against the real service on the embedded database (like console.e2e.ts):
// made from the form and from a notification, listed, holding a matching alert, ended (what it held is
// sent), and nothing to act with for a read key.
describe('operator console: silences', { skip: TEST_DB === 'postgres' ? 'checked in the embedded run' : false }, () => {
  let app: TestApp;
  let browser: Browser;
  let tab: ConsoleTab;
  const hook = new FakeChannel();
  const ids = {} as Record<'db' | 'web' | 'cache' | 'formSilence' | 'hostSilence', string>;
  let dbAlert: { event: object };
  const reader = () => sdk(app.url, API_KEY);

  const send = async (body: unknown) => {
    const answer = await call(app.url, 'receiveStackStateEvent', {
      body,
      headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
    });
    assert.equal(answer.status, 200);
    return answer.body.notificationId as string;
  };
  const alert = (title: string, host: string, team = 'Team A') => {
    const body = { ...stackStateOpen({ title }), metadata: { team } };
    body.component.name = host;
    return body;
  };
  const sentToHook = (id: string) =>
    hook.requests.filter((r) => r.json?.data?.notification?.id === id).map((r) => r.json?.type as string);
  const deliveries = async (id: string) =>
    (await reader().GET('/api/v1/notifications/{id}/deliveries', { params: { path: { id } } })).data?.items ?? [];

  before(async () => {
    await hook.start();
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        channels: { hook: { type: 'webhook', url: `${hook.url}/hook` } },
        routes: [{ name: 'stackstate', match: { source: 'stackstate' }, channels: ['hook'] }],
        delivery: { ...FAST_DELIVERY, releaseInterval: '100ms' },
      },
    });
    dbAlert = alert('Replication lag above 30 s', 'db-7');
    ids.db = await send(dbAlert);
    ids.web = await send(alert('Disk filling up', 'web-1'));
    await eventually(() => Promise.resolve(sentToHook(ids.db).length > 0 || undefined));
    browser = await launchChromium();
    tab = await openTab(browser);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await hook.close();
  });

  it('shows no silence yet; the form shows the API refusing a silence that ended in the past', async () => {
    const { page } = tab;
    await signIn(tab, app.url, WRITE_API_KEY);
    await page.getByRole('link', { name: 'Silences' }).click();
    await page.getByRole('heading', { name: 'Silences' }).waitFor();
    await page.getByText('No active silences.').waitFor();
    await page.getByRole('link', { name: 'New silence' }).click();
    const form = page.getByRole('form', { name: 'New silence' });
    await form.waitFor();
    assert.deepEqual(await unlabelledControls(page), []);
    // Who: the key's name (whoami) until the operator gives a name in this tab.
    assert.equal(await form.getByLabel('Created by').inputValue(), 'ticket-sync');
    const first = form.getByRole('group', { name: 'Matcher 1' });
    assert.equal(await first.getByLabel('Key').inputValue(), 'host');
    await first.getByLabel('Value').fill('web-*');
    await form.getByLabel('Ends at a time').check();
    await form.getByLabel('Ends', { exact: true }).fill(localInput(new Date(Date.now() - HOUR)));
    await form.getByLabel('Comment').fill('kernel upgrade');
    await form.getByRole('button', { name: 'Create silence' }).click();
    const refused = form.getByRole('alert');
    await refused.waitFor();
    assert.match((await refused.textContent()) ?? '', /^The silence cannot be created \(HTTP 400\)/);
    assert.equal(await refused.locator('li').textContent(), 'endsAt is in the past');
    await screenshot(page, 'silence-form-error');
    assert.deepEqual((await reader().GET('/api/v1/silences')).data?.items, []);
    // The browser logs the 400 it was meant to get; nothing else may have gone wrong.
    assert.deepEqual(
      tab.errors.filter((e) => !/status of 400/.test(e)),
      [],
    );
    tab.errors.length = 0;
  });

  it('creates a silence from the form (host and metadata.<key>, a duration); it lists as active', async () => {
    const { page } = tab;
    const form = page.getByRole('form', { name: 'New silence' });
    await form.getByLabel('Lasts').check();
    await form.getByLabel('Duration').fill('4h');
    await form.getByRole('button', { name: 'Add matcher' }).click();
    const second = form.getByRole('group', { name: 'Matcher 2' });
    await second.getByLabel('Key').selectOption('metadata');
    await second.getByLabel('Metadata key').fill('team');
    await second.getByLabel('Value').fill('storage');
    assert.match((await form.getByTestId('silence-window').textContent()) ?? '', /Holds from now until .*ends in 4 hr/);
    await form.getByRole('button', { name: 'Create silence' }).click();
    await page.getByRole('heading', { name: 'Silence: kernel upgrade' }).waitFor();
    ids.formSilence = /\/silences\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
    const stored = (await reader().GET('/api/v1/silences/{id}', { params: { path: { id: ids.formSilence } } })).data;
    assert.deepEqual(stored?.matchers, { host: ['web-*'], metadata: { team: ['storage'] } });
    assert.equal(stored?.createdBy, 'ticket-sync');
    assert.equal(stored?.state, 'active');
    const lasts = Date.parse(stored.endsAt) - Date.parse(stored.startsAt);
    assert.ok(lasts <= 4 * HOUR && lasts > 4 * HOUR - 60_000, `lasts ${lasts} ms`);

    await page.getByRole('link', { name: 'Silences', exact: true }).click();
    const row = page.locator(`table.silences tr[data-id="${ids.formSilence}"]`);
    await row.waitFor();
    assert.equal(await row.locator('td[data-label="State"]').textContent(), 'active');
    assert.equal(await row.locator('td[data-label="Comment"]').textContent(), 'kernel upgrade');
    assert.deepEqual(await row.locator('.matchers li').allTextContents(), ['host = web-*', 'metadata.team = storage']);
    assert.equal(await row.locator('td[data-label="Created by"]').textContent(), 'ticket-sync');
    assert.match((await row.locator('td[data-label="Ends"]').textContent()) ?? '', /in 4 hr/);
  });

  it('holds a matching alert: silenced in the list and on its page, its delivery held, nothing sent', async () => {
    const { page } = tab;
    ids.cache = await send(alert('Cache node down', 'web-3', 'storage'));
    await page.getByRole('link', { name: 'Notifications' }).click();
    const cache = page.locator(`tr[data-id="${ids.cache}"]`);
    await cache.waitFor();
    const badge = cache.getByRole('link', { name: /^silenced · ends in 4 hr/ });
    await badge.waitFor();
    assert.equal(await badge.getAttribute('href'), `/console/silences/${ids.formSilence}`);
    // Same host pattern, other metadata: not held.
    assert.equal(await page.locator(`tr[data-id="${ids.web}"] .tone-held`).count(), 0);
    // Newest change first: the held alert leads.
    assert.equal(await page.locator('table.notifications tbody tr').first().getAttribute('data-id'), ids.cache);

    await cache.getByRole('link', { name: 'Cache node down' }).click();
    await page.getByRole('heading', { name: 'Cache node down' }).waitFor();
    await page.getByRole('link', { name: 'silence by ticket-sync: kernel upgrade' }).waitFor();
    const held = page.locator('.channel-deliveries[data-channel="hook"] .delivery[data-status="held"]');
    await held.waitFor();
    assert.match((await held.locator('.hold').textContent()) ?? '', /^held by silence [0-9a-f]{8} · still held$/);
    assert.deepEqual(sentToHook(ids.cache), []);
    await screenshot(page, 'notification-silenced');
  });

  it('ends the silence from its page: what it held is sent, the delivery shows released', async () => {
    const { page } = tab;
    await page
      .locator('.headline')
      .getByRole('link', { name: /^silenced/ })
      .click();
    await page.getByRole('heading', { name: 'Silence: kernel upgrade' }).waitFor();
    await page.getByRole('button', { name: /^End/ }).click();
    await page.getByText('What it holds is sent now.').waitFor();
    await page.getByRole('button', { name: 'End now' }).click();
    await page.locator('.silence[data-state="expired"]').waitFor();
    await eventually(() => Promise.resolve(sentToHook(ids.cache).includes('notification.opened') || undefined));
    const released = (await deliveries(ids.cache)).find((d) => d.status === 'released');
    assert.ok(released?.hold?.releasedAs);

    await page.goto(`${app.url}/console/notifications/${ids.cache}`);
    const channel = page.locator('.channel-deliveries[data-channel="hook"]');
    await channel.locator('.delivery[data-status="delivered"]').waitFor();
    const note = (await channel.locator('.delivery[data-status="released"] .hold').textContent()) ?? '';
    assert.match(note, new RegExp(`released .* as delivery ${released.hold.releasedAs.slice(0, 8)}$`));
    assert.equal(await page.locator('.headline .tone-held').count(), 0);

    await page.getByRole('link', { name: 'Silences', exact: true }).click();
    await page.getByText('No active silences.').waitFor();
    await page.getByLabel('Expired').check();
    await page.locator(`tr[data-id="${ids.formSilence}"][data-state="expired"]`).waitFor();
    assert.equal(await page.locator(`tr[data-id="${ids.formSilence}"] button`).count(), 0, 'nothing to end');
  });

  it('silences a host from a notification (prefilled: its host, 2 h) and goes back to it', async () => {
    const { page } = tab;
    await page.goto(`${app.url}/console/notifications/${ids.db}`);
    await page.getByRole('heading', { name: 'Replication lag above 30 s' }).waitFor();
    await page.getByRole('link', { name: 'Silence this host…' }).click();
    const form = page.getByRole('form', { name: 'New silence' });
    await form.waitFor();
    await page.getByText('From the notification Replication lag above 30 s on db-7.').waitFor();
    const first = form.getByRole('group', { name: 'Matcher 1' });
    assert.equal(await first.getByLabel('Key').inputValue(), 'host');
    assert.equal(await first.getByLabel('Value').inputValue(), 'db-7');
    assert.equal(await form.getByLabel('Duration').inputValue(), '2h');
    assert.equal(await form.getByLabel('Lasts').isChecked(), true);
    await form.getByLabel('Comment').fill('failover drill');
    await screenshot(page, 'silence-new');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await page.waitForURL(`${app.url}/console/notifications/${ids.db}`);
    await page
      .locator('.headline')
      .getByRole('link', { name: /^silenced · ends in 2 hr/ })
      .waitFor();
    const active = (await reader().GET('/api/v1/silences', { params: { query: { state: 'active' } } })).data?.items;
    assert.equal(active?.length, 1);
    ids.hostSilence = active[0].id;
    assert.deepEqual(active[0].matchers, { host: ['db-7'] });
    assert.equal(active[0].comment, 'failover drill');
    const lasts = Date.parse(active[0].endsAt) - Date.parse(active[0].startsAt);
    assert.ok(lasts <= 2 * HOUR && lasts > 2 * HOUR - 60_000, `lasts ${lasts} ms`);

    // Its next change is held, and the page shows it.
    const before = sentToHook(ids.db).length;
    await send({ ...dbAlert, event: { ...dbAlert.event, title: 'Replication lag above 60 s' } });
    await page.getByRole('heading', { name: 'Replication lag above 60 s' }).waitFor();
    await page.locator('.delivery[data-status="held"]').waitFor();
    assert.equal(sentToHook(ids.db).length, before);
    await page.getByRole('link', { name: 'Silences', exact: true }).click();
    await page.getByLabel('All').check();
    await page.locator(`tr[data-id="${ids.formSilence}"][data-state="expired"]`).waitFor();
    await page.locator(`tr[data-id="${ids.hostSilence}"][data-state="active"]`).waitFor();
    await screenshot(page, 'silences');
  });

  it('fits a phone: the silences list and the form', async () => {
    const { page } = tab;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.locator(`tr[data-id="${ids.hostSilence}"]`).waitFor();
      assert.ok((await overflow(page)) <= 0, 'the list is wider than a phone');
      await page.getByRole('link', { name: 'New silence' }).click();
      await page.getByRole('form', { name: 'New silence' }).waitFor();
      assert.ok((await overflow(page)) <= 0, 'the form is wider than a phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('offers a read key no silence action, and shows it the same; the text of a silence stays text', async () => {
    const hostile = await sdk(app.url, WRITE_API_KEY).POST('/api/v1/silences', {
      body: {
        matchers: { host: HOSTILE, metadata: { [HOSTILE]: '*' } },
        endsAt: new Date(Date.now() + HOUR).toISOString(),
        comment: HOSTILE,
        createdBy: HOSTILE,
      },
    });
    assert.equal(hostile.response.status, 201);
    const read = await openTab(browser);
    try {
      await signIn(read, app.url, API_KEY);
      const { page } = read;
      await page.getByRole('link', { name: 'Silences' }).click();
      await page.locator(`tr[data-id="${ids.hostSilence}"]`).waitFor();
      const row = page.locator(`tr[data-id="${hostile.data?.id}"]`);
      assert.equal(await row.locator('td[data-label="Comment"]').textContent(), HOSTILE);
      assert.deepEqual(await row.locator('.matchers li').allTextContents(), [
        `host = ${HOSTILE}`,
        `metadata.${HOSTILE} = *`,
      ]);
      await row.getByRole('link', { name: HOSTILE }).click();
      await page.getByRole('heading', { name: `Silence: ${HOSTILE}` }).waitFor();
      assert.equal(await page.locator('img[src="x"], main script').count(), 0);
      assert.equal(await page.evaluate('window.__xss'), undefined);
      await page.goBack();
      assert.equal(await page.getByRole('link', { name: 'New silence' }).count(), 0);
      assert.equal(await page.locator('main button').count(), 0);
      await page.getByRole('link', { name: 'failover drill' }).click();
      await page.getByRole('heading', { name: 'Silence: failover drill' }).waitFor();
      assert.equal(await page.locator('main button').count(), 0);
      await page.goto(`${app.url}/console/notifications/${ids.db}`);
      await page
        .locator('.headline')
        .getByRole('link', { name: /^silenced/ })
        .waitFor();
      assert.equal(await page.getByRole('link', { name: 'Silence this host…' }).count(), 0);
      // The form is not offered at its address either (the API would refuse it: 403).
      await page.goto(`${app.url}/console/silences/new`);
      await page.getByText('This API key may only read').waitFor();
      assert.equal(await page.getByRole('form').count(), 0);
      assert.deepEqual(read.errors, []);
    } finally {
      await read.page.close();
    }
  });

  it('logged no script error and no console error on the way', () => {
    assert.deepEqual(tab.errors, []);
  });
});
