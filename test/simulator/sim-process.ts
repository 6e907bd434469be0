import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tickwire.js', import.meta.url));

/** What the tests read of `GET /sim/stats`. */
export interface SimProcessStats {
  subscriptions: number;
  silencedEvents: number;
  connectionList: { id: number; streams: number }[];
}

/** `tickwire sim` in a child process (its own event loop and core, as an exchange would be). */
export interface SimProcess {
  readonly url: string;
  readonly wsUrl: string;
  /** Every symbol the simulator lists in exchangeInfo, in its order. */
  readonly symbols: string[];
  stats(): Promise<SimProcessStats>;
  /** Posts one fault to `/sim/faults`, asserts it was accepted and returns the answer. */
  fault(body: object): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startSimProcess(options: {
  symbols: number;
  eventsPerSecond: number;
  seed: number;
}): Promise<SimProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      'sim',
      '--port',
      '0',
      '--symbols',
      String(options.symbols),
      '--rate',
      String(options.eventsPerSecond),
      '--seed',
      String(options.seed),
      // The feeds these tests run lift Binance's REST weight limit; so does the simulator.
      '--weight-limit',
      '1000000000',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator printed no URL: ${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /REST\s+(http:\/\/[^/\s]+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
  });
  const info = (await (await fetch(`${url}/api/v3/exchangeInfo`)).json()) as {
    symbols: { symbol: string }[];
  };
  const symbols = info.symbols.map((entry) => entry.symbol);
  assert.equal(symbols.length, options.symbols);
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    symbols,
    stats: async () => (await (await fetch(`${url}/sim/stats`)).json()) as SimProcessStats,
    async fault(body) {
      const response = await fetch(`${url}/sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200, `fault ${JSON.stringify(body)} accepted`);
      return (await response.json()) as Record<string, unknown>;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
