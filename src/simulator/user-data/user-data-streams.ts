import { randomBytes } from 'node:crypto';
import type { Ledger } from '../accounts/ledger.ts';
import type { ExecutionListener } from '../matching/matching-engine.ts';
import type { Execution, OrderList } from '../matching/order.ts';
import type { SymbolSpec } from '../matching/symbol-rules.ts';
import {
  accountPositionJson,
  balanceUpdateJson,
  executionReportJson,
  listenKeyExpiredJson,
  listStatusJson,
  type TimeUnit,
} from './user-data-events.ts';

/** A connection that receives an account's events (a `/ws/<listenKey>` stream or a WebSocket API session). */
export interface UserDataSink {
  /** Sends one event payload; the sink wraps it as its connection expects. */
  deliver(payload: string, listenKey: string | undefined): void;
  /** The unit of the times in the events it is sent. */
  readonly timeUnit: TimeUnit;
}

/** Binance's listenKey validity: 60 minutes after creation or the last keepalive. */
export const LISTEN_KEY_VALIDITY_MS = 60 * 60_000;

interface ListenKey {
  readonly key: string;
  readonly accountId: number;
  expiresAt: number;
  readonly sinks: Set<UserDataSink>;
}

/**
 * The user-data side of the exchange: listenKeys (`POST/PUT/DELETE /api/v3/userDataStream`) and
 * the sinks listening to each account, fed by the matching engine with executionReport and
 * outboundAccountPosition events. An expired key gets `listenKeyExpired` and no more events.
 */
export class UserDataStreams implements ExecutionListener {
  private readonly keys = new Map<string, ListenKey>();
  private readonly keyOfAccount = new Map<number, ListenKey>();
  /** Sinks subscribed to an account directly (WebSocket API `userDataStream.subscribe`). */
  private readonly direct = new Map<number, Set<UserDataSink>>();
  eventsSent = 0;

  constructor(
    private readonly symbols: readonly SymbolSpec[],
    private readonly ledger: Ledger,
    private readonly validityMs = LISTEN_KEY_VALIDITY_MS,
  ) {}

  /** The account's listenKey: its active one (extended), else a new one. */
  create(accountId: number, now: number): string {
    const active = this.keyOfAccount.get(accountId);
    if (active !== undefined && active.expiresAt > now) {
      active.expiresAt = now + this.validityMs;
      return active.key;
    }
    const key = randomBytes(32).toString('hex');
    const entry: ListenKey = { key, accountId, expiresAt: now + this.validityMs, sinks: new Set() };
    this.keys.set(key, entry);
    this.keyOfAccount.set(accountId, entry);
    return key;
  }

  /** Extends a key of the account by the validity; false when it does not exist (or expired). */
  keepAlive(accountId: number, key: string, now: number): boolean {
    const entry = this.live(key, now);
    if (entry === undefined || entry.accountId !== accountId) return false;
    entry.expiresAt = now + this.validityMs;
    return true;
  }

  /** Closes a key of the account; its connections get no more events. */
  close(accountId: number, key: string): boolean {
    const entry = this.keys.get(key);
    if (entry === undefined || entry.accountId !== accountId) return false;
    this.remove(entry);
    return true;
  }

  /** True when `key` is a live listenKey (a stream name in `/ws/<key>`). */
  isListenKey(key: string, now: number): boolean {
    return this.live(key, now) !== undefined;
  }

  attach(key: string, sink: UserDataSink, now: number): boolean {
    const entry = this.live(key, now);
    if (entry === undefined) return false;
    entry.sinks.add(sink);
    return true;
  }

  /** Subscribes a sink to an account's events without a listenKey (the WebSocket API's way). */
  subscribe(accountId: number, sink: UserDataSink): void {
    let sinks = this.direct.get(accountId);
    if (sinks === undefined) {
      sinks = new Set();
      this.direct.set(accountId, sinks);
    }
    sinks.add(sink);
  }

  detach(sink: UserDataSink): void {
    for (const entry of this.keys.values()) entry.sinks.delete(sink);
    for (const sinks of this.direct.values()) sinks.delete(sink);
  }

  /** Ends the keys whose validity ran out: their connections get `listenKeyExpired`. */
  expire(now: number): void {
    for (const entry of this.keys.values()) {
      if (entry.expiresAt > now) continue;
      for (const sink of entry.sinks)
        sink.deliver(listenKeyExpiredJson(entry.key, now, sink.timeUnit), entry.key);
      this.remove(entry);
    }
  }

  executed(execution: Execution): void {
    if (!this.listened(execution.order.accountId)) return;
    const spec = this.symbols[execution.order.symbolIndex]!;
    this.send(execution.order.accountId, (unit) =>
      executionReportJson(execution, spec, execution.time, unit),
    );
  }

  listUpdated(list: OrderList, time: number): void {
    if (!this.listened(list.accountId)) return;
    this.send(list.accountId, (unit) => listStatusJson(list, this.symbols[list.symbolIndex]!, time, unit));
  }

  /** A deposit (positive) or withdrawal (negative) of `delta` units: Binance's `balanceUpdate`. */
  balanceUpdated(accountId: number, asset: string, delta: bigint, time: number): void {
    if (!this.listened(accountId)) return;
    this.send(accountId, (unit) => balanceUpdateJson(asset, delta, time, unit));
  }

  balancesChanged(accountId: number, assets: readonly string[], time: number): void {
    if (!this.listened(accountId)) return;
    const balances = this.ledger.balances(accountId);
    const changed = assets.map((asset) => [asset, balances.get(asset) ?? { free: 0n, locked: 0n }] as const);
    this.send(accountId, (unit) => accountPositionJson(changed, time, unit));
  }

  private listened(accountId: number): boolean {
    return (
      (this.keyOfAccount.get(accountId)?.sinks.size ?? 0) > 0 || (this.direct.get(accountId)?.size ?? 0) > 0
    );
  }

  /** Sends an event to the account's sinks, built once per time unit they asked for. */
  private send(accountId: number, build: (unit: TimeUnit) => string): void {
    let milliseconds: string | undefined;
    const payload = (sink: UserDataSink): string =>
      sink.timeUnit === 'MICROSECOND' ? build('MICROSECOND') : (milliseconds ??= build('MILLISECOND'));
    const entry = this.keyOfAccount.get(accountId);
    if (entry !== undefined) for (const sink of entry.sinks) sink.deliver(payload(sink), entry.key);
    for (const sink of this.direct.get(accountId) ?? []) sink.deliver(payload(sink), undefined);
    this.eventsSent++;
  }

  private live(key: string, now: number): ListenKey | undefined {
    const entry = this.keys.get(key);
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  }

  private remove(entry: ListenKey): void {
    this.keys.delete(entry.key);
    if (this.keyOfAccount.get(entry.accountId) === entry) this.keyOfAccount.delete(entry.accountId);
    entry.sinks.clear();
  }
}
