import pg from 'pg';
import { brokersRequired } from './broker-servers.ts';

/** The PostgreSQL the tests use: DATABASE_URL, or this machine's (trust auth, database `test`). */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether PostgreSQL answers; undefined when it does, else why not. Without it a test skips
 * loudly, naming what to install, unless TICKWIRE_REQUIRE_BROKERS=1 (CI), which makes it fail.
 */
export async function postgresSkipReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = `PostgreSQL not reachable at ${DATABASE_URL} (${error instanceof Error ? error.message : String(error)}): install it (apt install postgresql) or set DATABASE_URL; TICKWIRE_REQUIRE_BROKERS=1 makes this a failure`;
    if (brokersRequired()) throw new Error(reason);
    process.emitWarning(`skipping PostgreSQL tests: ${reason}`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema of the test's own, and a way to drop it. */
export function testSchema(name: string): { schema: string; drop(): Promise<void> } {
  const schema = `t_${name}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  return {
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
