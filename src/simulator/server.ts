import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { TickwireError } from '../errors.ts';
import { SimulatedExchange } from './exchange.ts';
import { parseControlMessage, resultReply } from './streams/control-protocol.ts';
import { ExchangeMarket, CADENCE_MS } from './streams/exchange-market.ts';
import {
  describeFaultError,
  type ExchangeFaults,
  FAULT_KINDS,
  type FaultKind,
  faultRequestSchema,
} from './faults.ts';
import {
  GeneratedMarketSource,
  type MarketEventSource,
  type MarketSourceStats,
} from './market/market-event-source.ts';
import { type ExchangeSimulatorOptions, resolveSimulatorOptions } from './options.ts';
import { RecordedMarketSource } from './market/recorded-market-source.ts';
import type { MarketLabel } from './market/market-labels.ts';
import { createRestHandler, RestError } from './rest/rest-api.ts';
import {
  type ConnectionOwner,
  LIMIT_VIOLATIONS,
  type LimitViolation,
  SIM_CLOSE,
  SimConnection,
} from './streams/sim-connection.ts';
import { parseStreamName } from './streams/stream-names.ts';
import { WsApiConnection } from './ws-api/ws-api-connection.ts';
import { parseTimeUnit } from './user-data/user-data-events.ts';

export interface ExchangeSimulatorStats {
  connections: number;
  connectionsOpened: number;
  /** Distinct streams with at least one subscriber, on known symbols. */
  streams: number;
  /** Stream subscriptions summed over connections. */
  subscriptions: number;
  /** Market events applied, and those dropped while their symbol was silenced. */
  events: number;
  silencedEvents: number;
  /** Events the generator could not catch up with (more than a second behind) and skipped. */
  eventsSkipped: number;
  /** Market frames handed to connections, and written to sockets. */
  messagesSent: number;
  framesWritten: number;
  faultsApplied: Record<FaultKind, number>;
  limitViolations: Record<LimitViolation, number>;
  paused: boolean;
  /** Trading: accounts, orders placed, fills made, user-data events sent. */
  trading: { accounts: number; ordersPlaced: number; fills: number; userDataEvents: number };
  /** What the source reports about itself, when it does (a replay's progress). */
  source?: MarketSourceStats;
  connectionList: { id: number; remoteAddress: string; combined: boolean; streams: number }[];
}

export interface ExchangeSimulator {
  /** HTTP base, e.g. `http://127.0.0.1:9100` (REST: `${url}/api/v3/depth?…`). */
  readonly url: string;
  /** WebSocket base, e.g. `ws://127.0.0.1:9100` (`${wsUrl}/ws/btcusdt@trade`, `${wsUrl}/stream?streams=…`). */
  readonly wsUrl: string;
  readonly faults: ExchangeFaults;
  /** Accounts, balances, matching and user-data streams (docs/SIMULATOR.md, "Trading"). */
  readonly exchange: SimulatedExchange;
  /** Where the market events come from (a RecordedMarketSource with the `replay` option). */
  readonly source: MarketEventSource;
  stats(): ExchangeSimulatorStats;
  /** What the market and the faults injected, numbered; those after `afterId` (docs/SIMULATOR.md, "Labels"). */
  labels(afterId?: number): MarketLabel[];
  /** Changes the market event rate (`eventsPerSecond`) from now on; connections and books stay. */
  setEventRate(eventsPerSecond: number): void;
  /** Stops generating market events (pushes of what already happened still go out). */
  pause(): void;
  resume(): void;
  /** Sends serverShutdown to every connection, closes them and the server. */
  close(): Promise<void>;
}

/**
 * How far behind a late generator catches up: timers running a few tens of ms late are made good,
 * but a longer stall is skipped (counted in eventsSkipped) rather than sent as one huge burst. It
 * also bounds one batch when the rate asks for more than the process can make: at 0.25 s, 50,000
 * symbols at 50,000 events/s had every loop turn spend ~450 ms generating, so sockets were written
 * and REST answered three times a second (snapshots stopped, send buffers grew to ~1 GB); at 0.05 s
 * the overloaded simulator answers ~600 snapshots/s and sends more frames, not fewer.
 */
