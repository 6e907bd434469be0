import type { RestartPolicy } from './pipeline-options.ts';

/**
 * Decides whether, and after how long, a failed worker is restarted: the delay starts at
 * initialDelayMs and doubles with each restart still inside the window (up to maxDelayMs); once
 * maxRestarts restarts fall inside windowMs, the next failure gets no restart. A worker that
 * crash-loops therefore backs off and then stays down, instead of spinning a core on restarts.
 */
export class RestartBudget {
  private readonly recent: number[] = [];

  constructor(private readonly policy: RestartPolicy) {}

  /** Call on a failure at `nowMs`: the delay before the restart, or undefined to stay down. */
  next(nowMs: number): number | undefined {
    const since = nowMs - this.policy.windowMs;
    while (this.recent.length > 0 && this.recent[0]! <= since) this.recent.shift();
    if (this.recent.length >= this.policy.maxRestarts) return undefined;
    const delay = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** this.recent.length);
    this.recent.push(nowMs);
    return delay;
  }
}
