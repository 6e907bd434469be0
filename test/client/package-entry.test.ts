import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/**
 * `tickwire/client` is compiled JavaScript with types (built by `npm install`, the `prepare`
 * script): it loads in plain Node, without a TypeScript loader, and what it loads imports none of
 * Node's modules, so a browser bundle of it carries no server code.
 */
describe('the tickwire/client package entry', () => {
  it('loads as ESM in plain Node through the exports map', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const script =
      "const c = await import('tickwire/client'); const r = await import('tickwire/client/react');" +
      'console.log(JSON.stringify([Object.keys(c).sort(), typeof r.useTopic]))';
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
    }).toString();
    assert.deepEqual(JSON.parse(output), [
      ['CLIENT_ERROR_CODES', 'TickwireClient', 'TickwireClientError'],
      'function',
    ]);
  });

  it('ships declarations, and imports nothing of Node', () => {
    const entry = new URL('../../dist/src/client/', import.meta.url);
    assert.match(readFileSync(new URL('index.d.ts', entry), 'utf8'), /TickwireClient/);
    const seen = new Set<string>();
    const visit = (file: URL) => {
      if (seen.has(file.href)) return;
      seen.add(file.href);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from ["']([^"']+)["']/g)) {
        assert.ok(!specifier!.startsWith('node:'), `${file.pathname} imports ${specifier}`);
        if (specifier!.startsWith('.')) visit(new URL(specifier!, file));
      }
    };
    visit(new URL('index.js', entry));
    assert.ok(seen.size > 10, `${seen.size} modules reached`);
  });
});