const MAX_BACKLOG_SECONDS = 0.05;
/** A paced source's events taken per batch, at most, so one batch cannot hold the event loop long. */
const MAX_PACED_EVENTS_PER_BATCH = 65_536;
/** How often listenKeys are checked for expiry, at most (a short validity is checked 4 times as often). */
const LISTEN_KEY_CHECK_MS = 10_000;

/**
 * Starts a Binance Spot compatible market-data server on `host:port`: WebSocket streams at
 * `/ws/<stream>`, `/ws` and `/stream?streams=…`, REST at `/api/v3/…`, fault injection at
 * `/sim/faults`. See docs/SIMULATOR.md.
 */
export async function startExchangeSimulator(
  options: ExchangeSimulatorOptions = {},
): Promise<ExchangeSimulator> {
  const settings = resolveSimulatorOptions(options);
  const recorded =
    settings.replay === undefined ? undefined : await RecordedMarketSource.open(settings.replay);
  const source: MarketEventSource =
    settings.source ??
    recorded ??
    new GeneratedMarketSource(settings.symbols, settings.seed, settings.eventsPerSecond);
  const market = new ExchangeMarket(source, settings.seed);
  let exchange: SimulatedExchange;
  try {
    exchange = new SimulatedExchange(market, settings.accounts, settings, Date.now());
  } catch (error) {
    recorded?.close();
    const detail =
      error instanceof z.ZodError
        ? error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')
        : String(error);
    throw new TickwireError('BAD_CONFIG', `exchange simulator option accounts: ${detail}`);
  }
  const userData = exchange.userData;
  const connections = new Map<number, SimConnection>();
  const dirty: SimConnection[] = [];
  const faultsApplied = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const limitViolations = Object.fromEntries(LIMIT_VIOLATIONS.map((kind) => [kind, 0])) as Record<
    LimitViolation,
    number
  >;
  let nextConnectionId = 1;
  let connectionsOpened = 0;
  let framesWritten = 0;
  let eventsSkipped = 0;
  let paused = false;
  let slowUntil = 0;
  let sendDelayMs = 0;
  let rateFactor = 1;

  const owner: ConnectionOwner = {
    markDirty: (connection) => dirty.push(connection),
    violation: (_connection, kind) => limitViolations[kind]++,
  };

  const flushAll = () => {
    const delay = Date.now() < slowUntil ? sendDelayMs : 0;
    for (let i = 0; i < dirty.length; i++) dirty[i]!.flush(delay);
    dirty.length = 0;
  };

  // ---- event generation: the events due since the last batch, so the rate holds when timers run late ----
  let eventsPerSecond = settings.eventsPerSecond;
  let owed = 0;
  let lastBatch = performance.now();
  const batch = () => {
    const now = performance.now();
    const elapsed = now - lastBatch;
    lastBatch = now;
    if (paused || market.exhausted) return;
    if (source.paced === true) {
      // The source decides when events are due (a replay at its recorded speed): take what is due.
      market.generate(MAX_PACED_EVENTS_PER_BATCH, Date.now());
      flushAll();
      return;
    }
    const factor = Date.now() < slowUntil ? rateFactor : 1;
    owed += (elapsed * eventsPerSecond * factor) / 1_000;
    const cap = eventsPerSecond * MAX_BACKLOG_SECONDS;
    if (owed > cap) {
      eventsSkipped += Math.floor(owed - cap);
      owed = cap;
    }
    const due = Math.floor(owed);
    owed -= due;
    if (due > 0) market.generate(due, Date.now());
    flushAll();
  };
  const batchTimer = setInterval(batch, settings.batchIntervalMs);
  const cadenceTimer = setInterval(() => {
    market.pushCadence(Date.now());
    flushAll();
  }, CADENCE_MS);
  const listenKeyTimer = setInterval(
    () => userData.expire(Date.now()),
    Math.min(LISTEN_KEY_CHECK_MS, Math.ceil(settings.listenKeyValidityMs / 4)),
  );

  // ---- subscriptions ----
  /** Adds streams to a connection; false (and the connection closed) when past the stream limit. */
  const subscribe = (connection: SimConnection, names: readonly string[]): 'ok' | 'invalid' | 'tooMany' => {
    const parsed = names.map(parseStreamName);
    if (parsed.some((stream) => stream === undefined)) return 'invalid';
    const added = new Set(names.filter((name) => !connection.streams.has(name)));
    if (connection.streams.size + added.size > settings.maxStreamsPerConnection) {
      limitViolations.tooManyStreams++;
      connection.close(SIM_CLOSE.tooManyStreams.code, SIM_CLOSE.tooManyStreams.reason);
      return 'tooMany';
    }
    const now = Date.now();
    for (const stream of parsed) {
      if (stream === undefined || connection.streams.has(stream.name)) continue;
      const index = stream.symbol === '' ? -1 : market.streamSymbolIndex(stream.symbol);
      // Binance accepts a well-formed stream of a symbol it does not list, and sends nothing on it.
      const channel = index === undefined ? undefined : market.openChannel(stream, index, now);
      channel?.subscribers.push(connection);
      connection.streams.set(stream.name, channel);
    }
    return 'ok';
  };

  const unsubscribe = (connection: SimConnection, names: readonly string[]): boolean => {
    if (names.some((name) => parseStreamName(name) === undefined)) return false;
    for (const name of names) {
      if (!connection.streams.has(name)) continue;
      const channel = connection.streams.get(name);
      connection.streams.delete(name);
      if (channel === undefined) continue;
      const at = channel.subscribers.indexOf(connection);
      if (at >= 0) channel.subscribers.splice(at, 1);
      if (channel.subscribers.length === 0) market.closeChannel(channel);
    }
    return true;
  };

  const handleText = (connection: SimConnection, text: string) => {
    const parsed = parseControlMessage(text);
    if (!parsed.ok) return connection.send(parsed.reply);
    const request = parsed.request;
    switch (request.method) {
      case 'SUBSCRIBE': {
        const outcome = subscribe(connection, request.streams);
        if (outcome === 'invalid') return connection.send(invalidStream(request.id));
        if (outcome === 'ok') connection.send(resultReply('null', request.id));
        return;
      }
      case 'UNSUBSCRIBE':
        if (!unsubscribe(connection, request.streams)) return connection.send(invalidStream(request.id));
        return connection.send(resultReply('null', request.id));
      case 'LIST_SUBSCRIPTIONS':
        return connection.send(resultReply(JSON.stringify([...connection.streams.keys()]), request.id));
      case 'SET_PROPERTY':
        connection.combined = request.value;
        return connection.send(resultReply('null', request.id));
      case 'GET_PROPERTY':
        return connection.send(resultReply(String(connection.combined), request.id));
    }
  };

  // ---- WebSocket endpoints ----
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  /** WebSocket API connections (`/ws-api/v3`), closed with the server. */
  const apiSockets = new Set<WebSocket>();

  const accept = (ws: WebSocket, request: IncomingMessage, combined: boolean, streams: string[]) => {
    const timeUnit = parseTimeUnit(
      new URL(request.url ?? '/', 'http://localhost').searchParams.get('timeUnit'),
    );
    const connection = new SimConnection(
      nextConnectionId++,
      ws,
      request.socket.remoteAddress ?? '',
      combined,
      owner,
      settings,
      timeUnit,
    );
    connections.set(connection.id, connection);
    connectionsOpened++;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (connection.closed || !connection.countIncoming(performance.now())) return;
      handleText(connection, isBinary ? '' : rawText(data));
    });
    ws.on('ping', () => {
      if (!connection.closed) connection.countIncoming(performance.now());
    });
    ws.on('pong', (payload: Buffer) => {
      if (connection.closed || !connection.countIncoming(performance.now())) return;
      connection.pong(payload);
    });
    ws.on('error', () => connection.terminate());
    ws.on('close', () => {
      connection.stop();
      userData.detach(connection);
      framesWritten += connection.framesSent;
      unsubscribe(connection, [...connection.streams.keys()]);
      connections.delete(connection.id);
    });
    if (streams.length === 0) return;
    const now = Date.now();
    const known: string[] = [];
    for (const name of streams) {
      // A name without `@` is a listenKey's place: a live one streams its account's events, any
      // other (`/ws/0`, an expired key) is accepted and sends nothing, as on Binance, where the
      // client then sends SUBSCRIBE. A malformed stream name closes the connection.
      if (!name.includes('@')) {
        userData.attach(name, connection, now);
      } else if (parseStreamName(name) !== undefined) {
        known.push(name);
      } else {
        connection.close(SIM_CLOSE.invalidStream.code, SIM_CLOSE.invalidStream.reason);
        return;
      }
    }
    if (known.length > 0) subscribe(connection, known);
  };

  // A /stream URL naming 1024 streams is about 30 KB: more than Node's default 16 KB of headers.
  const server = createServer(
    { maxHeaderSize: 256 * 1024 },
    createRestHandler({
      market,
      exchange,
      stats: () => stats(),
      applyFault: (body) => faults.apply(body),
    }),
  );
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    let combined: boolean;
    let streams: string[];
    if (path === '/ws' || path === '/ws/') {
      combined = false;
      streams = [];
    } else if (path.startsWith('/ws/')) {
      combined = false;
      streams = path
        .slice(4)
        .split('/')
        .filter((name) => name.length > 0);
    } else if (path === '/ws-api/v3') {
      wss.handleUpgrade(request, socket, head, (ws) => {
        new WsApiConnection(ws, exchange, exchange.accounts, request.socket.remoteAddress ?? '');
        apiSockets.add(ws);
        ws.on('close', () => apiSockets.delete(ws));
        ws.on('error', () => ws.terminate());
      });
      return;
    } else if (path === '/stream' || path === '/stream/') {
      combined = true;
      streams = (url.searchParams.get('streams') ?? '').split('/').filter((name) => name.length > 0);
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request, combined, streams));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(batchTimer);
    clearInterval(cadenceTimer);
    clearInterval(listenKeyTimer);
    // Only the replay the simulator opened: a source passed in stays its owner's.
    recorded?.close();
    throw error;
  }
  // A replay the simulator opened starts once clients can connect; a source passed in is started by its owner.
  recorded?.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  // ---- faults ----
  const symbolIndexOf = (symbol: string): number => {
    const index = market.symbolIndex(symbol);
    if (index === undefined) throw new TickwireError('BAD_CONFIG', `fault names unknown symbol "${symbol}"`);
    return index;
  };
  const targets = (connectionId: number | undefined): SimConnection[] => {
    if (connectionId === undefined) return [...connections.values()];
    const connection = connections.get(connectionId);
    return connection === undefined ? [] : [connection];
  };
  const faults: ExchangeFaults = {
    dropConnections(connectionId) {
      faultsApplied.drop++;
      const dropped = targets(connectionId);
      for (const connection of dropped) connection.terminate();
      return dropped.length;
    },
    skipSequence(symbol, count = 1) {
      const index = symbolIndexOf(symbol);
      faultsApplied.skipSequence++;
      return market.skipSequence(index, count, Date.now());
    },
    silence(symbol, durationMs) {
      const index = symbolIndexOf(symbol);
      faultsApplied.silence++;
      const now = Date.now();
      market.silence(index, now, now + durationMs);
    },
    crossBook(symbol, updates = 5) {
      const index = symbolIndexOf(symbol);
      faultsApplied.crossBook++;
      market.crossBook(index, updates, Date.now());
    },
    sendMalformed(connectionId, text = 'this is not JSON {') {
      faultsApplied.malformed++;
      const reached = targets(connectionId);
      for (const connection of reached) connection.send(text);
      return reached.length;
    },
    slowDown({ durationMs, delayMs = 0, rateFactor: factor = 1 }) {
      faultsApplied.slowDown++;
      slowUntil = Date.now() + durationMs;
      sendDelayMs = delayMs;
      rateFactor = factor;
    },
    apply(body) {
      const parsed = faultRequestSchema.safeParse(body);
      if (!parsed.success)
        throw new RestError(400, JSON.stringify({ error: describeFaultError(parsed.error) }));
      const fault = parsed.data;
      try {
        switch (fault.kind) {
          case 'drop':
            return { kind: fault.kind, dropped: faults.dropConnections(fault.connectionId) };
          case 'skipSequence':
            return { kind: fault.kind, streams: faults.skipSequence(fault.symbol, fault.count) };
          case 'silence':
            faults.silence(fault.symbol, fault.durationMs);
            return { kind: fault.kind, symbol: fault.symbol, durationMs: fault.durationMs };
          case 'crossBook':
            faults.crossBook(fault.symbol, fault.updates);
            return { kind: fault.kind, symbol: fault.symbol, updates: fault.updates };
          case 'malformed':
            return { kind: fault.kind, connections: faults.sendMalformed(fault.connectionId, fault.text) };
          case 'slowDown':
            faults.slowDown(fault);
            return {
              kind: fault.kind,
              durationMs: fault.durationMs,
              delayMs: fault.delayMs,
              rateFactor: fault.rateFactor,
            };
        }
      } catch (error) {
        if (error instanceof TickwireError) {
          throw new RestError(
            400,
            JSON.stringify({ error: error.message.replace(/^BAD_CONFIG: /, 'invalid fault request: ') }),
          );
        }
        throw error;
      }
    },
  };

  const stats = (): ExchangeSimulatorStats => {
    let subscriptions = 0;
    let written = framesWritten;
    const connectionList: ExchangeSimulatorStats['connectionList'] = [];
    for (const connection of connections.values()) {
      subscriptions += connection.streams.size;
      written += connection.framesSent;
      connectionList.push({
        id: connection.id,
        remoteAddress: connection.remoteAddress,
        combined: connection.combined,
        streams: connection.streams.size,
      });
    }
    return {
      connections: connections.size,
      connectionsOpened,
      streams: market.openChannels,
      subscriptions,
      events: market.events,
      silencedEvents: market.silencedEvents,
      eventsSkipped,
      messagesSent: market.counter.frames,
      framesWritten: written,
      faultsApplied: { ...faultsApplied },
      limitViolations: { ...limitViolations },
      paused,
      trading: {
        accounts: exchange.accounts.list().length,
        ordersPlaced: exchange.engine.ordersPlaced,
        fills: exchange.engine.fillsMade,
        userDataEvents: userData.eventsSent,
      },
      ...(source.stats === undefined ? {} : { source: source.stats() }),
      connectionList,
    };
  };

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    wsUrl: `ws://${host}:${address.port}`,
    faults,
    labels: (afterId) => market.labels.since(afterId),
    exchange,
    source,
    stats,
    setEventRate(rate) {
      resolveSimulatorOptions({ eventsPerSecond: rate }); // checked as the option is
      eventsPerSecond = rate;
      source.eventRateChanged?.(rate);
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      owed = 0;
      lastBatch = performance.now();
    },
    close() {
      closing ??= (async () => {
        clearInterval(batchTimer);
        clearInterval(cadenceTimer);
        clearInterval(listenKeyTimer);
        source.close?.();
        const now = Date.now();
        for (const connection of connections.values()) {
          const shutdown = `{"e":"serverShutdown","E":${now}}`;
          connection.send(connection.combined ? `{"stream":"!serverShutdown","data":${shutdown}}` : shutdown);
          connection.close(SIM_CLOSE.shutdown.code, SIM_CLOSE.shutdown.reason);
        }
        for (const ws of apiSockets) ws.close(SIM_CLOSE.shutdown.code, SIM_CLOSE.shutdown.reason);
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
          // Connections that do not finish the closing handshake are cut after a grace period.
          setTimeout(() => {
            for (const connection of connections.values()) connection.terminate();
            for (const ws of apiSockets) ws.terminate();
          }, 1_000).unref();
        });
      })();
      return closing;
    },
  };
}

function invalidStream(id: string | number | null): string {
  return `{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":${JSON.stringify(id)}}`;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
