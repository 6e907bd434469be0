import type { LoadtestResult } from './run-loadtest.ts';
import { textReport } from './text-report.ts';

/**
 * The load test's report as one self-contained HTML file (no script, no network): the text report,
 * and plots over time of each event type's p50 and p99 latency, deliveries per second and
 * connected clients, and the server's CPU, drawn as inline SVG.
 */

const WIDTH = 720;
const HEIGHT = 220;
const MARGIN = { left: 56, right: 12, top: 12, bottom: 28 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

interface Series {
  name: string;
  points: [x: number, y: number][];
}

export function htmlReport(result: LoadtestResult): string {
  const types = Object.keys(result.latency);
  const latencySeries = (stat: 'p50' | 'p99'): Series[] =>
    types.map((type) => ({
      name: type,
      points: result.timeline
        .filter((point) => point.latency[type] !== undefined)
        .map((point) => [point.atS, point.latency[type]![stat] / 1000]),
    }));
  const plots = [
    chart('p99 latency from the event’s time (ms), per second', latencySeries('p99')),
    chart('p50 latency (ms), per second', latencySeries('p50')),
    chart('deliveries per second', [
      { name: 'deliveries/s', points: result.timeline.map((point) => [point.atS, point.deliveries]) },
    ]),
    chart('connected clients', [
      { name: 'connected', points: result.timeline.map((point) => [point.atS, point.connected]) },
    ]),
    chart('server CPU (% of one core)', [
      { name: 'CPU', points: result.server.samples.map((sample) => [sample.atMs / 1000, sample.cpuPercent]) },
    ]),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tickwire loadtest ${result.mode} ${escape(result.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}pre{background:#f6f8fa;padding:12px;overflow-x:auto}
h2{font-size:15px;margin:24px 0 4px}.legend span{margin-right:12px}</style></head><body>
<h1>tickwire loadtest ${result.mode}: ${result.passed ? 'every check held' : 'checks failed'}</h1>
<pre>${escape(textReport(result))}</pre>
${plots.join('\n')}
</body></html>
`;
}

function chart(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<h2>${escape(title)}</h2><p>no data</p>`;
  const maxX = Math.max(1, ...all.map(([x]) => x));
  const maxY = Math.max(1e-9, ...all.map(([, y]) => y)) * 1.1;
  const x = (value: number) => MARGIN.left + (value / maxX) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (value: number) =>
    HEIGHT - MARGIN.bottom - (value / maxY) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => share * maxY);
  const lines = series.map(
    (s, i) =>
      `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${s.points
        .map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`)
        .join(' ')}"/>`,
  );
  const axis = ticks
    .map(
      (tick) =>
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>` +
        `<text x="${MARGIN.left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="11">${round(tick)}</text>`,
    )
    .join('');
  const legend = series
    .map((s, i) => `<span style="color:${COLORS[i % COLORS.length]}">■ ${escape(s.name)}</span>`)
    .join('');
  return `<h2>${escape(title)}</h2><div class="legend">${legend}</div>
<svg width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escape(title)}">${axis}
<text x="${WIDTH - MARGIN.right}" y="${HEIGHT - 8}" text-anchor="end" font-size="11">${round(maxX)} s</text>
<text x="${MARGIN.left}" y="${HEIGHT - 8}" font-size="11">0 s</text>${lines.join('')}</svg>`;
}

function round(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(3);
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
