import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tickwire.js', import.meta.url));

describe('tickwire sim', () => {
  it('rejects an invalid flag value naming the flag, with exit code 2', () => {
    const result = spawnSync(process.execPath, [BIN, 'sim', '--rate', 'fast'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /BAD_CONFIG: invalid simulator option: eventsPerSecond \(--rate\)/);
  });

  it('prints its URLs, serves REST and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'sim', '--port', '0', '--symbols', 'BTCUSDT,ETHUSDT', '--seed', '3'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in time; output: ${output}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /REST\s+(http:\/\/[^/\s]+)/.exec(output);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      });
    });
    const response = await fetch(`${url}/api/v3/ticker/price?symbol=ETHUSDT`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { symbol: string }).symbol, 'ETHUSDT');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
