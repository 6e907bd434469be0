import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
} from 'react';
import type { AlertEvent, HardwareMessage, LatencyMessage } from '../monitor/views.ts';
import type { BotCycleEvent, BotStatusEvent, OrderEvent, OrderFillNotification } from '../trading/views.ts';
import type { TickJson } from '../wire/index.ts';
import type { DataOf, TopicMessage } from './messages.ts';
import type { ConnectionState, TickwireClient } from './tickwire-client.ts';

/**
 * React hooks over a TickwireClient (docs/CLIENT.md, "React"). Messages are applied to the hook's
 * state once per animation frame, however many arrive: 1,000 ticks a second cause at most one
 * render a frame, not 1,000.
 */

const ClientContext = createContext<TickwireClient | undefined>(undefined);

/** Makes `client` the one the hooks below use. */
export function TickwireProvider(props: { client: TickwireClient; children?: ReactNode }): ReactNode {
  return createElement(ClientContext.Provider, { value: props.client }, props.children);
}

export function useTickwire(): TickwireClient {
  const client = useContext(ClientContext);
  if (client === undefined)
    throw new Error('useTickwire: wrap the component in a <TickwireProvider client={…}>');
  return client;
}

/** Runs `callback` at the next animation frame (a 16 ms timer where there are no frames, as on Node). */
function nextFrame(callback: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (callback: () => void) => unknown })
    .requestAnimationFrame;
  if (raf !== undefined) raf(callback);
  else setTimeout(callback, 16);
}

/** What frameBatched() returns: `request()` asks for a call, `cancel()` drops any still to come. */
export interface FrameBatch {
  request(): void;
  cancel(): void;
}

/**
 * Calls `draw` at most once per animation frame, however often `request()` is called: many
 * messages, one render. With `delayMs`, the frame after that delay (a table nobody reads sixty
 * times a second). After `cancel()` (an unmounted component) a pending call is dropped.
 */
export function frameBatched(draw: () => void, delayMs = 0): FrameBatch {
  let pending = false;
  let cancelled = false;
  const run = () => {
    pending = false;
    if (!cancelled) draw();
  };
  return {
    request() {
      if (pending || cancelled) return;
      pending = true;
      if (delayMs > 0) setTimeout(() => nextFrame(run), delayMs);
      else nextFrame(run);
    },
    cancel() {
      cancelled = true;
    },
  };
}

/**
 * The state a fold of a topic's messages gives, updated once per frame: the building block of
 * the hooks below. `reduce` must not mutate its input state (React compares by identity).
 */
export function useTopicState<Topic extends string, State>(
  topics: Topic | readonly Topic[],
  initial: State,
  reduce: (state: State, message: TopicMessage<DataOf<Topic>>) => State,
): State {
  const client = useTickwire();
  const [state, setState] = useState(initial);
  const key = typeof topics === 'string' ? topics : topics.join(',');
  useEffect(() => {
    if (key === '') return;
    let pending: TopicMessage<DataOf<Topic>>[] = [];
    const flush = frameBatched(() => {
      const batch = pending;
      pending = [];
      setState((current) => batch.reduce(reduce, current));
    });
    const subscription = client.subscribe(key.split(',') as Topic[], (message) => {
      pending.push(message);
      flush.request();
    });
    return () => {
      flush.cancel();
      void subscription.unsubscribe().catch(() => undefined);
    };
    // `reduce` is taken as fixed for a subscription: a new function each render must not resubscribe.
  }, [client, key]);
  return state;
}

/** The last `keep` messages of a topic or pattern, oldest first. */
export function useTopic<Topic extends string>(
  topics: Topic | readonly Topic[],
  keep = 100,
): TopicMessage<DataOf<Topic>>[] {
  return useTopicState(topics, [] as TopicMessage<DataOf<Topic>>[], (list, message) => {
    const next = list.length >= keep ? list.slice(list.length - keep + 1) : list.slice();
    next.push(message);
    return next;
  });
}

export interface MarketData {
  trade?: TickJson;
  quote?: TickJson;
  /** Trades and quotes received so far. */
  updates: number;
}

/** The last trade and quote of a symbol (`venue` SIM by default: the embedded simulator). */
export function useMarketData(symbol: string, venue = 'SIM'): MarketData {
  return useTopicState(
    [`md.trade.${venue}.${symbol}`, `md.quote.${venue}.${symbol}`],
    { updates: 0 } as MarketData,
    (state, { data }) => ({
      ...state,
      [data.type === 'trade' ? 'trade' : 'quote']: data,
      updates: state.updates + 1,
    }),
  );
}

export interface OrderNotifications {
  /** The last 100 fills, newest last. */
  fills: OrderFillNotification[];
  /** Each order's latest event, by client order id. */
  orders: Record<string, OrderEvent>;
}

/** The signed-in account's fills and order events (exactly once across reconnects). */
export function useOrderNotifications(): OrderNotifications {
  return useTopicState(
    useAccountTopics((account) => [`fills.${account}` as const, `orders.${account}` as const]),
    { fills: [], orders: {} } as OrderNotifications,
    (state, { data }) => {
      if (data.type === 'order_fill_notification')
        return { ...state, fills: [...state.fills.slice(-99), data] };
      return { ...state, orders: { ...state.orders, [data.clientOrderId]: data } };
    },
  );
}

/** The latest status and cycle event of a bot. */
export interface BotUpdates {
  status?: BotStatusEvent;
  cycle?: BotCycleEvent;
}

/** The latest status and cycle event of each of the account's bots, or of one bot, by bot id. */
export function useBotUpdates(botId?: string): Record<string, BotUpdates> {
  return useTopicState(
    useAccountTopics((account) => [`bots.${account}.${botId ?? '*'}` as const]),
    {} as Record<string, BotUpdates>,
    (state, { data }) => ({
      ...state,
      [data.botId]:
        data.type === 'bot_status_update'
          ? { ...state[data.botId], status: data }
          : { ...state[data.botId], cycle: data },
    }),
  );
}

/** The latest trading latency summary (`trading.latency`: per event type, percentiles against targets). */
export function useLatency(): LatencyMessage | undefined {
  return useLatest('trading.latency');
}

/** The latest host sample at a glance (`monitor.hardware`, docs/MONITORING.md). */
export function useHardware(): HardwareMessage | undefined {
  return useLatest('monitor.hardware');
}

/** Every alert seen, by id, in its latest state (admin connections only: alerts are an operator's). */
export function useAlerts(): Record<string, AlertEvent> {
  return useTopicState('alerts.>', {} as Record<string, AlertEvent>, (state, { data }) => ({
    ...state,
    [data.id]: data,
  }));
}

/** The connection's state, for "disconnected … reconnected" banners. */
export function useConnectionState(): ConnectionState {
  const client = useTickwire();
  // A stable subscribe function: a new one each render would make React resubscribe each render.
  const subscribe = useCallback((onChange: () => void) => client.events.on('state', onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.state);
}

function useLatest<Topic extends string>(topic: Topic): DataOf<Topic> | undefined {
  return useTopicState(topic, undefined as DataOf<Topic> | undefined, (_state, { data }) => data);
}

/** The signed-in account's topics, or none before the connection is up or when it is anonymous. */
function useAccountTopics<Topic extends string>(topics: (account: string) => Topic[]): Topic[] {
  const client = useTickwire();
  useConnectionState(); // the account is known once connected: render again then
  return client.account === null ? [] : topics(client.account);
}
