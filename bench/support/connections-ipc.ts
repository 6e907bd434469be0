import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Request/reply over the Node IPC channel between the connections benchmark and its child
 * processes (one server, several clients). Every request has a deadline and every child is killed
 * by its owner in a finally, so a stuck child can neither hang the benchmark nor outlive it.
 */

/** Operations a child serves: each op's request fields and reply. */
export type OpTable = Record<string, { request: object; reply: object }>;

type RequestMessage = { id: number; op: string; args: object };
type ReplyMessage = { id: number; ok: true; reply: object } | { id: number; ok: false; error: string };
type ReadyMessage = { ready: object };

/** A child process that answers requests of table `Ops` after it said it was ready. */
export class ChildChannel<Ops extends OpTable, Ready extends object> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: object): void; reject(error: Error): void }>();
  private exit: Error | undefined;
  readonly ready: Promise<Ready>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readyTimeoutMs: number,
  ) {
    this.ready = new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} was not ready within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
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
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        this.exit = new Error(`${name} exited (code ${code}, signal ${signal})`);
        reject(this.exit);
        for (const waiter of this.pending.values()) waiter.reject(this.exit);
        this.pending.clear();
      });
    });
    // A child that dies before anyone awaits `ready` must not become an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** Starts `script` (TypeScript, through tsx) with extra node flags; its stderr goes to ours. */
  static spawn<Ops extends OpTable, Ready extends object>(
    name: string,
    script: URL,
    args: readonly string[],
    options: { nodeFlags?: readonly string[]; readyTimeoutMs: number },
  ): ChildChannel<Ops, Ready> {
    const child = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), '--import', 'tsx', fileURLToPath(script), ...args],
      // stdout ignored: in --json mode the benchmark's stdout carries only figures.
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    return new ChildChannel<Ops, Ready>(name, child, options.readyTimeoutMs);
  }

  request<Op extends keyof Ops & string>(
    op: Op,
    args: Ops[Op]['request'],
    timeoutMs: number,
  ): Promise<Ops[Op]['reply']> {
    if (this.exit) return Promise.reject(this.exit);
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
      const message: RequestMessage = { id, op, args };
      this.child.send(message);
    });
  }

  /** Kills the child at once (SIGKILL) and resolves when it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await gone;
  }
}

export type Handlers<Ops extends OpTable> = {
  [Op in keyof Ops]: (args: Ops[Op]['request']) => Promise<Ops[Op]['reply']> | Ops[Op]['reply'];
};

/**
 * The child's side: answers requests with `handlers`, then announces `ready`. The child exits when
 * its parent goes away (IPC disconnect) or after `maxLifetimeMs`, whichever comes first.
 */
export function serveRequests<Ops extends OpTable>(
  handlers: Handlers<Ops>,
  ready: object,
  maxLifetimeMs: number,
): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('this script is a child of the connections benchmark: run it through IPC');
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
