import { TickwireError } from '../../errors.ts';
import {
  BinanceConnection,
  type BinanceConnectionOptions,
  type ConnectionHealth,
  type ConnectionHooks,
  type ConnectionState,
  CONNECTION_STATES,
  MAX_STREAMS_PER_CONNECTION,
} from './binance-connection.ts';
import { SlidingWindow } from './sliding-window.ts';

/**
 * Spreads any number of streams (50,000 symbols × 2 kinds is 100,000 streams) over as many
 * connections as needed, at most `streamsPerConnection` each, and dials them no faster than
 * Binance allows one IP: 300 connection attempts per 5 minutes, counting reconnects and
 * rotations, which all pass the same gate. Streams can be added and removed at run time: new
 * ones fill the connections with room first, and a connection left without streams is closed.
 */

export interface SubscriptionManagerOptions {
  wsUrl: string;
  streamsPerConnection: number;
  /** Connection attempts allowed per window (Binance: 300 per 5 minutes per IP). */
  connectionsPerWindow: number;
  connectionWindowMs: number;
  /** Least time between two dials, so a cold start of many connections is spread out. */
  minDialIntervalMs: number;
  /** Options passed to every connection. */
  connection: Partial<Omit<BinanceConnectionOptions, 'wsUrl' | 'id' | 'maxStreams' | 'dialGate'>>;
}

export const SUBSCRIPTION_MANAGER_DEFAULTS: Omit<SubscriptionManagerOptions, 'wsUrl'> = {
  streamsPerConnection: MAX_STREAMS_PER_CONNECTION,
  connectionsPerWindow: 300,
  connectionWindowMs: 5 * 60 * 1_000,
  minDialIntervalMs: 200,
  connection: {},
};

/**
 * How many of `count` new streams go to each existing connection (by its room) and how many
 * new connections of at most `perConnection` streams take the rest. Pure, for tests and plans.
 */
export function planAssignment(
  room: readonly number[],
  count: number,
  perConnection: number,
): { toExisting: number[]; newConnections: number[] } {
  let left = count;
  const toExisting = room.map((free) => {
    const take = Math.min(Math.max(free, 0), left);
    left -= take;
    return take;
  });
  const newConnections: number[] = [];
  while (left > 0) {
    const take = Math.min(perConnection, left);
    newConnections.push(take);
    left -= take;
  }
  return { toExisting, newConnections };
}

/** Admits dials one at a time, first come first served, within the window and the spacing. */
export class DialLimiter {
  private readonly window: SlidingWindow;
  private readonly queue: (() => void)[] = [];
  private lastDial = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  dials = 0;

  constructor(
    limit: number,
    windowMs: number,
    private readonly minIntervalMs: number,
  ) {
    this.window = new SlidingWindow(limit, windowMs);
  }

  get waiting(): number {
    return this.queue.length;
  }

  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.admit();
    });
  }

  /** Releases everyone waiting (on stop). */
  releaseAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const resolve of this.queue.splice(0)) resolve();
  }

  private admit(): void {
    if (this.timer !== undefined) return;
    while (this.queue.length > 0) {
      const now = performance.now();
      const wait = Math.max(this.window.waitMs(now), this.lastDial + this.minIntervalMs - now);
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.admit();
        }, wait);
        return;
      }
      this.window.record(now);
      this.lastDial = now;
      this.dials++;
      this.queue.shift()!();
    }
  }
}

export interface SubscriptionTotals {
  connections: number;
  streams: number;
  unconfirmed: number;
  byState: Record<ConnectionState, number>;
  reconnects: number;
  rotations: number;
  messagesPerSecond: number;
  messages: number;
  controlMessages: number;
  /** Dials admitted by the connection-rate gate, and dials waiting for it. */
  dials: number;
  dialsWaiting: number;
}

export interface SubscriptionHealth {
  connections: ConnectionHealth[];
  totals: SubscriptionTotals;
}

export class SubscriptionManager {
  private readonly options: SubscriptionManagerOptions;
  private readonly connections: BinanceConnection[] = [];
  private readonly owner = new Map<string, BinanceConnection>();
  private readonly limiter: DialLimiter;
  private nextId = 1;
  private started = false;

