import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ledger } from '../../src/simulator/accounts/ledger.ts';
import type { TimeUnit } from '../../src/simulator/user-data/user-data-events.ts';
import {
  LISTEN_KEY_VALIDITY_MS,
  type UserDataSink,
  UserDataStreams,
} from '../../src/simulator/user-data/user-data-streams.ts';

const SYMBOLS = [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', priceScale: 2, sizeScale: 5 }];

/** A connection as the streams see it: what it was sent. */
function sink(timeUnit: TimeUnit = 'MILLISECOND'): UserDataSink & { received: string[] } {
  const received: string[] = [];
  return { deliver: (payload) => received.push(payload), received, timeUnit };
}

describe('user-data streams: listenKeys', () => {
  it('expires a key 60 minutes after its last keepalive, telling its connections', () => {
    const ledger = new Ledger();
    ledger.deposit(1, 'USDT', 100n);
    const streams = new UserDataStreams(SYMBOLS, ledger);
    const key = streams.create(1, 0);
    const connection = sink();
    assert.ok(streams.attach(key, connection, 1));
    // POST again returns the same live key, extended.
    assert.equal(streams.create(1, 10 * 60_000), key);
    assert.ok(streams.keepAlive(1, key, 30 * 60_000));
    streams.expire(30 * 60_000 + LISTEN_KEY_VALIDITY_MS - 1);
    assert.ok(streams.isListenKey(key, 30 * 60_000 + LISTEN_KEY_VALIDITY_MS - 1));
    streams.balancesChanged(1, ['USDT'], 2);
    assert.equal(connection.received.length, 1);
    streams.expire(30 * 60_000 + LISTEN_KEY_VALIDITY_MS);
    assert.equal(JSON.parse(connection.received.at(-1)!).e, 'listenKeyExpired');
    assert.ok(!streams.isListenKey(key, 30 * 60_000 + LISTEN_KEY_VALIDITY_MS));
    assert.ok(!streams.keepAlive(1, key, 30 * 60_000 + LISTEN_KEY_VALIDITY_MS));
    // An expired key's connection hears nothing more; another account never hears this one.
    streams.balancesChanged(1, ['USDT'], 3);
    assert.equal(connection.received.length, 2);
    const other = sink();
    streams.attach(streams.create(2, 0), other, 0);
    streams.balancesChanged(1, ['USDT'], 4);
    assert.equal(other.received.length, 0);
    assert.equal(streams.create(1, 5).length, 64);
  });

  it('writes times in microseconds to a connection that asked for them, milliseconds to others', () => {
    const ledger = new Ledger();
    ledger.deposit(1, 'USDT', 100n);
    const streams = new UserDataStreams(SYMBOLS, ledger);
    const key = streams.create(1, 0);
    const millis = sink();
    const micros = sink('MICROSECOND');
    streams.attach(key, millis, 1);
    streams.attach(key, micros, 1);
    const before = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    streams.balanceUpdated(1, 'USDT', 5n, 1_700_000_000_123);
    const after = Math.ceil((performance.timeOrigin + performance.now()) * 1000);
    const inMillis = JSON.parse(millis.received[0]!);
    const inMicros = JSON.parse(micros.received[0]!);
    assert.deepEqual([inMillis.E, inMillis.T], [1_700_000_000_123, 1_700_000_000_123]);
    // E: the microsecond clock when the event was written; T: the same instant as before, × 1000.
    assert.ok(inMicros.E >= before && inMicros.E <= after, `${inMicros.E} in [${before}, ${after}]`);
    assert.equal(inMicros.T, 1_700_000_000_123_000);
  });
});
