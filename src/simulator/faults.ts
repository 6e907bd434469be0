import { z } from 'zod';

/** Fault kinds, as `kind` in `POST /sim/faults` and as keys of stats().faultsApplied. */
export const FAULT_KINDS = ['drop', 'skipSequence', 'silence', 'crossBook', 'malformed', 'slowDown'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const symbol = z.string().regex(/^[A-Z0-9]{1,20}$/, 'symbol must be an exchange symbol such as BTCUSDT');
const connectionId = z.number().int().min(1);
const milliseconds = z.number().int().min(1).max(86_400_000);

/** The body of `POST /sim/faults`: one fault, told apart by `kind`. */
export const faultRequestSchema = z.discriminatedUnion('kind', [
  /** Drop one connection (by id) or all of them, without a closing handshake. */
  z.object({ kind: z.literal('drop'), connectionId: connectionId.optional() }).strict(),
  /** Lose the next `count` diff depth events of a symbol: its next event's U skips ahead. */
  z
    .object({ kind: z.literal('skipSequence'), symbol, count: z.number().int().min(1).max(1_000).default(1) })
    .strict(),
  /** No events and no pushes for a symbol for `durationMs`. */
  z.object({ kind: z.literal('silence'), symbol, durationMs: milliseconds }).strict(),
  /** The symbol's next `updates` book updates show a best bid above the best ask. */
  z
    .object({
      kind: z.literal('crossBook'),
      symbol,
      updates: z.number().int().min(1).max(100_000).default(5),
    })
    .strict(),
  /** Send a text frame that is not JSON to one connection or all. */
  z
    .object({
      kind: z.literal('malformed'),
      connectionId: connectionId.optional(),
      text: z.string().min(1).max(65_536).optional(),
    })
    .strict(),
  /** For `durationMs`: delay every write by `delayMs` and/or run at `rateFactor` of the event rate. */
  z
    .object({
      kind: z.literal('slowDown'),
      durationMs: milliseconds,
      delayMs: z.number().int().min(0).max(60_000).default(0),
      rateFactor: z.number().min(0).max(1).default(1),
    })
    .strict()
    .refine((fault) => fault.delayMs > 0 || fault.rateFactor < 1, {
      message: 'slowDown needs delayMs > 0 or rateFactor < 1',
    }),
]);

export type FaultRequest = z.input<typeof faultRequestSchema>;

/** The fault injection API of a running simulator (also reachable as `POST /sim/faults`). */
export interface ExchangeFaults {
  /** Drops one connection or all; returns how many were dropped. */
  dropConnections(connectionId?: number): number;
  /** Loses the next `count` diff depth events of `symbol`; returns the diff streams affected. */
  skipSequence(symbol: string, count?: number): number;
  /** Silences `symbol` for `durationMs`. */
  silence(symbol: string, durationMs: number): void;
  /** Crosses the book of `symbol` for its next `updates` updates. */
  crossBook(symbol: string, updates?: number): void;
  /** Sends a non-JSON text frame to one connection or all; returns how many got it. */
  sendMalformed(connectionId?: number, text?: string): number;
  /** Delays writes by `delayMs` and scales the event rate by `rateFactor`, for `durationMs`. */
  slowDown(options: { durationMs: number; delayMs?: number; rateFactor?: number }): void;
  /** Applies a fault described as `POST /sim/faults` takes it (validated); returns a short summary. */
  apply(request: unknown): Record<string, unknown>;
}

/** The first validation issue of a rejected fault request, as one readable sentence. */
export function describeFaultError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid fault request';
  const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `invalid fault request: ${path}${issue.message} (kinds: ${FAULT_KINDS.join(', ')})`;
}
