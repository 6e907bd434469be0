import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { loadConfig } from '../src/config/index.ts';
import { startPlatform } from '../src/platform/index.ts';
import { chromiumPath, launchBrowser } from '../test/support/browser.ts';
import type { Bench, BenchContext } from './harness.ts';

/**
 * The dashboard in Debian's Chromium, on a node running the default market (100 symbols, 5,000
 * events/s):
 * - `load_ms`: from navigation to the first BTCUSDT price on the market page (the page, its
 *   script, the WebSocket, the first ticks), against navigating to a bare JSON route of the same
 *   server (the browser's own floor);
 * - `frame_p99_ms_*` and `dropped_frame_share_*` while the market page takes every symbol's trades
 *   and quotes and the selected symbol's book (`messages_per_s`: JSON messages and binary ticks on
 *   its WebSocket): `light`
 *   at a twenty-fifth of the market's rate (about 2,000 messages a second, above the 1,000 ticks/s
 *   goal), `default` at the whole default market; against the same page with the market paused.
 *   A frame counts as dropped when it took longer than 1.5 × 16.7 ms.
 */
const bench: Bench = {
  name: 'dashboard',
  description: 'dashboard load time and frame times under the default market, in headless Chromium',
  async run(ctx: BenchContext) {
    if (chromiumPath() === undefined)
      throw new Error('the dashboard bench needs chromium (apt-get install chromium)');
    const dir = mkdtempSync(join(tmpdir(), 'tickwire-dashboard-bench-'));
    const platform = await startPlatform(
      loadConfig({
        flags: { port: '0', logLevel: 'silent', db: join(dir, 'tickwire.db') },
      }),
      pino({ level: 'silent' }),
    );
    const browser = await launchBrowser();
    try {
      const seconds = ctx.quick ? 2 : 10;
      const loads: number[] = [];
      const floors: number[] = [];
      for (let i = 0; i < (ctx.quick ? 1 : 5); i++) {
        const page = await browser.newPage();
        let started = performance.now();
        await page.goto(`${platform.url}/health/live`);
        floors.push(performance.now() - started);
        started = performance.now();
        await page.goto(`${platform.url}/#/market`);
        await page.getByTestId('last-BTCUSDT').filter({ hasText: /\d/ }).waitFor();
        loads.push(performance.now() - started);
        await page.close();
      }
      ctx.report({
        metric: 'load_ms',
        value: median(loads),
        unit: 'ms',
        better: 'lower',
        baseline: 'navigating to /health/live',
        baseline_value: median(floors),
        runs: loads.length,
      });

      const page = await browser.newPage();
      let messages = 0;
      // Messages, not WebSocket frames: a binary frame carries several 64-byte ticks.
      page.on('websocket', (socket) =>
        socket.on('framereceived', ({ payload }) => {
          messages += typeof payload === 'string' ? 1 : Math.max(1, payload.length / 64);
        }),
      );
      await page.goto(`${platform.url}/#/market`);
      await page.getByTestId('last-BTCUSDT').filter({ hasText: /\d/ }).waitFor();
      /** The page's frames while the market runs at `rateFactor` of its 5,000 events/s (the slowDown fault). */
      const measure = async (rateFactor: number) => {
        if (rateFactor < 1) {
          await fetch(`${platform.simulatorUrl}/sim/faults`, {
            method: 'POST',
            body: JSON.stringify({ kind: 'slowDown', durationMs: (seconds + 2) * 1000, rateFactor }),
          });
        }
        await page.waitForTimeout(1_000);
        const before = messages;
        const frames = await frameTimes(page, seconds);
        return { ...frames, messagesPerSecond: Math.round((messages - before) / seconds) };
      };
      const idle = await measure(0);
      const runs = { light: await measure(LIGHT_RATE_FACTOR), default: await measure(1) };
      await page.close();
      for (const [name, run] of Object.entries(runs)) {
        const extra = {
          market_events_per_s: name === 'light' ? 5_000 * LIGHT_RATE_FACTOR : 5_000,
          messages_per_s: run.messagesPerSecond,
          frames: run.count,
          seconds,
        };
        const baseline = 'the same page, market paused';
        ctx.report({
          metric: `frame_p99_ms_${name}`,
          value: run.p99,
          unit: 'ms',
          better: 'lower',
          baseline,
          baseline_value: idle.p99,
          ...extra,
        });
        ctx.report({
          metric: `dropped_frame_share_${name}`,
          value: run.dropped,
          unit: 'ratio',
          better: 'lower',
          baseline,
          baseline_value: idle.dropped,
          ...extra,
        });
      }
    } finally {
      await browser.close();
      await platform.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const FRAME_MS = 1000 / 60;
/** A twenty-fifth of the default market: about 2,000 messages a second reach the page, above the 1,000 ticks/s goal. */
const LIGHT_RATE_FACTOR = 0.04;

/** The page's animation frames for `seconds`: their 99th percentile interval and the share dropped. */
async function frameTimes(
  page: Page,
  seconds: number,
): Promise<{ p99: number; dropped: number; count: number }> {
  // A string, not a function: the bench runs under tsx, whose helpers a serialized function would
  // carry into the page.
  const intervals = (await page.evaluate(`new Promise((resolve) => {
    const times = [];
    const frame = (time) => {
      times.push(time);
      if (time - times[0] < ${seconds * 1000}) requestAnimationFrame(frame);
      else resolve(times.slice(1).map((t, i) => t - times[i]));
    };
    requestAnimationFrame(frame);
  })`)) as number[];
  const sorted = [...intervals].sort((a, b) => a - b);
  return {
    p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
    dropped: intervals.filter((interval) => interval > FRAME_MS * 1.5).length / Math.max(1, intervals.length),
    count: intervals.length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default bench;
