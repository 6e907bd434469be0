import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, isTickwireError, TickwireError } from '../src/errors.ts';

describe('error codes', () => {
  it('are all documented in docs/ERRORS.md, and the page names no code that does not exist', () => {
    const page = readFileSync(new URL('../docs/ERRORS.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES))
      assert.ok(page.includes(`\`${code}\``), `${code} is documented`);
    const documented = [...page.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    for (const code of documented)
      assert.ok(code! in ERROR_CODES, `${code} in the docs exists in src/errors.ts`);
  });

  it('carry their code in the message and are recognised by isTickwireError', () => {
    const error = new TickwireError('BAD_TOPIC', 'topic "a..b" has an empty segment');
    assert.equal(error.message, 'BAD_TOPIC: topic "a..b" has an empty segment');
    assert.ok(isTickwireError(error));
    assert.ok(isTickwireError(error, 'BAD_TOPIC'));
    assert.ok(!isTickwireError(error, 'BAD_CONFIG'));
    assert.ok(!isTickwireError(new Error('BAD_TOPIC: x')));
  });
});
