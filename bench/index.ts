import { type Bench, createContext } from './harness.ts';

/** Benchmarks by name, loaded only when asked for. Add a line here when you add a benchmark. */
export const BENCHMARKS: Record<string, () => Promise<{ default: Bench }>> = {
  wire: () => import('./wire.ts'),
  ring: () => import('./ring.ts'),
  bus: () => import('./bus.ts'),
  partition: () => import('./partition.ts'),
  connections: () => import('./connections.ts'),
  fanout: () => import('./fanout.ts'),
  peers: () => import('./peers.ts'),
  priority: () => import('./priority.ts'),
  ingest: () => import('./ingest.ts'),
  exchange: () => import('./exchange.ts'),
  trading: () => import('./trading.ts'),
  quality: () => import('./quality.ts'),
  dashboard: () => import('./dashboard.ts'),
  features: () => import('./features.ts'),
  analytics: () => import('./analytics.ts'),
};

export async function runBenchmarks(names: readonly string[], options: { quick: boolean; json: boolean }) {
  const selected = names.length === 0 || names.includes('all') ? Object.keys(BENCHMARKS) : names;
  for (const name of selected) {
    const load = BENCHMARKS[name];
    if (!load) {
      throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    }
    const bench = (await load()).default;
    await bench.run(createContext(bench.name, options));
  }
}
