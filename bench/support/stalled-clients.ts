/**
 * Child process of the priority benchmark: clients that subscribe to all market data (`md.>`)
 * and then never read again, as a browser tab that froze, or a process stopped in a debugger.
 */
import { serveRequests } from './ipc.ts';
import { WsReader } from './fanout-ws-reader.ts';
import type { StalledClientOps } from './priority-protocol.ts';

const MAX_LIFETIME_MS = 5 * 60_000;
const readers: WsReader[] = [];

serveRequests<StalledClientOps>(
  {
    async connect({ port, path, count }) {
      for (let i = 0; i < count; i++) {
        const reader = await WsReader.subscribed({ port, path, topics: ['md.>'], onFrame: () => {} });
        reader.stopReading();
        readers.push(reader);
      }
      return { connected: readers.length };
    },
  },
  {},
  MAX_LIFETIME_MS,
);
