import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tickwire.js', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('tickwire command', () => {
  it('prints help listing the commands and every option', () => {
    const result = run('help');
    assert.equal(result.status, 0);
    for (const word of [
      'start',
      'bench',
      '--port',
      '--host',
      '--bus',
      '--feed',
      '--symbols',
      '--workers',
      '--config',
    ]) {
      assert.ok(result.stdout.includes(word), `help mentions ${word}`);
    }
  });

  it('rejects an unknown command with exit code 2', () => {
    const result = run('launch');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command "launch"/);
  });

  it('rejects invalid configuration naming the key, with exit code 2', () => {
    const result = run('start', '--port', 'abc');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /BAD_CONFIG: invalid configuration: port \(from --port\)/);
  });

  it('exits 1 naming the URL when the feed cannot start, instead of hanging on its workers', () => {
    const result = run(
      'start',
      '--port',
      '0',
      '--feed',
      'binance',
      '--binance-rest-url',
      'http://127.0.0.1:1',
    );
    assert.equal(result.status, 1, `exit status ${result.status}, signal ${result.signal}`);
    assert.match(
      result.stderr,
      /FEED_REST_FAILED: GET http:\/\/127\.0\.0\.1:1\/api\/v3\/exchangeInfo failed/,
    );
  });

  it('exits 1 when the port is taken, instead of hanging on its workers', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      // The port is bound in the kernel, so blocking this event loop in spawnSync changes nothing.
      const result = run('start', '--port', String(port), '--symbols', '5');
      assert.equal(result.status, 1, `exit status ${result.status}, signal ${result.signal}`);
      assert.match(result.stderr, /EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('rejects an unknown flag with exit code 2', () => {
    const result = run('start', '--prot', '1');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--prot/);
  });

  it('starts the platform, serves health and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--symbols', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no start line in time; output so far: ${output}`)),
        30_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
    });
    const health = await fetch(`${url}/health/live`);
    assert.equal(health.status, 200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.match(output, /"msg":"stopped"/);
  });
});
