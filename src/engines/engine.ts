import type { MessageBus } from '../bus/index.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler, RouteKey } from '../gateway/index.ts';

/**
 * What every processing engine is (docs/ENGINES.md): it starts on a bus and talks to the platform
 * and to other engines only through it, on the topics it names (built in the bus's topics
 * module), never by importing another engine; it says how it is, and it may serve REST routes.
 */
export interface Engine {
  /** Its name, as `tickwire engine <name>` and GET /api/v1/engines say it. */
  readonly name: string;
  /** The port it listens on when it runs alone (the original platform's). */
  readonly port: number;
  /** Patterns it subscribes to. */
  readonly reads: readonly string[];
  /** Patterns of the topics it publishes. */
  readonly writes: readonly string[];
  /**
   * Scaled out: market time a new instance waits before it owns work, so that what it publishes is
   * whole (the features engine: its longest time bar). None when absent.
   */
  readonly joinGraceMs?: number;
  start(bus: MessageBus): Promise<void>;
  stop(): Promise<void>;
  health(): EngineHealth;
  /** Its REST routes; those that show one account's data let a request through `access` first. */
  routes(access: AccountAccess): Partial<Record<RouteKey, RouteHandler>>;
}

/**
 * Guards a route that shows one account's data: resolves true when the request's credential is
 * that account's or an admin's, and otherwise answers 401 or 403 itself and resolves false.
 */
export type AccountAccess = (
  request: IncomingMessage,
  response: ServerResponse,
  account: string,
) => Promise<boolean>;

/**
 * The access of an engine running alone (`tickwire engine`): its port serves operators on a
 * private address (loopback by default), not clients, and has no credentials to check.
 */
export const OPERATOR_ACCESS: AccountAccess = async () => true;

export interface EngineHealth {
  status: 'ok' | 'degraded' | 'down';
  /** Whether its bus is connected (the original engines' `messagebus_connected`). */
  messagebusConnected: boolean;
  /** Since the last message it read, ms; null before the first. */
  lastMessageAgeMs: number | null;
  /** Messages it published. */
  published: number;
  /** Why it is not ok. */
  reason?: string;
}
