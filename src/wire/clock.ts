/**
 * The wall clock as a tick stores it: whole milliseconds since the Unix epoch plus nanoseconds
 * within the millisecond. `readClock()` fills the module-level `clock` instead of returning an
 * object, so stamping a tick allocates nothing. Resolution is what performance.now() gives
 * (microseconds or better), anchored to the epoch by performance.timeOrigin.
 */
export const clock = { ms: 0, nanosOfMs: 0 };

export function readClock(): typeof clock {
  const now = performance.timeOrigin + performance.now();
  const ms = Math.floor(now);
  clock.ms = ms;
  clock.nanosOfMs = Math.min(999_999, Math.floor((now - ms) * 1_000_000));
  return clock;
}

/** The wall clock in fractional milliseconds since the epoch (microseconds or better). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