  constructor(
    options: Partial<SubscriptionManagerOptions> & Pick<SubscriptionManagerOptions, 'wsUrl'>,
    private readonly hooks: ConnectionHooks,
  ) {
    this.options = { ...SUBSCRIPTION_MANAGER_DEFAULTS, ...options };
    const { streamsPerConnection, connectionsPerWindow, connectionWindowMs, minDialIntervalMs } =
      this.options;
    if (!(
      Number.isInteger(streamsPerConnection) &&
      streamsPerConnection >= 1 &&
      streamsPerConnection <= MAX_STREAMS_PER_CONNECTION
    )) {
      throw new TickwireError(
        'BAD_CONFIG',
        `streamsPerConnection must be an integer 1..${MAX_STREAMS_PER_CONNECTION}, got ${String(streamsPerConnection)}`,
      );
    }
    if (!(Number.isInteger(connectionsPerWindow) && connectionsPerWindow >= 1)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `connectionsPerWindow must be an integer >= 1, got ${String(connectionsPerWindow)}`,
      );
    }
    if (!(connectionWindowMs > 0)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `connectionWindowMs must be a number > 0, got ${String(connectionWindowMs)}`,
      );
    }
    if (!(minDialIntervalMs >= 0)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `minDialIntervalMs must be a number >= 0, got ${String(minDialIntervalMs)}`,
      );
    }
    this.limiter = new DialLimiter(connectionsPerWindow, connectionWindowMs, minDialIntervalMs);
  }

  get streamCount(): number {
    return this.owner.size;
  }

  get connectionCount(): number {
    return this.connections.length;
  }

  /** The connection carrying `stream`. */
  connectionOf(stream: string): BinanceConnection | undefined {
    return this.owner.get(stream);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const connection of this.connections) connection.start();
  }

  /** Subscribes streams not held yet, filling connections with room before opening new ones. */
  add(streams: readonly string[]): void {
    const fresh = [...new Set(streams)].filter((stream) => !this.owner.has(stream));
    const { toExisting, newConnections } = planAssignment(
      this.connections.map((connection) => connection.free),
      fresh.length,
      this.options.streamsPerConnection,
    );
    let at = 0;
    toExisting.forEach((count, index) => {
      if (count === 0) return;
      const part = fresh.slice(at, at + count);
      at += count;
      this.assign(this.connections[index]!, part);
    });
    for (const count of newConnections) {
      const connection = new BinanceConnection(
        {
          ...this.options.connection,
          wsUrl: this.options.wsUrl,
          id: this.nextId++,
          maxStreams: this.options.streamsPerConnection,
          dialGate: () => this.limiter.acquire(),
        },
        this.hooks,
      );
      this.connections.push(connection);
      this.assign(connection, fresh.slice(at, at + count));
      at += count;
      if (this.started) connection.start();
    }
  }

  /** Unsubscribes streams; a connection left empty is closed. */
  remove(streams: readonly string[]): void {
    const byConnection = new Map<BinanceConnection, string[]>();
    for (const stream of streams) {
      const connection = this.owner.get(stream);
      if (connection === undefined) continue;
      this.owner.delete(stream);
      const list = byConnection.get(connection) ?? [];
      list.push(stream);
      byConnection.set(connection, list);
    }
    for (const [connection, list] of byConnection) {
      connection.remove(list);
      if (connection.streams.size === 0) {
        this.connections.splice(this.connections.indexOf(connection), 1);
        void connection.stop();
      }
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    this.limiter.releaseAll();
    await Promise.all(this.connections.map((connection) => connection.stop()));
  }

  health(): SubscriptionHealth {
    const now = performance.now();
    const connections = this.connections.map((connection) => connection.health(now));
    const byState = Object.fromEntries(CONNECTION_STATES.map((state) => [state, 0])) as Record<
      ConnectionState,
      number
    >;
    const totals: SubscriptionTotals = {
      connections: connections.length,
      streams: 0,
      unconfirmed: 0,
      byState,
      reconnects: 0,
      rotations: 0,
      messagesPerSecond: 0,
      messages: 0,
      controlMessages: 0,
      dials: this.limiter.dials,
      dialsWaiting: this.limiter.waiting,
    };
    for (const health of connections) {
      byState[health.state]++;
      totals.streams += health.streams;
      totals.unconfirmed += health.unconfirmed;
      totals.reconnects += health.reconnects;
      totals.rotations += health.rotations;
      totals.messagesPerSecond += health.messagesPerSecond;
      totals.messages += health.messages;
      totals.controlMessages += health.controlMessages;
    }
    return { connections, totals };
  }

  private assign(connection: BinanceConnection, streams: string[]): void {
    connection.add(streams);
    for (const stream of streams) this.owner.set(stream, connection);
  }
}
