import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  botFromRow,
  botValues,
  fillFromRow,
  fillValues,
  INSERT_FILL,
  MIGRATIONS,
  orderFromRow,
  orderValues,
  type StoredBot,
  type StoredFill,
  type StoredOrder,
  type TradingStore,
  UPSERT_BOT,
  UPSERT_ORDER,
} from './trading-store.ts';

/**
 * The embedded store: one SQLite file (WAL journal, synchronous NORMAL: a committed write
 * survives the process being killed; a power cut may lose the last moments). better-sqlite3 is
 * synchronous; its calls take microseconds, so the async interface costs nothing here.
 */
export class SqliteStore implements TradingStore {
  private readonly db: Database.Database;
  private readonly insertFill: Database.Statement;
  private readonly upsertOrder: Database.Statement;
  private readonly upsertBot: Database.Statement;
  private readonly markFill: Database.Statement;
  private readonly commitBatch: (fills: readonly StoredFill[], orders: readonly StoredOrder[]) => boolean[];
  private readonly markBatch: (
    account: string,
    fills: readonly { symbol: string; tradeId: number }[],
  ) => void;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.defaultSafeIntegers(true);
    this.migrate();
    this.insertFill = this.db.prepare(INSERT_FILL);
    this.upsertOrder = this.db.prepare(UPSERT_ORDER);
    this.upsertBot = this.db.prepare(UPSERT_BOT);
    this.markFill = this.db.prepare(
      'UPDATE trading_fills SET published = 1 WHERE account = ? AND symbol = ? AND trade_id = ?',
    );
    this.commitBatch = this.db.transaction((fills: readonly StoredFill[], orders: readonly StoredOrder[]) => {
      const fresh = fills.map(
        (fill) => this.insertFill.run(...fillValues(fill, fill.maker ? 1 : 0)).changes === 1,
      );
      for (const order of orders) this.upsertOrder.run(...orderValues(order));
      return fresh;
    });
    this.markBatch = this.db.transaction(
      (account: string, fills: readonly { symbol: string; tradeId: number }[]) => {
        for (const fill of fills) this.markFill.run(account, fill.symbol, fill.tradeId);
      },
    );
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS tickwire_migrations (version INTEGER PRIMARY KEY)');
    const applied = this.db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM tickwire_migrations');
    // IMMEDIATE: processes opening one file together migrate one after another (each waits up to
    // better-sqlite3's 5 s busy timeout), and each reads the version inside its transaction.
    const apply = this.db.transaction(() => {
      for (
        let version = Number((applied.get() as { v: bigint }).v) + 1;
        version <= MIGRATIONS.length;
        version++
      ) {
        this.db.exec(MIGRATIONS[version - 1]!);
        this.db.prepare('INSERT INTO tickwire_migrations (version) VALUES (?)').run(version);
      }
    });
    apply.immediate();
  }

  commit(batch: { fills: readonly StoredFill[]; orders: readonly StoredOrder[] }): Promise<boolean[]> {
    return Promise.resolve(this.commitBatch(batch.fills, batch.orders));
  }

  orders(account: string): Promise<StoredOrder[]> {
    const rows = this.db
      .prepare('SELECT * FROM trading_orders WHERE account = ? ORDER BY updated_at')
      .all(account);
    return Promise.resolve((rows as Record<string, unknown>[]).map(orderFromRow));
  }

  fills(account: string, symbol?: string): Promise<StoredFill[]> {
    const rows =
      symbol === undefined
        ? this.db
            .prepare('SELECT * FROM trading_fills WHERE account = ? ORDER BY symbol, trade_id')
            .all(account)
        : this.db
            .prepare('SELECT * FROM trading_fills WHERE account = ? AND symbol = ? ORDER BY trade_id')
            .all(account, symbol);
    return Promise.resolve((rows as Record<string, unknown>[]).map(fillFromRow));
  }

  markPublished(account: string, fills: readonly { symbol: string; tradeId: number }[]): Promise<void> {
    this.markBatch(account, fills);
    return Promise.resolve();
  }

  unpublishedFills(account: string): Promise<StoredFill[]> {
    const rows = this.db
      .prepare('SELECT * FROM trading_fills WHERE account = ? AND published = 0 ORDER BY symbol, trade_id')
      .all(account);
    return Promise.resolve((rows as Record<string, unknown>[]).map(fillFromRow));
  }

  lastTradeId(account: string, symbol: string): Promise<number | undefined> {
    const row = this.db
      .prepare('SELECT MAX(trade_id) AS id FROM trading_fills WHERE account = ? AND symbol = ?')
      .get(account, symbol) as { id: bigint | null };
    return Promise.resolve(row.id === null ? undefined : Number(row.id));
  }

  saveBot(bot: StoredBot): Promise<void> {
    this.upsertBot.run(...botValues(bot));
    return Promise.resolve();
  }

  bots(account: string): Promise<StoredBot[]> {
    const rows = this.db
      .prepare('SELECT * FROM trading_bots WHERE account = ? ORDER BY created_at')
      .all(account);
    return Promise.resolve((rows as Record<string, unknown>[]).map(botFromRow));
  }

  deleteBot(account: string, botId: string): Promise<void> {
    this.db.prepare('DELETE FROM trading_bots WHERE account = ? AND bot_id = ?').run(account, botId);
    return Promise.resolve();
  }

  forgetAccount(account: string): Promise<void> {
    this.db.transaction(() => {
      for (const table of ['trading_orders', 'trading_fills', 'trading_bots'])
        this.db.prepare(`DELETE FROM ${table} WHERE account = ?`).run(account);
    })();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
