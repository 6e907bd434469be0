import { z } from 'zod';
import { readJsonBody, type RouteHandler, type RouteKey, sendError, sendJson } from '../../gateway/index.ts';
import type { AccountAccess } from '../engine.ts';
import type { AnalyticsBook } from './analytics-book.ts';
import { summarize } from './statistics.ts';

/** Returns (and benchmark returns) `POST /analytics/calculate/:portfolio` takes at most. */
export const MAX_CALCULATE_RETURNS = 1_000_000;
/**
 * Its body limit: two arrays of a million returns written in full precision (~22 characters
 * each). The gateway's 64 KiB limit for other bodies would not hold ten thousand.
 */
export const MAX_CALCULATE_BODY_BYTES = 64 * 1024 * 1024;
const CURVE_LIMIT = { default: 100 } as const;

const returnSeries = z
  .array(z.number(), { error: 'must be an array of numbers' })
  .max(MAX_CALCULATE_RETURNS, `at most ${MAX_CALCULATE_RETURNS.toLocaleString('en-US')} returns`);

const calculateBody = z
  .object({
    returns: returnSeries,
    benchmark: returnSeries.optional(),
    periodsPerYear: z.number().positive('must be a positive number').optional(),
    riskFree: z.number().optional(),
  })
  .strict()
  .refine((body) => body.benchmark === undefined || body.benchmark.length === body.returns.length, {
    path: ['benchmark'],
    message: 'must have as many returns as returns (the same periods)',
  });

/**
 * The analytics engine's REST routes (docs/ANALYTICS.md, "REST"): an account's P&L and
 * statistics, and the original platform's statistics of posted returns.
 */
export function analyticsRoutes(
  book: AnalyticsBook,
  access: AccountAccess,
): Partial<Record<RouteKey, RouteHandler>> {
  const keep = book.options.keepPeriods;
  return {
    'GET /api/v1/analytics/:account': async (request, response, { account }) => {
      if (!(await access(request, response, account!))) return;
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      const limit = Number(query.get('limit') ?? CURVE_LIMIT.default);
      if (!(Number.isInteger(limit) && limit >= 0 && limit <= keep))
        return sendError(response, 400, 'BAD_REQUEST', `limit must be a whole number 0..${keep}`);
      const snapshot = book.snapshot(account!);
      if (snapshot === undefined)
        return sendError(response, 404, 'UNKNOWN_ACCOUNT', `no fill of account ${account} seen yet`);
      sendJson(response, 200, {
        account,
        snapshot,
        statistics: book.statistics(account!),
        equityCurve: limit === 0 ? [] : book.equityCurve(account!, limit),
      });
    },
    'POST /analytics/calculate/:portfolio': async (request, response, { portfolio }) => {
      const json = await readJsonBody(request, response, MAX_CALCULATE_BODY_BYTES);
      if (json === undefined) return;
      const parsed = calculateBody.safeParse(json);
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`,
        );
        return sendError(response, 400, 'BAD_REQUEST', problems.join('; '));
      }
      const { returns, benchmark, periodsPerYear, riskFree } = parsed.data;
      sendJson(response, 200, {
        portfolio,
        statistics: summarize(returns, {
          ...(benchmark === undefined ? {} : { benchmark }),
          ...(periodsPerYear === undefined ? {} : { periodsPerYear }),
          ...(riskFree === undefined ? {} : { riskFree }),
        }),
      });
    },
  };
}
