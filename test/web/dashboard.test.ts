import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';
import { browserSkipReason, launchBrowser } from '../support/browser.ts';

const skip = browserSkipReason();
/** Screenshots of each page, kept after the run as test artifacts (git ignores the folder). */
const ARTIFACTS = new URL('../../test-results/dashboard/', import.meta.url);
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
const dir = mkdtempSync(join(tmpdir(), 'tickwire-dashboard-'));

function startNode(port = '0'): Promise<Platform> {
  const config = loadConfig({
    flags: {
      port,
      symbols: 'BTCUSDT,ETHUSDT',
      workers: '1',
      logLevel: 'silent',
      db: join(dir, `tickwire-${Date.now()}.db`),
    },
  });
  return startPlatform(config, pino({ level: 'silent' }));
}

describe('the dashboard in a headless browser', { skip }, () => {
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  before(async () => {
    platform = await startNode();
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('market watch without a login: live prices that change, a chart, an order book', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The chart starts from the venue's candles, the book from the node's own book.
    const history = page.waitForResponse((response) => response.url().includes('/api/v1/klines'));
    const snapshot = page.waitForResponse((response) => response.url().includes('/api/v1/depth'));
    await page.goto(platform.url);
    assert.equal((await history).status(), 200);
    assert.equal((await snapshot).status(), 200);
    const last = page.getByTestId('last-BTCUSDT');
    await last.filter({ hasText: /\d/ }).waitFor();
    const first = await last.textContent();
    // A later trade prints another price (bounded: the test runner's timeout).
    while ((await last.textContent()) === first) await page.waitForTimeout(100);
    assert.ok((await page.getByTestId('chart').locator('canvas').count()) > 0, 'the chart draws on canvases');
    const levels = page.getByTestId('order-book').locator('tbody tr');
    await levels.nth(9).waitFor();
    // Asks above bids, each side best nearest the middle.
    const prices = (await levels.locator('td:first-child').allTextContents()).map(Number);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => b - a),
      prices.join(' '),
    );
    await screenshot(page, 'market');
    assert.deepEqual(errors, []);
  });

  it('signs in, places an order and sees its fill; creates and starts a bot', async () => {
    await page.getByPlaceholder('API key').fill(platform.trading.demoApiKey!);
    await page.getByRole('button', { name: 'sign in' }).click();
    await page.getByTestId('account').filter({ hasText: 'demo' }).waitFor();

    await page.goto(`${platform.url}/#/trading`);
    await page.getByRole('button', { name: 'place' }).click();
    await page
      .getByTestId('order-message')
      .filter({ hasText: /FILLED|NEW/ })
      .waitFor();
    await page.getByTestId('fills').locator('tbody tr').first().waitFor();
    await page.getByTestId('positions').getByText('BTCUSDT').waitFor();
    await screenshot(page, 'orders');

    await page.goto(`${platform.url}/#/bots`);
    await page.getByRole('button', { name: 'create' }).click();
    const created = await page.getByTestId('bot-message').filter({ hasText: 'created' }).textContent();
    const botId = created!.replace('created ', '');
    const row = page.getByTestId('bots').locator('tr', { hasText: botId });
    await row.getByRole('button', { name: 'start' }).click();
    await page.getByTestId(`bot-status-${botId}`).filter({ hasText: 'running' }).waitFor();
    await row.click();
    await page.getByTestId('bot-fills').locator('tr').first().waitFor();
    await page.locator('h2', { hasText: '(averaging)' }).waitFor();
    await screenshot(page, 'bot');
    // The row is redrawn as the bot's events arrive: a dispatched click does not wait for it to hold still.
    await row.getByRole('button', { name: 'stop' }).dispatchEvent('click');
    await page.getByTestId(`bot-status-${botId}`).filter({ hasText: 'stopped' }).waitFor();
  });

  it('latency and system pages show live figures', async () => {
    await page.goto(`${platform.url}/#/latency`);
    await page.getByTestId('latency').locator('tbody tr').first().waitFor();
    await screenshot(page, 'latency');
    await page.goto(`${platform.url}/#/system`);
    await page.getByTestId('cpu').locator('tbody tr').first().waitFor();
    await page.getByTestId('components').getByText('feed').waitFor();
    await page.getByTestId('event-loop').waitFor();
    await page
      .getByTestId('books')
      .filter({ hasText: /^\d+ of \d+$/ })
      .waitFor();
    await screenshot(page, 'system');
  });

  it('says when the connection is lost and when it has recovered (the node restarted)', async () => {
    // Signed out: the restarted node has a new demo key, which the page's old one would not match.
    await page.getByRole('button', { name: 'sign out' }).click();
    await page.goto(`${platform.url}/#/market`);
    await page.getByTestId('last-BTCUSDT').filter({ hasText: /\d/ }).waitFor();
    const port = new URL(platform.url).port;
    await platform.stop();
    await page.getByTestId('connection').filter({ hasText: 'Connection lost' }).waitFor();
    await screenshot(page, 'connection-lost');
    platform = await startNode(port);
    await page.getByTestId('connection').filter({ hasText: 'recovered' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'connection-recovered');
  });
});
