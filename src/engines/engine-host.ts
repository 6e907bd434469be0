import { type MessageBus, type Payload, STATUS_TOPICS, type Unsubscribe } from '../bus/index.ts';
import { type RouteHandler, type RouteKey, sendJson } from '../gateway/index.ts';
import type { AccountAccess, Engine, EngineHealth } from './engine.ts';

/** An engine instance as GET /api/v1/engines lists it and `engine.status` carries it. */
export interface EngineStatus extends EngineHealth {
  name: string;
  /** Which running copy: `features` embedded, `features-2` the second of a scaled-out engine. */
  instance: string;
  port: number;
  reads: readonly string[];
  writes: readonly string[];
  uptimeSeconds: number;
  /** The process it runs in. */
  pid: number;
  /** Times `tickwire up` restarted it after it died. */
  restarts: number;
}

/** An instance's status on `engine.status`, every STATUS_EVERY_MS. A type: a bus payload. */
export type EngineStatusMessage = EngineStatus & { type: 'engine'; time: number };

const [ENGINE_STATUS_TOPIC] = STATUS_TOPICS;
/** How often each instance says how it is. */
export const STATUS_EVERY_MS = 1_000;
/** An instance silent this long is listed `down`. */
export const STATUS_LAPSE_MS = 5_000;
/** A down instance is listed this long, then forgotten (scaled down, or gone for good). */
const FORGET_AFTER_MS = 5 * 60_000;

export interface EngineHostOptions {
  /** The instance name of each engine; default the engine's name. */
  instanceOf?: (engine: Engine) => string;
  /** The port each engine serves on; default its own (the original platform's). */
  portOf?: (engine: Engine) => number;
  /** Restarts so far of this process (what `tickwire up` passes on). */
  restarts?: number;
}

/**
 * Runs engines on one bus in this process (embedded in `tickwire start`, or one engine alone in
 * `tickwire engine`), starts and stops them together, says every second on `engine.status` how
 * each is, and lists them with the instances other processes announce there.
 */
export class EngineHost {
  private startedAt = 0;
  private running: Engine[] = [];
  private bus: MessageBus | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: Unsubscribe | undefined;
  /** Instances of other processes, by instance name, with when their status came. */
  private readonly remote = new Map<string, { status: EngineStatus; receivedAt: number }>();

  constructor(
    private readonly engines: readonly Engine[],
    private readonly options: EngineHostOptions = {},
  ) {}

  async start(bus: MessageBus): Promise<void> {
    this.bus = bus;
    this.startedAt = Date.now();
    for (const engine of this.engines) {
      await engine.start(bus);
      this.running.push(engine);
    }
    this.unsubscribe = bus.subscribe(ENGINE_STATUS_TOPIC, (payload) => this.receive(payload));
    this.timer = setInterval(() => this.announce(), STATUS_EVERY_MS);
    this.timer.unref();
    this.announce();
  }

  /** Stops the engines, the last started first. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    for (const engine of this.running.reverse()) await engine.stop();
    this.running = [];
  }

  /** This process's engines. */
  local(): EngineStatus[] {
    return this.engines.map((engine) => ({
      name: engine.name,
      instance: this.instanceOf(engine),
      port: this.options.portOf?.(engine) ?? engine.port,
      reads: engine.reads,
      writes: engine.writes,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      pid: process.pid,
      restarts: this.options.restarts ?? 0,
      ...(this.running.includes(engine)
        ? engine.health()
        : {
            status: 'down' as const,
            messagebusConnected: false,
            lastMessageAgeMs: null,
            published: 0,
            reason: 'not running',
          }),
    }));
  }

  /** Every instance known: this process's, and the others' as they last said (down when silent). */
  status(now = Date.now()): EngineStatus[] {
    const others: EngineStatus[] = [];
    for (const [instance, { status, receivedAt }] of this.remote) {
      const silentMs = now - receivedAt;
      if (silentMs > FORGET_AFTER_MS) this.remote.delete(instance);
      else if (silentMs > STATUS_LAPSE_MS)
        others.push({
          ...status,
          status: 'down',
          reason: `no status for ${Math.round(silentMs / 1000)} s`,
        });
      else others.push(status);
    }
    return [...this.local(), ...others].sort((a, b) => a.instance.localeCompare(b.instance));
  }

  /** GET /api/v1/engines, and each engine's routes. */
  routes(access: AccountAccess): Partial<Record<RouteKey, RouteHandler>> {
    return Object.assign(
      {
        'GET /api/v1/engines': ((_request, response) =>
          sendJson(response, 200, { engines: this.status() })) as RouteHandler,
      },
      ...this.engines.map((engine) => engine.routes(access)),
    );
  }

  private instanceOf(engine: Engine): string {
    return this.options.instanceOf?.(engine) ?? engine.name;
  }

  private announce(): void {
    const time = Date.now();
    for (const status of this.local()) {
      const message: EngineStatusMessage = { type: 'engine', time, ...status };
      // Plain data (strings, numbers, booleans, arrays): JSON by construction.
      this.bus?.publish(ENGINE_STATUS_TOPIC, message as unknown as Payload);
    }
  }

  private receive(payload: Payload): void {
    const message = payload as Partial<EngineStatusMessage> | null;
    // engine.status also carries the nodes' component states (type engine_status).
    if (message === null || typeof message !== 'object' || message.type !== 'engine') return;
    if (typeof message.instance !== 'string' || typeof message.name !== 'string') return;
    if (this.engines.some((engine) => this.instanceOf(engine) === message.instance)) return;
    const { type: _type, time: _time, ...status } = message as EngineStatusMessage;
    this.remote.set(message.instance, { status, receivedAt: Date.now() });
  }
}
