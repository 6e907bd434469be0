import assert from 'node:assert/strict';
import { type ErrorCode, isTickwireError } from '../../src/errors.ts';

/** An assert.throws validator: a TickwireError with `code` whose message contains every fragment. */
export function tickwireError(code: ErrorCode, ...fragments: string[]) {
  return (error: unknown): true => {
    assert.ok(isTickwireError(error, code), `expected ${code}, got ${String(error)}`);
    for (const fragment of fragments) {
      assert.ok(
        error.message.includes(fragment),
        `message ${JSON.stringify(error.message)} lacks ${fragment}`,
      );
    }
    return true;
  };
}
