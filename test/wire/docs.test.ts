import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  hash64Hex,
  parseDecimal,
  SIDE,
  SymbolRegistry,
  symbolHash64,
  Tick,
  tickToJson,
} from '../../src/wire/index.ts';

// docs/WIRE.md is what a newcomer reads first; these tests keep its examples true.
const doc = readFileSync(new URL('../../docs/WIRE.md', import.meta.url), 'utf8');

function section(name: string): string {
  const begin = doc.indexOf(`<!-- ${name}: begin -->`);
  const end = doc.indexOf(`<!-- ${name}: end -->`);
  assert.ok(begin >= 0 && end > begin, `docs/WIRE.md lacks the ${name} markers`);
  return doc.slice(begin, end);
}

describe('docs/WIRE.md', () => {
  it('shows the bytes the code writes for the worked BTCUSDT example', () => {
    const symbols = new SymbolRegistry();
    const btc = symbols.info(symbols.register('BINANCE', 'BTCUSDT', { priceScale: 2, sizeScale: 8 }));
    const tick = new Tick().writeTrade(
      btc.venueId,
      btc.id,
      btc.priceScale,
      btc.sizeScale,
      5_123_456_789,
      SIDE.sell,
      1_763_719_200_123,
      0,
      1_763_719_200_125,
      431_552,
      parseDecimal('67123.45000000', btc.priceScale, 'price'),
      parseDecimal('0.00100000', btc.sizeScale, 'size'),
      5_123_456_789,
    );
    const documented = [...section('example-tick-hex').matchAll(/^((?:[0-9a-f]{2} ){7}[0-9a-f]{2})/gm)]
      .map((match) => match[1]!.replaceAll(' ', ''))
      .join('');
    assert.equal(documented, Buffer.from(tick.bytes).toString('hex'));
    const jsonBlock = /```json\n([\s\S]*?)```/.exec(section('example-tick-json'));
    assert.ok(jsonBlock, 'docs/WIRE.md lacks the JSON example block');
    assert.deepEqual(JSON.parse(jsonBlock[1]!), tickToJson(tick, symbols));
  });

  it('lists symbol hash vectors that the code reproduces', () => {
    const rows = [
      ...section('symbol-hash-vectors').matchAll(/^\|\s*`(".*")`\s*\|\s*`([0-9a-f]{16})`\s*\|$/gm),
    ];
    assert.ok(rows.length >= 5, 'expected at least 5 hash vectors');
    for (const [, key, hex] of rows) assert.equal(hash64Hex(symbolHash64(JSON.parse(key!))), hex, key);
  });
});
