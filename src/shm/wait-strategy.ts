/// <reference lib="es2024.sharedmemory" />
import { TickwireError } from '../errors.ts';

/**
 * How one side of a ring waits for the other: spin a bounded number of checks, then sleep on an
 * Int32 eventcount word with Atomics.wait. The eventcount avoids lost wake-ups:
 *
 *   waiter:   seen = load(signal); store(waiting, 1); if (ready()) done; else wait(signal, seen)
 *   notifier: store(cursor);  if (load(waiting)) { add(signal, 1); notify(signal) }
 *
 * All of these are sequentially consistent, so either the waiter's re-check sees the new cursor
 * or the notifier sees the flag; and a bump of `signal` between the waiter's load and its wait
 * makes Atomics.wait return at once ('not-equal'). The notifier pays one plain load per batch
 * while nobody waits.
 */

/**
 * Checks made before sleeping. A check is one Int32 Atomics.load (about 8 ns on Node 20, where it
 * is a builtin call), so this spins for about 15 us: longer than a producer takes to fill a batch
 * of a few hundred slots, so a consumer keeping up with a busy producer rarely pays for a sleep and
 * a wake-up (15-50 us), and short enough not to hold a core for long on a small machine.
 */
export const SPIN_CHECKS = 2048;

/** Where a waiter spins and sleeps. */
export interface WaitWords {
  readonly words: Int32Array;
  /** Eventcount word the waiter sleeps on. */
  readonly signal: number;
  /** Flag telling the other side that someone sleeps (or is about to). */
  readonly waiting: number;
  /**
   * Int32 index of the low half of the other side's 64-bit cursor. The two cursors never differ by
   * more than the capacity (at most 2^30), so a change of the low half is an exact "the cursor
   * moved" test, and spinning on it avoids a BigInt allocation per check.
   */
  readonly cursorLow: number;
}

/**
 * Ref'd timer period while an async wait is pending. On Node 20 a pending Atomics.waitAsync does
 * not keep the thread's event loop alive, so a worker (or the process) whose only work is such a
 * wait would exit; a ref'd timer for the duration of the wait prevents that.
 */
const KEEP_ALIVE_MS = 2 ** 30;

/** Blocks the calling thread until `ready()` is true; throws RING_TIMEOUT after `timeoutMs`. */
export function blockUntil(ready: () => boolean, at: WaitWords, timeoutMs: number, what: string): void {
  checkTimeout(timeoutMs);
  const deadline = deadlineOf(timeoutMs);
  let cursorSeen = Atomics.load(at.words, at.cursorLow);
  if (ready()) return;
  for (let i = 0; i < SPIN_CHECKS; i++) {
    const cursorNow = Atomics.load(at.words, at.cursorLow);
    if (cursorNow !== cursorSeen) {
      cursorSeen = cursorNow;
      if (ready()) return;
    }
  }
  try {
    for (;;) {
      const signalSeen = Atomics.load(at.words, at.signal);
      Atomics.store(at.words, at.waiting, 1);
      if (ready()) return;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw timedOut(what, timeoutMs);
      Atomics.wait(at.words, at.signal, signalSeen, remaining);
    }
  } finally {
    Atomics.store(at.words, at.waiting, 0);
  }
}

/**
 * Like blockUntil, for threads that must not block (an event loop): no spinning, and the sleep is
 * an Atomics.waitAsync promise. Rejects with RING_TIMEOUT after `timeoutMs`.
 */
export async function waitUntilAsync(
  ready: () => boolean,
  at: WaitWords,
  timeoutMs: number,
  what: string,
): Promise<void> {
  checkTimeout(timeoutMs);
  if (ready()) return;
  const deadline = deadlineOf(timeoutMs);
  const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
  try {
    for (;;) {
      const seen = Atomics.load(at.words, at.signal);
      Atomics.store(at.words, at.waiting, 1);
      if (ready()) return;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw timedOut(what, timeoutMs);
      const result = Atomics.waitAsync(at.words, at.signal, seen, remaining);
      if (result.async) await result.value;
    }
  } finally {
    Atomics.store(at.words, at.waiting, 0);
    clearInterval(keepAlive);
  }
}

/** The notifier's half: wake the other side if it said it is (about to be) asleep. */
export function wakeIfWaiting(at: WaitWords): void {
  if (Atomics.load(at.words, at.waiting) !== 0) {
    Atomics.add(at.words, at.signal, 1);
    Atomics.notify(at.words, at.signal);
  }
}

/**
 * Sleeps up to `timeoutMs` while `words[index]` still holds `value`, without the eventcount: for
 * waits whose end nobody signals (a peer holding a word for a few instructions).
 */
export function pauseWhile(words: Int32Array, index: number, value: number, timeoutMs: number): void {
  Atomics.wait(words, index, value, timeoutMs);
}

export function checkTimeout(timeoutMs: number): void {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new TickwireError(
      'RING_BAD_ARGUMENT',
      `timeoutMs must be a non-negative number of milliseconds (or Infinity), got ${String(timeoutMs)}`,
    );
  }
}

function deadlineOf(timeoutMs: number): number {
  return performance.now() + timeoutMs;
}

function timedOut(what: string, timeoutMs: number): TickwireError {
  return new TickwireError('RING_TIMEOUT', `${what} did not happen within timeoutMs=${timeoutMs}`);
}
