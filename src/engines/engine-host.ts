import type { MessageBus } from '../bus/index.ts';
import { type RouteHandler, type RouteKey, sendJson } from '../gateway/index.ts';
import type { Engine, EngineHealth } from './engine.ts';

/** An engine as GET /api/v1/engines lists it. */
export interface EngineStatus extends EngineHealth {
  name: string;
  port: number;
  reads: readonly string[];
  writes: readonly string[];
  uptimeSeconds: number;
}

/**
 * Runs engines on one bus in this process (what `tickwire start` does: the embedded default),
 * starts and stops them together, and lists how each is.
 */
export class EngineHost {
  private startedAt = 0;
  private running: Engine[] = [];

  constructor(private readonly engines: readonly Engine[]) {}

  async start(bus: MessageBus): Promise<void> {
    this.startedAt = Date.now();
    for (const engine of this.engines) {
      await engine.start(bus);
      this.running.push(engine);
    }
  }

  /** Stops the engines, the last started first. */
  async stop(): Promise<void> {
    for (const engine of this.running.reverse()) await engine.stop();
    this.running = [];
  }

  status(): EngineStatus[] {
    return this.engines.map((engine) => ({
      name: engine.name,
      port: engine.port,
      reads: engine.reads,
      writes: engine.writes,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      ...(this.running.includes(engine)
        ? engine.health()
        : {
            status: 'down' as const,
            messagebusConnected: false,
            lastMessageAgeMs: null,
            reason: 'not running',
          }),
    }));
  }

  /** Each engine's routes, and GET /api/v1/engines. */
  routes(): Partial<Record<RouteKey, RouteHandler>> {
    return Object.assign(
      {
        'GET /api/v1/engines': ((_request, response) =>
          sendJson(response, 200, { engines: this.status() })) as RouteHandler,
      },
      ...this.engines.map((engine) => engine.routes()),
    );
  }
}
