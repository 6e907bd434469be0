import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** A process the supervisor keeps running. */
export interface ProcessSpec {
  /** Its name in logs and counts: `platform`, `features-1`. */
  name: string;
  /** Arguments to node (the script first). */
  args: string[];
}

export interface SupervisedProcess {
  name: string;
  pid: number | undefined;
  state: 'running' | 'restarting' | 'stopped';
  /** Times it was started again after it died. */
  restarts: number;
  lastExit: string | undefined;
}

export interface SupervisorOptions {
  /** Told of each line a process writes, and of the supervisor's own events. */
  log: (process: string, line: string) => void;
  /** Every argument list gets `--restarts <n>` appended when this says so (engines report it). */
  passRestarts: (spec: ProcessSpec) => boolean;
}

/** The first restart waits this long, each next one twice as long, up to RESTART_MAX_MS. */
export const RESTART_BASE_MS = 500;
export const RESTART_MAX_MS = 15_000;
/** A process up this long is healthy again: its next restart waits RESTART_BASE_MS. */
const STABLE_AFTER_MS = 30_000;
/** How long a process has to exit after SIGTERM before it is killed. */
const STOP_DEADLINE_MS = 10_000;

/**
 * Runs processes (`tickwire up`: the platform and each engine), restarts one that dies with
 * exponential backoff and counts it, and stops them all: SIGTERM, then SIGKILL after the deadline.
 */
export class Supervisor {
  private readonly entries = new Map<
    string,
    {
      spec: ProcessSpec;
      child: ChildProcess | undefined;
      info: SupervisedProcess;
      startedAt: number;
      backoffMs: number;
      timer?: ReturnType<typeof setTimeout>;
    }
  >();
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {}

  start(specs: readonly ProcessSpec[]): void {
    for (const spec of specs) {
      const info: SupervisedProcess = {
        name: spec.name,
        pid: undefined,
        state: 'running',
        restarts: 0,
        lastExit: undefined,
      };
      this.entries.set(spec.name, { spec, child: undefined, info, startedAt: 0, backoffMs: RESTART_BASE_MS });
      this.launch(spec.name);
    }
  }

  processes(): SupervisedProcess[] {
    return [...this.entries.values()].map((entry) => ({ ...entry.info }));
  }

  /** Stops every process (the last started first) and resolves when all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const entries = [...this.entries.values()].reverse();
    for (const entry of entries) clearTimeout(entry.timer);
    await Promise.all(
      entries.map(async (entry) => {
        const child = entry.child;
        entry.info.state = 'stopped';
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
        await exited;
        clearTimeout(deadline);
      }),
    );
  }

  private launch(name: string): void {
    const entry = this.entries.get(name)!;
    const args = [...entry.spec.args];
    if (this.options.passRestarts(entry.spec)) args.push('--restarts', String(entry.info.restarts));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    entry.child = child;
    entry.startedAt = Date.now();
    entry.info.pid = child.pid;
    entry.info.state = 'running';
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) if (line.length > 0) this.options.log(name, line);
      });
    }
    child.on('exit', (code, signal) => {
      entry.info.lastExit = signal === null ? `exit code ${code}` : `signal ${signal}`;
      entry.info.pid = undefined;
      if (this.stopping) return;
      if (Date.now() - entry.startedAt >= STABLE_AFTER_MS) entry.backoffMs = RESTART_BASE_MS;
      const delay = entry.backoffMs;
      entry.backoffMs = Math.min(RESTART_MAX_MS, entry.backoffMs * 2);
      entry.info.state = 'restarting';
      this.options.log('up', `${name} died (${entry.info.lastExit}); restarting in ${delay} ms`);
      entry.timer = setTimeout(() => {
        entry.info.restarts++;
        this.launch(name);
      }, delay);
    });
  }
}
