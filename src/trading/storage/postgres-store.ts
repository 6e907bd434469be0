import pg from 'pg';
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

/** `?` placeholders (the statements both dialects share) as PostgreSQL's `$1, $2…`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
const UPSERT_ORDER_PG = numbered(UPSERT_ORDER);
const INSERT_FILL_PG = numbered(INSERT_FILL);
const UPSERT_BOT_PG = numbered(UPSERT_BOT);

/**
 * The shared store: PostgreSQL (`--db postgres://…`), in a schema of its own (`tickwire` unless
 * told), so that several nodes see one trading state. Migrations run in a transaction under an
 * advisory lock, so nodes starting together apply each once.
 */
export class PostgresStore implements TradingStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  static async open(url: string, schema = 'tickwire'): Promise<PostgresStore> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`not a schema name: ${schema}`);
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // Every connection works in the store's schema.
    pool.on('connect', (client) => void client.query(`SET search_path TO ${schema}`));
    const store = new PostgresStore(pool, schema);
    try {
      await store.migrate();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('tickwire_migrations'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`SET search_path TO ${this.schema}`);
      await client.query('CREATE TABLE IF NOT EXISTS tickwire_migrations (version INTEGER PRIMARY KEY)');
      const { rows } = await client.query<{ v: number }>(
        'SELECT COALESCE(MAX(version), 0) AS v FROM tickwire_migrations',
      );
      for (let version = rows[0]!.v + 1; version <= MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version - 1]!);
        await client.query('INSERT INTO tickwire_migrations (version) VALUES ($1)', [version]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async commit(batch: { fills: readonly StoredFill[]; orders: readonly StoredOrder[] }): Promise<boolean[]> {
    return this.transaction(async (client) => {
      const fresh: boolean[] = [];
      for (const fill of batch.fills)
        fresh.push((await client.query(INSERT_FILL_PG, fillValues(fill, fill.maker))).rowCount === 1);
      for (const order of batch.orders) await client.query(UPSERT_ORDER_PG, orderValues(order));
      return fresh;
    });
  }

  async orders(account: string): Promise<StoredOrder[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM trading_orders WHERE account = $1 ORDER BY updated_at',
      [account],
    );
    return rows.map(orderFromRow);
  }

  async fills(account: string, symbol?: string): Promise<StoredFill[]> {
    const { rows } =
      symbol === undefined
        ? await this.pool.query('SELECT * FROM trading_fills WHERE account = $1 ORDER BY symbol, trade_id', [
            account,
          ])
        : await this.pool.query(
            'SELECT * FROM trading_fills WHERE account = $1 AND symbol = $2 ORDER BY trade_id',
            [account, symbol],
          );
    return rows.map(fillFromRow);
  }

  async markPublished(account: string, fills: readonly { symbol: string; tradeId: number }[]): Promise<void> {
    if (fills.length === 0) return;
    // One statement for the batch: the (symbol, trade id) pairs as two parallel arrays.
    await this.pool.query(
      `UPDATE trading_fills SET published = TRUE FROM unnest($2::text[], $3::bigint[]) AS done(symbol, trade_id)
       WHERE trading_fills.account = $1 AND trading_fills.symbol = done.symbol AND trading_fills.trade_id = done.trade_id`,
      [account, fills.map((fill) => fill.symbol), fills.map((fill) => fill.tradeId)],
    );
  }

  async unpublishedFills(account: string): Promise<StoredFill[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM trading_fills WHERE account = $1 AND NOT published ORDER BY symbol, trade_id',
      [account],
    );
    return rows.map(fillFromRow);
  }

  async lastTradeId(account: string, symbol: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ id: string | null }>(
      'SELECT MAX(trade_id) AS id FROM trading_fills WHERE account = $1 AND symbol = $2',
      [account, symbol],
    );
    return rows[0]!.id === null ? undefined : Number(rows[0]!.id);
  }

  async saveBot(bot: StoredBot): Promise<void> {
    await this.pool.query(UPSERT_BOT_PG, botValues(bot));
  }

  async bots(account: string): Promise<StoredBot[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM trading_bots WHERE account = $1 ORDER BY created_at',
      [account],
    );
    return rows.map(botFromRow);
  }

  async deleteBot(account: string, botId: string): Promise<void> {
    await this.pool.query('DELETE FROM trading_bots WHERE account = $1 AND bot_id = $2', [account, botId]);
  }

  async forgetAccount(account: string): Promise<void> {
    await this.transaction(async (client) => {
      for (const table of ['trading_orders', 'trading_fills', 'trading_bots'])
        await client.query(`DELETE FROM ${table} WHERE account = $1`, [account]);
    });
  }

  /** Runs `work` in a transaction on one connection of the pool. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
