import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import WebSocket from 'ws';
import { TickwireClient, type WebSocketConstructor } from '../../src/client/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';

/** A node for the client tests: one API key (account `acc1`), an admin key, a short history. */
export const ADMIN_KEY = 'admin-key-0123456789';
export const USER_KEY = 'user-key-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'tickwire-client-'));
const configFile = join(dir, 'config.json');
writeFileSync(configFile, JSON.stringify({ auth: { apiKeys: [{ key: USER_KEY, account: 'acc1' }] } }));

/** A node on `port` (0: any) with a short history, so that a long absence cannot be recovered. */
export function startNode(port = '0'): Promise<Platform> {
  const config = loadConfig({
    file: configFile,
    flags: {
      port,
      symbols: 'BTCUSDT,ETHUSDT',
      workers: '1',
      logLevel: 'silent',
      adminKey: ADMIN_KEY,
      historySize: '50',
      db: join(dir, `tickwire-${Date.now()}.db`),
    },
  });
  return startPlatform(config, pino({ level: 'silent' }));
}

export function client(
  platform: Platform,
  options: { apiKey?: string } = { apiKey: USER_KEY },
): TickwireClient {
  return new TickwireClient({
    url: `${platform.url.replace('http', 'ws')}/ws`,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: { baseMs: 20, capMs: 200 },
    ...options,
  });
}

/** Closes every connection of `account` from the server (close code 4003). */
export async function dropConnections(platform: Platform, account = 'acc1'): Promise<void> {
  const headers = { 'x-api-key': ADMIN_KEY };
  const list = (await (await fetch(`${platform.url}/api/v1/websocket/connections`, { headers })).json()) as {
    connections: { id: string; account: string | null }[];
  };
  for (const connection of list.connections.filter((c) => c.account === account)) {
    await fetch(`${platform.url}/api/v1/websocket/connections/${connection.id}`, {
      method: 'DELETE',
      headers,
    });
  }
}

/** Removes the nodes' files once the suite is done. */
export function removeNodeFiles(): void {
  rmSync(dir, { recursive: true, force: true });
}
