/**
 * The `ingest` benchmark's simulator process: the Binance-compatible exchange simulator on
 * loopback, alone in its process so its CPU time is measured apart from the node it feeds.
 * The rate is changed without restarting (connections and books stay), up to
 * SIMULATOR_MAX_EVENTS_PER_SECOND.
 */
import { startExchangeSimulator } from '../../src/simulator/index.ts';
import { serveRequests } from './ipc.ts';
import { MeasuredWindow } from './measured-window.ts';
import {
  SIMULATOR_MAX_EVENTS_PER_SECOND,
  type SimulatorArgs,
  type SimulatorOps,
  type SimulatorReady,
} from './ingest-protocol.ts';

const MAX_LIFETIME_MS = 10 * 60_000;

const args = JSON.parse(process.argv[2] ?? '{}') as SimulatorArgs;
const clampRate = (eventsPerSecond: number) =>
  Math.round(Math.min(SIMULATOR_MAX_EVENTS_PER_SECOND, Math.max(0, eventsPerSecond)));

const simulator = await startExchangeSimulator({
  symbols: args.symbols,
  eventsPerSecond: clampRate(args.initialEventsPerSecond),
  // The node lifts Binance's REST weight limit (bench/support/ingest-node.ts); so does the simulator.
  requestWeightPerMinute: 1_000_000_000,
});

const measured = new MeasuredWindow(() => simulator.stats());

serveRequests<SimulatorOps>(
  {
    rate: ({ eventsPerSecond }) => {
      const rate = clampRate(eventsPerSecond);
      simulator.setEventRate(rate);
      return { eventsPerSecond: rate };
    },
    begin: () => {
      measured.begin();
      return { ok: true };
    },
    end: () => {
      const { elapsedMs, cpuMs, before, after } = measured.end();
      return {
        elapsedMs,
        cpuMs,
        events: after.events - before.events,
        eventsSkipped: after.eventsSkipped - before.eventsSkipped,
        framesWritten: after.framesWritten - before.framesWritten,
      };
    },
  },
  { url: simulator.url, wsUrl: simulator.wsUrl } satisfies SimulatorReady,
  MAX_LIFETIME_MS,
);
