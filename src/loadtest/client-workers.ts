import { type ChildProcess, spawn } from 'node:child_process';
import type { ClientPlan, RunnerMessage, StartWorker, WorkerReport } from './worker-protocol.ts';

const WORKER_SCRIPT = new URL('./load-worker.ts', import.meta.url).pathname;
/** tsx's loader by its full path: the test may be run from any directory. */
const TSX = import.meta.resolve('tsx');
/** How long the client processes get to close their clients and send their last report. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The load test's client processes: each holds at most CLIENTS_PER_WORKER clients (one process may
 * hold 20,000 open files here), started through tsx like the `tickwire` command itself. They are
 * killed when the test ends however it ends, and exit by themselves if the runner goes away.
 */
export class ClientWorkers {
  private readonly children: ChildProcess[] = [];
  private readonly stopped: Promise<void>[] = [];

  constructor(private readonly onReport: (worker: number, report: WorkerReport) => void) {}

  /** Starts one process per share of `clients`; `base` is everything but the clients. */
  start(shares: ClientPlan[][], base: Omit<StartWorker, 'op' | 'clients'>): void {
    for (const [worker, clients] of shares.entries()) {
      const child = spawn(process.execPath, ['--import', TSX, WORKER_SCRIPT], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      this.children.push(child);
      let finished!: () => void;
      this.stopped.push(new Promise<void>((resolve) => (finished = resolve)));
      child.on('message', (report: WorkerReport) => {
        this.onReport(worker, report);
        if (report.final) finished();
      });
      child.once('exit', () => finished());
      const start: RunnerMessage = { op: 'start', ...base, clients };
      child.send(start);
    }
  }

  /** Asks every process to close its clients and report once more; kills those that do not in time. */
  async stop(): Promise<void> {
    for (const child of this.children)
      if (child.connected) child.send({ op: 'stop' } satisfies RunnerMessage);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
    await Promise.race([Promise.all(this.stopped), timeout]);
    this.kill();
  }

  kill(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
