import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type RouteHandler, type RouteKey, sendError } from '../gateway/index.ts';

const DIST = new URL('../../web/dist/', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  body: Buffer;
  gzipped: Buffer;
}

/**
 * The dashboard's routes: the page built into web/dist (by `npm install`, docs/DASHBOARD.md),
 * read once at start, each file held plain and gzipped. Assets have content hashes in their names,
 * so they are cached for a year; the page itself is not cached, so a new build shows at once.
 */
export function dashboardRoutes(): Partial<Record<RouteKey, RouteHandler>> {
  if (!existsSync(new URL('index.html', DIST))) {
    return {
      'GET /': (_request, response) =>
        sendError(
          response,
          503,
          'DASHBOARD_NOT_BUILT',
          'the dashboard is not built: run `npm run build:web`',
        ),
    };
  }
  const page = load(new URL('index.html', DIST));
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(new URL('assets/', DIST)))
    assets.set(name, load(new URL(`assets/${name}`, DIST)));
  const send = (
    request: Parameters<RouteHandler>[0],
    response: Parameters<RouteHandler>[1],
    asset: Asset,
    cache: string,
  ) => {
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    response.writeHead(200, {
      'content-type': asset.type,
      'cache-control': cache,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    response.end(gzip ? asset.gzipped : asset.body);
  };
  return {
    'GET /': (request, response) => send(request, response, page, 'no-cache'),
    'GET /assets/:file': (request, response, { file }) => {
      const asset = assets.get(file!);
      if (asset === undefined) return sendError(response, 404, 'NOT_FOUND', `no asset ${file}`);
      send(request, response, asset, 'public, max-age=31536000, immutable');
    },
  };
}

function load(file: URL): Asset {
  const body = readFileSync(file);
  return { type: TYPES[extname(file.pathname)] ?? 'application/octet-stream', body, gzipped: gzipSync(body) };
}
