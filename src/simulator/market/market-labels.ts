/**
 * What the simulator injected into its market, each with the ids a data-quality check can be
 * scored against (docs/SIMULATOR.md, "Labels"):
 * - `jump`: the price process moved the mid by `bps` in one event; the first book update at the
 *   new price is `updateId`, the first trade at or after it `tradeId`;
 * - `gap`: the next `count` diff depth pushes of every diff stream of the symbol were lost (the
 *   `skipSequence` fault);
 * - `crossed`: the book updates `fromUpdateId` … `fromUpdateId + updates - 1` show a best bid at or
 *   above the best ask (the `crossBook` fault);
 * - `silence`: no events and no pushes from `atMs` to `untilMs` (the `silence` fault).
 * Times are epoch milliseconds of the simulator's clock.
 */
export type MarketLabel =
  | { id: number; kind: 'jump'; symbol: string; atMs: number; updateId: number; tradeId: number; bps: number }
  | { id: number; kind: 'gap'; symbol: string; atMs: number; count: number }
  | { id: number; kind: 'crossed'; symbol: string; atMs: number; fromUpdateId: number; updates: number }
  | { id: number; kind: 'silence'; symbol: string; atMs: number; untilMs: number };

/** A label as recorded, before it is numbered. */
export type NewMarketLabel = MarketLabel extends infer Label
  ? Label extends MarketLabel
    ? Omit<Label, 'id'>
    : never
  : never;

/** Labels kept; the oldest go first. At ten jumps a minute over 100 symbols: 16 hours. */
const LABELS_KEPT = 10_000;

/** The simulator's labels, numbered from 1 in the order they happened, the latest LABELS_KEPT kept. */
export class MarketLabels {
  private readonly kept: MarketLabel[] = [];
  private lastId = 0;

  add(label: NewMarketLabel): void {
    this.kept.push({ ...label, id: ++this.lastId } as MarketLabel);
    if (this.kept.length > LABELS_KEPT) this.kept.shift();
  }

  /** The labels numbered above `afterId`, oldest first. */
  since(afterId = 0): MarketLabel[] {
    const kept = this.kept;
    let start = kept.length;
    while (start > 0 && kept[start - 1]!.id > afterId) start--;
    return kept.slice(start);
  }
}
