import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { DEFAULT_QUALITY_OPTIONS, type QualityOptions, TickQuality } from '../../src/pipeline/index.ts';
import type { MessageBus } from '../../src/bus/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import { emptyMarketEvent, GeneratedMarketSource, type MarketLabel } from '../../src/simulator/index.ts';
import { BOOK, FLAG, QUOTE, SIDE, Tick, TRADE } from '../../src/wire/index.ts';

/**
 * How well the pipeline's quality flags match what the simulator injected (its labels, see
 * docs/SIMULATOR.md, "Labels"). Precision is the share of flagged ticks (or, for `stale`, of
 * symbols found stale) that a label explains; recall the share of labels that got at least one
 * flag. What "explains" means per flag is written once, here, and in docs/PIPELINE.md, "How well
 * the flags hold":
 * - spike: one of the first SPIKE_WINDOW_TICKS trades or quotes of its symbol from a jump on;
 * - gap: a tick of a symbol that lost diff pushes no more than GAP_WINDOW_MS before (the feed flags
 *   the ticks up to its resync from a REST snapshot);
 * - crossed: a quote or book update whose update ids fall in a crossed range;
 * - stale: a symbol found stale while silenced for longer than the stale limit, or within
 *   STALE_LATE_MS after.
 */
export interface FlagScore {
  labels: number;
  detected: number;
  recall: number;
  flagged: number;
  correct: number;
  precision: number;
}

export const SPIKE_WINDOW_TICKS = 10;
export const GAP_WINDOW_MS = 5_000;
/** How late after a silence ends a stale mark may still be seen (one sweep and one poll). */
const STALE_LATE_MS = 1_500;

/** Tallies one flag: labels and how many were detected, flagged items and how many were right. */
class Tally {
  private labels = 0;
  private flagged = 0;
  private correct = 0;
  private readonly detected = new Set<unknown>();

  label(): void {
    this.labels++;
  }

  /** One flagged item; `label` is the label that explains it, if any. */
  flag(label: unknown): void {
    this.flagged++;
    if (label === undefined) return;
    this.correct++;
    this.detected.add(label);
  }

  score(): FlagScore {
    const detected = this.detected.size;
    return {
      labels: this.labels,
      detected,
      recall: this.labels === 0 ? 1 : detected / this.labels,
      flagged: this.flagged,
      correct: this.correct,
      precision: this.flagged === 0 ? 1 : this.correct / this.flagged,
    };
  }
}

export interface GeneratedMarketRun {
  symbols: number;
  eventsPerSecond: number;
  /** Market time to generate: the default market injects a jump per symbol every ten minutes. */
  marketSeconds: number;
  seed: number;
  quality?: Partial<QualityOptions>;
}

/**
 * The spike flag on the simulator's generated market, without sockets: the same price processes
 * (GeneratedMarketSource), trades printed at the touch and a quote per event as the exchange
 * sends them, run through the pipeline's TickQuality as fast as it goes, so that hours of market
 * time (hundreds of jumps) are scored in seconds. The socket path carries these ticks unchanged;
 * `scoreLiveNode` checks it too, on fewer jumps.
 */
export function scoreSpikesOnGeneratedMarket(run: GeneratedMarketRun): FlagScore {
  const source = new GeneratedMarketSource(run.symbols, run.seed, run.eventsPerSecond);
  const quality = new TickQuality({ ...DEFAULT_QUALITY_OPTIONS, ...run.quality });
  const event = emptyMarketEvent();
  const tick = new Tick();
  const tally = new Tally();
  const updateIds = new Float64Array(run.symbols);
  const tradeIds = new Float64Array(run.symbols);
  // The last jump of each symbol: its label and its first update and trade ids.
  const jumps: ({ updateId: number; tradeId: number } | undefined)[] = new Array(run.symbols);
  const events = Math.round(run.eventsPerSecond * run.marketSeconds);
  const startMs = Date.UTC(2026, 0, 1);
  for (let i = 0; i < events; i++) {
    source.next(event);
    const symbol = event.symbolIndex;
    const { priceScale, sizeScale } = source.symbols[symbol]!;
    const ms = startMs + Math.floor((i * 1000) / run.eventsPerSecond);
    const updateId = ++updateIds[symbol]!;
    if (event.jumpBps !== 0) {
      tally.label();
      jumps[symbol] = { updateId, tradeId: tradeIds[symbol]! + 1 };
    }
    const jump = jumps[symbol];
    if (event.trade) {
      const tradeId = ++tradeIds[symbol]!;
      const buy = event.tradeSide === 1;
      tick.writeTrade(
        1,
        symbol,
        priceScale,
        sizeScale,
        tradeId,
        buy ? SIDE.buy : SIDE.sell,
        ms,
        0,
        ms,
        0,
        buy ? event.askPrice : event.bidPrice,
        1,
        tradeId,
      );
      if ((quality.inspect(tick, ms) & FLAG.spike) !== 0)
        tally.flag(jump !== undefined && tradeId - jump.tradeId < SPIKE_WINDOW_TICKS ? jump : undefined);
    }
    tick.writeQuote(
      1,
      symbol,
      priceScale,
      sizeScale,
      updateId,
      0,
      ms,
      0,
      ms,
      0,
      event.bidPrice,
      event.bidSize,
      event.askPrice,
      event.askSize,
    );
    if ((quality.inspect(tick, ms) & FLAG.spike) !== 0)
      tally.flag(jump !== undefined && updateId - jump.updateId < SPIKE_WINDOW_TICKS ? jump : undefined);
  }
  return tally.score();
}

