import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * Request/reply over the Node IPC channel between a gateway benchmark (fanout, priority,
 * connections) and its
 * child processes. Every request has a deadline, and the parent kills its children in a finally,
 * so a stuck child can neither hang the benchmark nor outlive it; a child also exits by itself
 * when its parent goes away.
 */

/** Operations a child serves: each op's request fields and reply. */
export type OpTable = Record<string, { request: object; reply: object }>;

type RequestMessage = { id: number; op: string; args: object };
type ReplyMessage = { id: number; ok: true; reply: object } | { id: number; ok: false; error: string };
type ReadyMessage = { ready: object };

export class Child<Ops extends OpTable, Ready extends object> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: object): void; reject(error: Error): void }>();
  private exited: Error | undefined;
  private readonly exitPromise: Promise<void>;
  readonly ready: Promise<Ready>;

  /**
   * Starts `script` (TypeScript, through tsx) with `args`; `nodeFlags` go before the script (e.g.
   * --cpu-prof). Its stdout is dropped (in --json mode the benchmark's stdout carries only
   * figures) and its stderr is ours.
   */
  constructor(
    readonly name: string,
    script: URL,
    args: readonly string[],
    options: {
      readyTimeoutMs: number;
      nodeFlags?: readonly string[];
      /**
       * Runs the child at this nice value (0 to 19: lowered, never raised): only for load
       * generators that stand in for other machines, never for a measured process.
       */
      nice?: number;
    },
  ) {
    const child: ChildProcess = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), '--import', 'tsx', fileURLToPath(script), ...args],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    if (options.nice !== undefined) {
      if (!(Number.isInteger(options.nice) && options.nice >= 0 && options.nice <= 19)) {
        throw new Error(`nice must be a whole number from 0 (not raised) to 19, got ${options.nice}`);
      }
      // Before the child has loaded anything: the whole process runs at it.
      if (child.pid !== undefined) setPriority(child.pid, options.nice);
    }
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    this.ready = new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} was not ready within ${options.readyTimeoutMs} ms`)),
        options.readyTimeoutMs,
      );
      child.on('message', (message: ReplyMessage | ReadyMessage) => {
        if ('ready' in message) {
          clearTimeout(timer);
          resolve(message.ready as Ready);
          return;
        }
        const waiter = this.pending.get(message.id);
        if (!waiter) return;
        this.pending.delete(message.id);
        if (message.ok) waiter.resolve(message.reply);
        else waiter.reject(new Error(`${name}: ${message.error}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.exited = new Error(`${name} exited (code ${code}, signal ${signal})`);
        reject(this.exited);
        for (const waiter of this.pending.values()) waiter.reject(this.exited);
        this.pending.clear();
      });
    });
    // A child that dies before anyone awaits `ready` must not become an unhandled rejection.
    this.ready.catch(() => {});
  }

  private readonly child: ChildProcess;

  request<Op extends keyof Ops & string>(
    op: Op,
    args: Ops[Op]['request'],
    timeoutMs: number,
  ): Promise<Ops[Op]['reply']> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<Ops[Op]['reply']>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${op} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply as Ops[Op]['reply']);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, op, args } satisfies RequestMessage);
    });
  }

  /**
   * Asks the child to exit on its own (so that --cpu-prof writes its profile), and kills it if it
   * has not within `graceMs`.
   */
  async stop(graceMs = 0): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (graceMs > 0 && this.child.connected) {
      this.child.disconnect();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exitPromise;
      clearTimeout(timer);
      return;
    }
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }
}

export type Handlers<Ops extends OpTable> = {
  [Op in keyof Ops]: (args: Ops[Op]['request']) => Promise<Ops[Op]['reply']> | Ops[Op]['reply'];
};

/**
 * The child's side: answers requests with `handlers`, then announces `ready`. The child exits
 * when its parent disconnects or goes away, or after `maxLifetimeMs`, whichever comes first.
 */
export function serveRequests<Ops extends OpTable>(
  handlers: Handlers<Ops>,
  ready: object,
  maxLifetimeMs: number,
): void {
  const send = process.send?.bind(process);
  if (!send)
    throw new Error('this script is a benchmark child process: start it through bench/support/ipc.ts');
  process.on('message', (message: RequestMessage) => {
    const handler = handlers[message.op as keyof Ops];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown op ${message.op}`);
        return handler(message.args as Ops[keyof Ops]['request']);
      })
      .then(
        (reply) => send({ id: message.id, ok: true, reply } satisfies ReplyMessage),
        (error: unknown) =>
          send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  // The parent may have gone while this child was still loading: then no 'disconnect' comes.
  if (!process.connected) process.exit(0);
  setTimeout(() => process.exit(3), maxLifetimeMs).unref();
  send({ ready } satisfies ReadyMessage);
}
