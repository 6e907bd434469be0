/** Reconnect pacing shared by everything that reconnects: the exchange feeds and the client SDK. */
export { BACKOFF_DEFAULTS, type BackoffOptions, type DelayFunction, fullJitterBackoff } from './backoff.ts';
