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
      ['CLIENT_ERROR_CODES', 'TickwireApi', 'TickwireApiError', 'TickwireClient', 'TickwireClientError'],
      'function',
    ]);
  });

  it('ships declarations, and neither its code nor its types import anything of Node', () => {
    const entry = new URL('../../dist/src/client/', import.meta.url);
    assert.match(readFileSync(new URL('index.d.ts', entry), 'utf8'), /TickwireClient/);
    const seen = new Set<string>();
    const visit = (file: URL) => {
      if (seen.has(file.href)) return;
      seen.add(file.href);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from ["']([^"']+)["']/g)) {
        assert.ok(!specifier!.startsWith('node:'), `${file.pathname} imports ${specifier}`);
        // Declarations keep the source's `.ts` specifiers, which TypeScript resolves to `.d.ts`.
        if (specifier!.startsWith('.')) visit(new URL(specifier!.replace(/(?<!\.d)\.ts$/, '.d.ts'), file));
      }
    };
    // The code, and the declarations (the server's answer types come from modules without Node).
    visit(new URL('index.js', entry));
    visit(new URL('index.d.ts', entry));
    assert.ok(seen.size > 20, `${seen.size} modules reached`);
  });
});