export interface LiveRun {
  /** Symbols of the simulated market (the default market has 100). */
  symbols: number;
  /** How long the node runs with faults injected. */
  seconds: number;
  /** The pipeline's stale limit for this run (a short one keeps the run short). */
  staleAfterMs: number;
  /** Faults injected per second, each on a symbol of its own. */
  faultsPerSecond: number;
  /**
   * How long after its start the node runs before the first fault (and at least 3 s after every
   * book is in sync): the spike detectors learn each symbol's variance from its first ticks, and a
   * detector in its first seconds flags more (on the default market, precision 0.943 three seconds
   * after start against 0.983 thirty seconds after).
   */
  warmUpMs: number;
}

export interface LiveScores {
  spike: FlagScore;
  gap: FlagScore;
  crossed: FlagScore;
  stale: FlagScore;
  /** Ticks the pipeline published, and the labels of each kind the simulator recorded. */
  ticks: number;
  /** Seconds from start until every order book was in sync (faults are injected from then on). */
  syncSeconds: number;
  labels: Record<MarketLabel['kind'], number>;
}

/** One flagged tick as the bus delivered it. */
interface FlaggedTick {
  symbol: string;
  type: number;
  flags: number;
  sequence: number;
  firstUpdateId: number;
  receiveMs: number;
}

const FAULTS = ['skipSequence', 'crossBook', 'longSilence', 'shortSilence'] as const;

/**
 * A whole node on the default market (100 symbols, the simulator over sockets, the pipeline's
 * workers, the memory bus), with faults injected through `POST /sim/faults`, each on a symbol of
 * its own, in turn: lost diff pushes, a crossed book for three updates, a silence of 2.5 stale
 * limits (to be found stale) and one of a third of a limit (not to be). Every flagged tick on
 * `md.>` and every symbol the pipeline reports stale is scored against the simulator's labels.
 */
export async function scoreLiveNode(run: LiveRun): Promise<LiveScores> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-quality-'));
  const config = loadConfig({
    flags: {
      port: '0',
      symbols: String(run.symbols),
      logLevel: 'silent',
      staleAfterMs: String(run.staleAfterMs),
      db: join(dir, 'tickwire.db'),
    },
  });
  const startedAt = performance.now();
  const platform = await startPlatform(config, pino({ level: 'silent' }));
  const flagged: FlaggedTick[] = [];
  let ticks = 0;
  const view = new Tick();
  const watched = FLAG.spike | FLAG.gap | FLAG.crossed;
  const unsubscribe = platform.bus.subscribe('md.>', (payload, topic) => {
    if (!(payload instanceof Uint8Array)) return;
    const symbol = topic.slice(topic.lastIndexOf('.') + 1);
    for (let offset = 0; offset < payload.length; offset += 64) {
      ticks++;
      view.wrap(payload, offset);
      if ((view.flags & watched) === 0) continue;
      flagged.push({
        symbol,
        type: view.type,
        flags: view.flags,
        sequence: view.sequence,
        firstUpdateId: view.type === BOOK ? view.firstUpdateId : 0,
        receiveMs: view.receiveMs,
      });
    }
  });
  const staleSeen: { symbol: string; atMs: number }[] = [];
  const staleNow = new Set<string>();
  const poll = setInterval(() => {
    const sample = new Set(
      platform.pipeline.stats().stale.sample.map((key) => key.slice(key.indexOf(':') + 1)),
    );
    for (const symbol of sample) if (!staleNow.has(symbol)) staleSeen.push({ symbol, atMs: Date.now() });
    staleNow.clear();
    for (const symbol of sample) staleNow.add(symbol);
  }, 100);
  try {
    const simulator = platform.simulatorUrl!;
    const symbols = (
      (await (await fetch(`${simulator}/api/v3/exchangeInfo`)).json()) as {
        symbols: { symbol: string }[];
      }
    ).symbols.map((row) => row.symbol);
    // Faults start once every book is in sync (a gap can only be seen on a synced book) and the
    // spike detectors are warm.
    const syncSeconds = await untilBooksInSync(platform.bus, SYNC_TIMEOUT_MS);
    const warm = Math.max(MIN_AFTER_SYNC_MS, run.warmUpMs - (performance.now() - startedAt));
    await new Promise((resolve) => setTimeout(resolve, warm));
    const faults = Math.floor(run.seconds * run.faultsPerSecond);
    for (let i = 0; i < faults; i++) {
      // Symbols from the back of the list, one each: a symbol's labels never overlap.
      const symbol = symbols[symbols.length - 1 - (i % symbols.length)]!;
      const kind = FAULTS[i % FAULTS.length]!;
      const body =
        kind === 'skipSequence'
          ? { kind, symbol, count: 1 }
          : kind === 'crossBook'
            ? { kind, symbol, updates: 3 }
            : {
                kind: 'silence',
                symbol,
                durationMs: Math.round(run.staleAfterMs * (kind === 'longSilence' ? 2.5 : 1 / 3)),
              };
      const answer = await fetch(`${simulator}/sim/faults`, { method: 'POST', body: JSON.stringify(body) });
      if (!answer.ok)
        throw new Error(`fault ${JSON.stringify(body)}: ${answer.status} ${await answer.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000 / run.faultsPerSecond));
    }
    // The last silence ends and is swept; the last resync completes.
    await new Promise((resolve) => setTimeout(resolve, run.staleAfterMs * 2.5 + STALE_LATE_MS));
    const labels = (await (await fetch(`${simulator}/sim/labels`)).json()) as MarketLabel[];
    return { ...scoreAgainstLabels(labels, flagged, staleSeen, run.staleAfterMs), ticks, syncSeconds };
  } finally {
    clearInterval(poll);
    unsubscribe();
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const SYNC_TIMEOUT_MS = 120_000;
const MIN_AFTER_SYNC_MS = 3_000;

/** Waits for `engine.status` to show every order book in sync; resolves with the seconds it took. */
function untilBooksInSync(bus: MessageBus, timeoutMs: number): Promise<number> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`the order books were not all in sync after ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = bus.subscribe('engine.status', (status) => {
      const books = (status as { feed?: { books?: { books: number; inSync: number } } }).feed?.books;
      if (books === undefined || books.books === 0 || books.inSync < books.books) return;
      clearTimeout(timer);
      unsubscribe();
      resolve((performance.now() - startedAt) / 1000);
    });
  });
}

