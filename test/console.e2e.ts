import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { ConsoleTab, openTab, rowTitles, screenshot, shows, signIn, unlabelledControls } from './support/console-page';
import { FAST_DELIVERY } from './support/delivery-config';
import { eventually, FakeChannel } from './support/fake-channel';
import { monascaAlarm, stackStateClose, stackStateOpen } from './support/fixtures';
import { sdk } from './support/sdk';
import { call } from './support/spec-client';
import {
  API_KEY,
  defaultTestConfig,
  MONASCA_KEY,
  STACKSTATE_TOKEN,
  startTestApp,
  TestApp,
  WRITE_API_KEY,
} from './support/test-app';
import { TEST_DB } from './support/test-database';

const HOSTILE_TITLE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> HTML in a title';

// The console is files served by the service plus the API, the same on either database: checked once,
// in the embedded run, with one browser for the whole file.
describe(
  'operator console (/console)',
  { skip: TEST_DB === 'postgres' ? 'checked in the embedded run' : false },
  () => {
    let app: TestApp;
    let browser: Browser;
    let tab: ConsoleTab;
    const hook = new FakeChannel();
    const pager = new FakeChannel();
    // A receiver that answers 410 Gone: the first delivery to it disables its channel.
    const gone = new FakeChannel();
    const ids = {} as Record<'database' | 'disk' | 'hostile' | 'monasca' | 'resolved', string>;
    const writer = () => sdk(app.url, WRITE_API_KEY);

    const stackstate = async (body: ReturnType<typeof stackStateOpen> | ReturnType<typeof stackStateClose>) => {
      const answer = await call(app.url, 'receiveStackStateEvent', {
        body,
        headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
      });
      assert.equal(answer.status, 200);
      return answer.body.notificationId as string;
    };
    const sentToHook = (id: string, kind: string) =>
      eventually(() =>
        Promise.resolve(
          hook.requests.some((r) => r.json?.data?.notification?.id === id && r.json?.type === `notification.${kind}`) ||
            undefined,
        ),
      );
    const open = (title: string, state = 'CRITICAL', host = 'catalogue', tags: string[] = []) => {
      const body = stackStateOpen({ title, state });
      body.component.name = host;
      body.component.tags.push(...tags);
      return { body, id: stackstate(body) };
    };

    before(async () => {
      await Promise.all([hook.start(), pager.start(), gone.start()]);
      gone.answer = () => ({ status: 410, body: 'gone' });
      // The pager refuses (404: a permanent failure) until a test says otherwise: its delivery is dead.
      pager.answer = () => ({ status: 404, body: 'no such hook' });
      app = await startTestApp({
        config: {
          ...defaultTestConfig(),
          channels: {
            hook: { type: 'webhook', url: `${hook.url}/hook` },
            pager: { type: 'webhook', url: `${pager.url}/pager` },
            gone: { type: 'webhook', url: `${gone.url}/gone` },
          },
          routes: [
            { name: 'gone', match: { tags: 'relay:gone' }, channels: ['gone'] },
            { name: 'stackstate', match: { source: 'stackstate' }, channels: ['hook'] },
            { name: 'monasca', match: { source: 'monasca' }, channels: ['pager'] },
          ],
          delivery: FAST_DELIVERY,
        },
      });
      // Stored through the real webhooks, as producers send them.
      const database = open('Database down', 'CRITICAL', 'db-7', ['team:storage']);
      ids.database = await database.id;
      // Sent before it changes, so that the update does not supersede it: two deliveries to show.
      await sentToHook(ids.database, 'opened');
      await stackstate({ ...database.body, event: { ...database.body.event, title: 'Database down (replica too)' } });
      ids.disk = await open('Disk filling up', 'DEVIATING', 'web-1').id;
      ids.hostile = await open(HOSTILE_TITLE).id;
      const resolved = open('Was down, now fine', 'CRITICAL', 'web-2');
      ids.resolved = await resolved.id;
      await stackstate(stackStateClose(resolved.body.notificationId));
      const monasca = await call(app.url, 'receiveMonascaAlarm', {
        params: { key: MONASCA_KEY },
        body: monascaAlarm({ alarm_name: 'cpu_high', alarm_description: 'CPU above 95 %' }),
      });
      ids.monasca = monasca.body.notificationId as string;
      browser = await launchChromium();
      tab = await openTab(browser);
    });
    after(async () => {
      await browser?.close();
      await app?.close();
      await Promise.all([hook.close(), pager.close(), gone.close()]);
    });

    it('refuses a wrong key with a clear message, then signs in with a right one', async () => {
      const { page } = tab;
      await page.goto(`${app.url}/console/`);
      await screenshot(page, 'login');
      await page.getByLabel('API key').fill('not-a-key-0123456789');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'That API key is not valid' }).waitFor();
      // The browser logs the 401 it was meant to get; nothing else may have gone wrong.
      assert.deepEqual(
        tab.errors.filter((e) => !/status of 401/.test(e)),
        [],
      );
      tab.errors.length = 0;
      await page.getByLabel('API key').fill(WRITE_API_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Notifications' }).waitFor();
      assert.equal(await page.locator('.key').textContent(), 'ticket-sync');
      // Kept for the tab only, never written into the page.
      assert.equal(await page.evaluate('sessionStorage.length + localStorage.length'), 1);
      assert.ok(!(await page.content()).includes(WRITE_API_KEY));
    });

    it('lists the open notifications, newest changes first, also in a fresh browser', async () => {
      // A fresh browser context (nothing cached), already signed in, then again with the cache. How fast:
      // npm run bench:console.
      const cold = await openTab(browser);
      await cold.page.addInitScript(`sessionStorage.setItem('alert-relay.apiKey', '${API_KEY}')`);
      for (let run = 0; run < 2; run++) {
        await cold.page.goto(`${app.url}/console/`);
        await cold.page.locator('table.notifications tbody tr').first().waitFor();
      }
      assert.deepEqual(cold.errors, []);
      await cold.page.close();
      const { page } = tab;
      await page.goto(`${app.url}/console/`);
      await page.locator('table.notifications tbody tr').first().waitFor();
      assert.deepEqual(await rowTitles(page), [
        'cpu_high',
        HOSTILE_TITLE,
        'Disk filling up',
        'Database down (replica too)',
      ]);
      const database = page.locator(`tr[data-id="${ids.database}"]`);
      assert.equal(await database.locator('.badge.sev-critical').textContent(), 'critical');
      assert.match((await database.textContent()) ?? '', /db-7/);
      await page.locator('.live-live').waitFor();
      await screenshot(page, 'notifications');
    });

    it('filters by status, severity, source, host, tag and text, and orders, in the address', async () => {
      const { page } = tab;
      const reset = async () => {
        await page.getByRole('button', { name: 'Reset' }).click();
        await page.waitForURL(/\/console\/$/);
      };
      await page.getByLabel('Severity').selectOption('warning');
      await page.waitForURL(/severity=warning/);
      await shows(page, ['Disk filling up']);
      await reset();
      await page.getByLabel('Source').fill('monasca');
      await page.getByLabel('Source').press('Enter');
      await shows(page, ['cpu_high']);
      await reset();
      await page.getByLabel('Tag').fill('team:storage');
      await page.getByLabel('Text').fill('replica');
      await page.getByRole('button', { name: 'Apply' }).click();
      await shows(page, ['Database down (replica too)']);
      await reset();
      await page.getByLabel('Host').fill('db-7');
      await page.getByLabel('Host').press('Enter');
      await page.waitForURL(/host=db-7/);
      await shows(page, ['Database down (replica too)']);
      await reset();
      // Newest changes first by default; the order is in the address too.
      await page.getByLabel('Order').selectOption('openedAt');
      await page.waitForURL(/sort=openedAt/);
      await shows(page, ['Database down (replica too)', 'Disk filling up', HOSTILE_TITLE, 'cpu_high']);
      assert.match((await page.getByTestId('count').textContent()) ?? '', /oldest opened first/);
      await reset();
      assert.match((await page.getByTestId('count').textContent()) ?? '', /newest changes first/);
      await page.getByLabel('Status').selectOption('closed');
      await shows(page, ['Was down, now fine']);
      // A filtered view survives a reload: it lives in the address.
      await page.reload();
      await shows(page, ['Was down, now fine']);
      await reset();
      await shows(page, 4);
    });

    it('shows an HTML title as text and runs nothing of it', async () => {
      const { page } = tab;
      const cell = page.locator(`tr[data-id="${ids.hostile}"] td.title`);
      assert.equal(await cell.textContent(), HOSTILE_TITLE);
      assert.equal(await page.locator('img[src="x"], main script').count(), 0);
      await cell.getByRole('link').click();
      await page.getByRole('heading', { name: HOSTILE_TITLE }).waitFor();
      assert.equal(await page.evaluate('window.__xss'), undefined);
      assert.equal(await page.locator('img[src="x"], main script').count(), 0);
    });

    it('shows the timeline and every delivery with each attempt', async () => {
      const { page } = tab;
      await sentToHook(ids.database, 'updated');
      await page.goto(`${app.url}/console/notifications/${ids.database}`);
      await page.getByRole('heading', { name: 'Database down (replica too)' }).waitFor();
      // The timeline is its own query: it may arrive after the notification's heading.
      await page.locator('.timeline > li[data-type="updated"]').waitFor();
      assert.deepEqual(
        await page.locator('.timeline > li').evaluateAll((li) => li.map((e) => e.getAttribute('data-type'))),
        ['opened', 'updated'],
      );
      await page.locator('.timeline > li').first().getByText('Raw payload').click();
      assert.match(
        (await page.locator('.timeline > li').first().locator('pre').textContent()) ?? '',
        /"notificationId"/,
      );
      const deliveries = page.locator('.channel-deliveries[data-channel="hook"] .delivery[data-status="delivered"]');
      await eventually(async () => ((await deliveries.count()) === 2 ? true : undefined));
      const attempt = deliveries.first().locator('table.attempts tbody tr');
      assert.equal(await attempt.locator('td[data-label="Status"]').textContent(), '200');
      assert.equal(await attempt.locator('td[data-label="Answer"]').textContent(), 'ok');
      await screenshot(page, 'notification');
    });

    it('acknowledges, links a ticket and closes from the page; the API shows each', async () => {
      const { page } = tab;
      await page.getByText('Acknowledge…').click();
      const ack = page.getByRole('form', { name: 'Acknowledge' });
      await ack.getByLabel('Who').fill('alice');
      await ack.getByLabel('Why').fill('looking into it');
      await ack.getByRole('button', { name: 'Acknowledge' }).click();
      await page.locator('.headline .tone-ack').filter({ hasText: 'ack · alice' }).waitFor();
      const acked = (await writer().GET('/api/v1/notifications/{id}', { params: { path: { id: ids.database } } })).data;
      assert.equal(acked?.acknowledgement?.by, 'alice');
      assert.equal(acked?.acknowledgement?.reason, 'looking into it');

      await page.getByText('Link ticket…').click();
      const link = page.getByRole('form', { name: 'Link ticket' });
      await link.getByLabel('System').fill('jira');
      await link.getByLabel('Ticket id').fill('OPS-1234');
      await link.getByLabel('URL').fill('https://jira.example.com/browse/OPS-1234');
      await link.getByRole('button', { name: 'Link ticket' }).click();
      await page.getByRole('link', { name: 'jira: OPS-1234' }).waitFor();

      await page.getByText('Close…').click();
      const close = page.getByRole('form', { name: 'Close' });
      assert.equal(await close.getByLabel('Who').inputValue(), 'alice', 'remembered for this tab');
      await close.getByLabel('Why').fill('replica rebuilt');
      await close.getByRole('button', { name: 'Close' }).click();
      await page.locator('.headline .tone-closed').filter({ hasText: 'closed' }).waitFor();
      const closed = (await writer().GET('/api/v1/notifications/{id}', { params: { path: { id: ids.database } } }))
        .data;
      assert.equal(closed?.status, 'closed');
      assert.deepEqual(closed?.externalRefs, [
        { system: 'jira', id: 'OPS-1234', url: 'https://jira.example.com/browse/OPS-1234' },
      ]);
      // Closing by hand is delivered like any close, and shows up in the timeline.
      await sentToHook(ids.database, 'resolved');
      await eventually(async () =>
        (await page.locator('.timeline > li[data-type="closed"]').count()) === 1 ? true : undefined,
      );
    });

    it('retries a dead letter from the deliveries page', async () => {
      const { page } = tab;
      await page.getByRole('link', { name: 'Deliveries' }).click();
      const row = page.locator('.channel-deliveries[data-channel="pager"] tr[data-status="dead"]');
      await row.waitFor();
      assert.match((await row.locator('td[data-label="Last answer"]').textContent()) ?? '', /404/);
      await row.getByRole('link', { name: 'cpu_high' }).waitFor();
      await screenshot(page, 'deliveries');
      pager.answer = () => ({});
      await row.getByRole('button', { name: /^Retry/ }).click();
      await eventually(async () => {
        const { data } = await writer().GET('/api/v1/notifications/{id}/deliveries', {
          params: { path: { id: ids.monasca } },
        });
        return data?.items[0].status === 'delivered' ? true : undefined;
      });
      assert.equal(pager.requests.length, 2);
      await eventually(async () => ((await row.count()) === 0 ? true : undefined));
    });

    it('tests a channel and dry-runs a route from the channels page', async () => {
      const { page } = tab;
      await page.getByRole('link', { name: 'Channels' }).click();
      const row = page.locator('tr[data-channel="hook"]');
      assert.match((await row.textContent()) ?? '', /webhook/);
      const before = hook.requests.length;
      await row.getByRole('button', { name: 'Test hook' }).click();
      await row.getByRole('status').filter({ hasText: 'success' }).waitFor();
      assert.match((await row.getByRole('status').textContent()) ?? '', /success 200/);
      assert.equal(hook.requests.length, before + 1);

      const dryRun = page.getByRole('form', { name: 'Route dry run' });
      await dryRun.getByLabel('Source', { exact: true }).fill('monasca');
      await dryRun.getByRole('button', { name: 'Which channels?' }).click();
      const result = page.locator('.route-result');
      await result.waitFor();
      assert.match((await result.textContent()) ?? '', /Matched routes: monasca/);
      assert.equal(await result.locator('li[data-channel="pager"]').count(), 1);
      assert.equal(hook.requests.length, before + 1, 'a dry run sends nothing');
      await screenshot(page, 'channels');
    });

    it('shows a channel disabled by 410 Gone and enables it again (write key)', async () => {
      const id = await open('Receiver gone', 'CRITICAL', 'web-5', ['relay:gone']).id;
      const channel = async () => (await writer().GET('/api/v1/channels')).data?.items.find((c) => c.name === 'gone');
      await eventually(async () => ((await channel())?.disabled ? true : undefined));
      const { page } = tab;
      await page.reload();
      const row = page.locator('tr[data-channel="gone"]');
      await row.getByText('disabled: the endpoint answered 410 Gone').waitFor();
      assert.equal(
        await row.getByRole('link', { name: 'its dead letters' }).getAttribute('href'),
        '/console/deliveries?status=dead&channel=gone',
      );
      // A read key sees that it is disabled, and no Enable.
      const reader = await openTab(browser);
      try {
        await signIn(reader, app.url, API_KEY);
        await reader.page.goto(`${app.url}/console/channels`);
        await reader.page
          .locator('tr[data-channel="gone"]')
          .getByText('disabled: the endpoint answered 410 Gone')
          .waitFor();
        assert.equal(await reader.page.getByRole('button', { name: /Enable/ }).count(), 0);
        assert.deepEqual(reader.errors, []);
      } finally {
        await reader.page.close();
      }
      await screenshot(page, 'channels-disabled');
      await row.getByRole('button', { name: 'Enable gone' }).click();
      await eventually(async () => ((await row.locator('.tone-bad').count()) === 0 ? true : undefined));
      assert.equal(await row.getByRole('button', { name: 'Enable gone' }).count(), 0);
      assert.equal((await channel())?.disabled, null);
      // Its dead letter goes out once retried.
      gone.answer = () => ({});
      const [dead] = (await writer().GET('/api/v1/notifications/{id}/deliveries', { params: { path: { id } } })).data!
        .items;
      assert.equal(dead.status, 'dead');
      await writer().POST('/api/v1/deliveries/{id}/retry', { params: { path: { id: dead.id } } });
      await eventually(() => Promise.resolve(gone.requests.length === 2 || undefined));
    });

    it('adds a new alert to the list without a reload', async () => {
      const { page } = tab;
      await page.getByRole('link', { name: 'Notifications' }).click();
      await page.locator('table.notifications tbody tr').first().waitFor();
      await page.locator('.live-live').waitFor();
      await page.evaluate('window.__stay = 1');
      const title = `Fresh alert ${randomUUID().slice(0, 8)}`;
      const id = await open(title, 'CRITICAL', 'web-9').id;
      await page.locator(`tr[data-id="${id}"]`).waitFor({ timeout: 5000 });
      assert.equal((await rowTitles(page))[0], title);
      assert.equal(await page.evaluate('window.__stay'), 1, 'no reload');
    });

    it('labels every control on every page', async () => {
      const { page } = tab;
      const pages = [
        ['/', 'table.notifications tbody tr'],
        [`/notifications/${ids.disk}`, '.actions'],
        ['/deliveries', 'main form'],
        ['/channels', 'tr[data-channel="hook"]'],
      ];
      for (const [path, ready] of pages) {
        await page.goto(`${app.url}/console${path}`);
        await page.locator(ready).first().waitFor();
        // The action forms too, which are inside closed disclosures.
        for (const summary of await page.locator('main details > summary').all()) await summary.click();
        assert.deepEqual(await unlabelledControls(page), [], path);
      }
    });

    it('is usable by keyboard, in dark mode and at phone width', async () => {
      const { page } = tab;
      await page.goto(`${app.url}/console/`);
      await page.locator('table.notifications tbody tr').first().waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
      // Tab to the first notification's title, and open it with Enter.
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate("document.activeElement.closest('td.title') !== null")) break;
      }
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/console\/notifications\//);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${app.url}/console/`);
      await page.locator('table.notifications tbody tr').first().waitFor();
      const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      assert.equal(background, 'rgb(19, 20, 23)');
      await screenshot(page, 'notifications-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('table.notifications tbody tr').first().waitFor();
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `wider than a phone by ${overflow} px`);
      await screenshot(page, 'notifications-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    it('offers a read key no write action, not even while its kept key is checked again', async () => {
      const reader = await openTab(browser);
      try {
        await signIn(reader, app.url, API_KEY);
        const { page } = reader;
        assert.equal(await page.locator('.key').textContent(), 'ticketing · read only');
        // Each page below is opened afresh, with the key kept in the tab: the console shows it before
        // whoami answers, which is made to come late here (so the tab also goes on to the next page while
        // whoami is in flight: that must not sign it out). Any moment a write action is in the page is noted.
        await page.route('**/api/v1/whoami', async (route) => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          // The page may have gone on meanwhile.
          await route.continue().catch(() => undefined);
        });
        await page.addInitScript(`new MutationObserver(() => {
          const buttons = Array.from(document.querySelectorAll('main button'), (b) => b.textContent);
          if (document.querySelector('.actions') || buttons.some((b) => /Acknowledge|Close|Link|Retry|Test|Enable|End/.test(b))) {
            window.__offered = true;
          }
        }).observe(document, { childList: true, subtree: true });`);
        await page.goto(`${app.url}/console/notifications/${ids.monasca}`);
        await page.getByRole('heading', { name: 'cpu_high' }).waitFor();
        await page.locator('.delivery').first().waitFor();
        assert.equal(await page.locator('.actions').count(), 0);
        await page.goto(`${app.url}/console/deliveries?status=delivered`);
        await page.locator('tr[data-status="delivered"]').first().waitFor();
        await page.goto(`${app.url}/console/channels`);
        await page.locator('tr[data-channel="hook"]').waitFor();
        await page.getByRole('button', { name: 'Which channels?' }).waitFor();
        for (const url of [`/notifications/${ids.monasca}`, '/deliveries?status=delivered', '/channels']) {
          await page.goto(`${app.url}/console${url}`);
          await page.locator('main table').first().waitFor();
          const buttons = await page.locator('main button').allTextContents();
          assert.deepEqual(
            buttons.filter((b) => /Acknowledge|Close|Link|Retry|Test|Enable|End/.test(b)),
            [],
            url,
          );
          await page.locator('.key').filter({ hasText: 'read only' }).waitFor();
          assert.equal(await page.evaluate('window.__offered'), undefined, url);
        }
        assert.deepEqual(reader.errors, []);
      } finally {
        await reader.page.close();
      }
    });

    it('signs a tab out whose kept key is no longer accepted, saying why', async () => {
      const stale = await openTab(browser);
      try {
        const { page } = stale;
        await page.addInitScript(`sessionStorage.setItem('alert-relay.apiKey', 'revoked-key-0123456789')`);
        await page.goto(`${app.url}/console/`);
        const notice = page.locator('.notice').filter({ hasText: /^Signed out: .*\(HTTP 401\)$/ });
        await notice.waitFor();
        await page.getByLabel('API key').waitFor();
        assert.equal(await page.evaluate("sessionStorage.getItem('alert-relay.apiKey')"), null);
        // The browser logs the 401s it was meant to get (whoami, the feed's start, the list).
        assert.deepEqual(
          stale.errors.filter((e) => !/status of 401/.test(e)),
          [],
        );
      } finally {
        await stale.page.close();
      }
    });

    it('logged no script error and no console error on the way', () => {
      assert.deepEqual(tab.errors, []);
    });
  },
);
