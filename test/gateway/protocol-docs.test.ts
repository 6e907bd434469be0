import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CLOSE_CODES, REPLY_ERRORS } from '../../src/gateway/codes.ts';
import { PRESET_PATHS } from '../../src/gateway/presets.ts';

const page = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');

describe('docs/PROTOCOL.md', () => {
  it('lists every error reply code', () => {
    for (const code of Object.keys(REPLY_ERRORS)) assert.match(page, new RegExp(`\\| \`${code}\` \\|`), code);
  });

  it('lists every close code', () => {
    for (const [name, code] of Object.entries(CLOSE_CODES))
      assert.match(page, new RegExp(`^\\| ${code} \\|`, 'm'), name);
  });

  it('lists every preset path', () => {
    for (const path of PRESET_PATHS) assert.ok(page.includes(`\`${path}\``), path);
  });
});