function scoreAgainstLabels(
  labels: readonly MarketLabel[],
  flagged: readonly FlaggedTick[],
  staleSeen: readonly { symbol: string; atMs: number }[],
  staleAfterMs: number,
): Omit<LiveScores, 'ticks' | 'syncSeconds'> {
  const tallies = { spike: new Tally(), gap: new Tally(), crossed: new Tally(), stale: new Tally() };
  const counts = { jump: 0, gap: 0, crossed: 0, silence: 0 };
  const bySymbol = new Map<string, MarketLabel[]>();
  for (const label of labels) {
    counts[label.kind]++;
    const list = bySymbol.get(label.symbol) ?? [];
    list.push(label);
    bySymbol.set(label.symbol, list);
    if (label.kind === 'jump') tallies.spike.label();
    else if (label.kind === 'gap') tallies.gap.label();
    else if (label.kind === 'crossed') tallies.crossed.label();
    // A silence shorter than the limit is a label too, of something not to flag.
    else if (label.untilMs - label.atMs > staleAfterMs) tallies.stale.label();
  }
  const find = (symbol: string, explains: (label: MarketLabel) => boolean) =>
    bySymbol.get(symbol)?.find(explains);
  for (const tick of flagged) {
    if ((tick.flags & FLAG.spike) !== 0) {
      tallies.spike.flag(
        find(tick.symbol, (label) => {
          if (label.kind !== 'jump') return false;
          const first = tick.type === TRADE ? label.tradeId : label.updateId;
          return tick.sequence >= first && tick.sequence - first < SPIKE_WINDOW_TICKS;
        }),
      );
    }
    if ((tick.flags & FLAG.gap) !== 0) {
      tallies.gap.flag(
        find(
          tick.symbol,
          (label) =>
            label.kind === 'gap' &&
            tick.receiveMs >= label.atMs &&
            tick.receiveMs - label.atMs <= GAP_WINDOW_MS,
        ),
      );
    }
    if ((tick.flags & FLAG.crossed) !== 0) {
      // A quote is one update; a book tick covers its diff's updates U..u.
      const first = tick.type === QUOTE || tick.firstUpdateId === 0 ? tick.sequence : tick.firstUpdateId;
      tallies.crossed.flag(
        find(
          tick.symbol,
          (label) =>
            label.kind === 'crossed' &&
            tick.sequence >= label.fromUpdateId &&
            first < label.fromUpdateId + label.updates,
        ),
      );
    }
  }
  for (const seen of staleSeen) {
    tallies.stale.flag(
      find(
        seen.symbol,
        (label) =>
          label.kind === 'silence' &&
          label.untilMs - label.atMs > staleAfterMs &&
          seen.atMs >= label.atMs &&
          seen.atMs <= label.untilMs + STALE_LATE_MS,
      ),
    );
  }
  return {
    spike: tallies.spike.score(),
    gap: tallies.gap.score(),
    crossed: tallies.crossed.score(),
    stale: tallies.stale.score(),
    labels: counts,
  };
}
