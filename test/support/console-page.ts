import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { eventually } from './fake-channel';

/** A browser tab on the console that records every script error and console error it sees. */
export interface ConsoleTab {
  page: Page;
  /** Page errors, console errors (CSP violations among them) and failed requests, in order. */
  errors: string[];
}

export async function openTab(
  browser: Browser,
  options: { width?: number; height?: number } = {},
): Promise<ConsoleTab> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { page, errors };
}

/** Opens the login page and signs in; resolves once the notifications list is on screen. */
export async function signIn(tab: ConsoleTab, baseUrl: string, key: string): Promise<void> {
  await tab.page.goto(`${baseUrl}/console/`);
  await tab.page.getByLabel('API key').fill(key);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.getByRole('heading', { name: 'Notifications' }).waitFor();
}

/** The notifications table's rows, as the titles they show. */
export function rowTitles(page: Page): Promise<string[]> {
  return page.locator('table.notifications tbody td.title').allTextContents();
}

/** Resolves once the list shows exactly these titles (or this many rows). */
export function shows(page: Page, expected: string[] | number): Promise<true> {
  return eventually(
    async () => {
      const titles = await rowTitles(page);
      const ok = typeof expected === 'number' ? titles.length === expected : titles.join('\n') === expected.join('\n');
      return ok || undefined;
    },
    5000,
    `the list to show ${JSON.stringify(expected)}`,
  );
}

/**
 * Saves a screenshot for the docs when CONSOLE_SCREENSHOTS names a folder (npm run console:screenshots);
 * otherwise nothing, so that `npm test` leaves the work tree as it found it.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * The form controls in `main` that have no accessible name (no <label>, aria-label or aria-labelledby),
 * as `tag[name]`: an empty list when every control is labelled. (A string: the tests have no DOM types.)
 */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`
    Array.from(document.querySelectorAll('main input, main select, main textarea'))
      .filter((c) => c.type !== 'hidden' && c.labels.length === 0)
      .filter((c) => !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
      .map((c) => c.tagName.toLowerCase() + '[' + c.name + ']')
  `);
}

/** How many pixels the page is wider than the window (0 or less: it fits). */
export function overflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}
