import { type RouteHandler, type RouteKey, sendError, sendJson } from '../../gateway/index.ts';
import type { FeaturesEngine } from './features-engine.ts';
import { INDICATORS, usage } from './indicators/index.ts';

const BARS_LIMIT = { default: 100 } as const;

/** The features engine's REST routes (docs/FEATURES.md): its bars, its features, its catalog. */
export function featuresRoutes(engine: FeaturesEngine): Partial<Record<RouteKey, RouteHandler>> {
  return {
    'GET /api/v1/bars': (request, response) => {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      const venue = query.get('venue') ?? 'SIM';
      const symbol = query.get('symbol') ?? '';
      const spec = query.get('spec') ?? engine.specs[0]!;
      const limit = Number(query.get('limit') ?? BARS_LIMIT.default);
      if (!(Number.isInteger(limit) && limit >= 1 && limit <= engine.keep))
        return sendError(response, 400, 'BAD_REQUEST', `limit must be a whole number 1..${engine.keep}`);
      if (!engine.specs.includes(spec))
        return sendError(response, 404, 'UNKNOWN_BAR_SPEC', `bars are built for ${engine.specs.join(', ')}`);
      const bars = engine.bars(venue, symbol, spec);
      if (bars === undefined)
        return sendError(response, 404, 'UNKNOWN_SYMBOL', `no trades of ${venue} ${symbol} seen yet`);
      sendJson(response, 200, { venue, symbol, spec, bars: bars.slice(-limit) });
    },
    'GET /api/v1/features': (request, response) => {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
      const venue = query.get('venue') ?? 'SIM';
      const symbol = query.get('symbol') ?? '';
      if (!engine.knows(venue, symbol))
        return sendError(response, 404, 'UNKNOWN_SYMBOL', `no trades of ${venue} ${symbol} seen yet`);
      sendJson(response, 200, { venue, symbol, features: engine.features(venue, symbol) });
    },
    'GET /api/v1/features/catalog': (_request, response) =>
      sendJson(response, 200, {
        specs: engine.specs,
        indicators: INDICATORS.map((indicator) => ({
          name: indicator.name,
          usage: usage(indicator),
          summary: indicator.summary,
          params: indicator.params,
          outputs: indicator.outputs ?? null,
          warmUpBars: indicator.warmUp(indicator.params.map((param) => param.default)),
        })),
        refused: engine.refused(),
      }),
  };
}
