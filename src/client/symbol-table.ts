import type { SymbolEntry } from '../platform/views.ts';
import { MESSAGE_TYPES, type Tick, VENUES } from '../wire/index.ts';

/** Least time between two reloads caused by ticks of unknown symbols. */
const RELOAD_AFTER_MISS_MS = 2_000;
/**
 * A symbol segment no name can have (names are A-Z and 0-9): a tick whose symbol is not known yet
 * is matched with it, so that it reaches the subscriptions holding a wildcard in that place and
 * none that name another symbol.
 */
const UNKNOWN_SYMBOL = '\u0000';

/**
 * The node's symbols by wire id (binary ticks name their symbol by an id, not by name), read from
 * `GET /api/v1/symbols`. With it the client gives each binary tick only to the subscriptions whose
 * topics match the tick's topic, and tells an application which symbol a tick is. Loaded on every
 * connect (a restarted node may number its symbols differently) and again, at most every
 * RELOAD_AFTER_MISS_MS, when a tick names an id it does not know (a symbol added since).
 */
export class SymbolTable {
  private byId = new Map<number, SymbolEntry>();
  /** Per id, the topic of each message type (index: type code − 1). */
  private topics = new Map<number, string[]>();
  private loading: Promise<void> | undefined;
  private lastMissAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly url: string,
    private readonly onLoadFailed: (error: Error) => void,
  ) {}

  /** Reads the table; concurrent calls share one request. Rejects when the node cannot be read. */
  load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const response = await fetch(this.url, { signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(`GET ${this.url} answered ${response.status}`);
        const { symbols } = (await response.json()) as { symbols: SymbolEntry[] };
        this.byId = new Map(symbols.map((entry) => [entry.id, entry]));
        this.topics.clear();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** The symbol a tick names, once known. */
  symbolOf(tick: Tick): SymbolEntry | undefined {
    return this.byId.get(tick.symbolId);
  }

  /**
   * The topic a tick was published on: `md.<kind>.<venue>.<symbol>`; with a symbol not known yet,
   * `md.<kind>.<venue>.` and a segment only wildcards match (and a reload is started).
   */
  topicOf(tick: Tick): string {
    const id = tick.symbolId;
    const type = tick.type;
    let byType = this.topics.get(id);
    if (byType === undefined) {
      const entry = this.byId.get(id);
      if (entry === undefined) return this.unknown(tick);
      byType = MESSAGE_TYPES.map((kind) => `md.${kind}.${entry.venue}.${entry.symbol}`);
      this.topics.set(id, byType);
    }
    return byType[type - 1] ?? this.unknown(tick);
  }

  private unknown(tick: Tick): string {
    const now = Date.now();
    if (this.loading === undefined && now - this.lastMissAt >= RELOAD_AFTER_MISS_MS) {
      this.lastMissAt = now;
      this.load().catch(this.onLoadFailed);
    }
    return `md.${MESSAGE_TYPES[tick.type - 1] ?? '?'}.${VENUES[tick.venueId - 1] ?? '?'}.${UNKNOWN_SYMBOL}`;
  }
}

/** `GET /api/v1/symbols` on the node a WebSocket URL points at (ws → http, wss → https). */
export function symbolsUrlOf(webSocketUrl: string): string {
  const url = new URL(webSocketUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/api/v1/symbols';
  url.search = '';
  return url.toString();
}
