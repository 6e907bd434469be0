import { api } from './session.ts';

let ids: Promise<Map<string, number>> | undefined;

/**
 * The node's symbol ids by name (venue SIM): binary ticks name their symbol by id. Read once per
 * page; the ids of a node do not change while it runs (a restarted node with other symbols needs a
 * reload).
 */
export function symbolIds(): Promise<Map<string, number>> {
  ids ??= api<{ symbols: { id: number; venue: string; symbol: string }[] }>('/api/v1/symbols').then(
    ({ symbols }) => new Map(symbols.filter((row) => row.venue === 'SIM').map((row) => [row.symbol, row.id])),
    (error: unknown) => {
      ids = undefined; // asked again next time
      throw error;
    },
  );
  return ids;
}
