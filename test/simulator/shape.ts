import assert from 'node:assert/strict';

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Asserts that `actual` has exactly the fields of the documented `example`, each with the same
 * JSON type, recursively (arrays: each element against the example's first, or position by
 * position for a row of mixed types such as a kline). Fields in
 * `nullable` may be null or the example's type (`N`, the commission asset, is null before a fill).
 */
export function assertShape(
  actual: unknown,
  example: unknown,
  path = '$',
  nullable: readonly string[] = [],
): void {
  const name = path.split('.').at(-1)!;
  if (actual === null && nullable.includes(name)) return;
  if (example === null && nullable.includes(name)) {
    assert.equal(typeof actual, 'string', `${path}: a string or null`);
    return;
  }
  assert.equal(kind(actual), kind(example), `${path}: ${kind(actual)} where the docs have ${kind(example)}`);
  if (Array.isArray(example)) {
    const elements = actual as unknown[];
    // A row of mixed types (a kline) is a tuple: position by position; otherwise a list of alike.
    const tuple = new Set(example.map(kind)).size > 1;
    if (tuple) assert.equal(elements.length, example.length, `${path}: ${example.length} fields`);
    for (const [i, element] of elements.entries())
      assertShape(element, tuple ? example[i] : example[0], `${path}[${i}]`, nullable);
  } else if (kind(example) === 'object') {
    const want = Object.keys(example as object).sort();
    const have = Object.keys(actual as object).sort();
    assert.deepEqual(have, want, `${path}: fields`);
    for (const key of want)
      assertShape(
        (actual as Record<string, unknown>)[key],
        (example as Record<string, unknown>)[key],
        `${path}.${key}`,
        nullable,
      );
  }
}
