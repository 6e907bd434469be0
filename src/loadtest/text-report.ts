import type { LoadtestResult, TimelinePoint } from './run-loadtest.ts';
import { LATENCY_FIGURE } from './thresholds.ts';

/** The load test's report for a terminal: the run, the figures, each check marked pass or FAIL. */

const count = (value: number) => Math.round(value).toLocaleString('en');
const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 2 : us < 100_000 ? 1 : 0);

export function textReport(result: LoadtestResult): string {
  const { clients, server } = result;
  const errors = Object.entries(result.errors)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const lines = [
    `tickwire loadtest ${result.mode} → ${result.target}: ${result.seconds} s, ${count(clients.planned)} clients ` +
      `(${count(clients.everConnected)} connected, ${count(clients.connectedAtEnd)} at the end), ` +
      `${result.subscriptionsPerClient} topics each, ${result.format}, ${result.workers} client process${result.workers === 1 ? '' : 'es'}`,
    `deliveries ${count(result.deliveries)} (${count(result.deliveriesPerSecond)}/s)   conflated ${count(result.conflated)}   ` +
      `recovered ${count(result.recovered)}   reconnects ${count(result.reconnects)}   resyncs ${count(result.resyncs)}   ` +
      `errors ${errors === '' ? 0 : errors}`,
    server.cpuPercentMean === undefined
      ? 'server: no /metrics samples'
      : `server: CPU ${server.cpuPercentMean} % of a core on average (max ${server.cpuPercentMax} %), RSS at most ${server.rssMbMax} MB`,
  ];
  const { generator } = result;
  lines.push(
    `load generator: ${result.workers} process${result.workers === 1 ? '' : 'es'}, the busiest at most ${generator.cpuPercentMax} % of a core, event-loop lag p99 at most ${generator.lagP99MsMax} ms`,
  );
  if (generator.saturated)
    lines.push(
      '  ⚠ the load generator was saturated: the latencies include its own delays and the rates are its limit, not',
      "    necessarily the server's; run fewer clients per process (--workers), or the clients on another machine",
    );
  if (result.trading !== undefined) {
    const refused = Object.entries(result.trading.ordersRefused)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    lines.push(
      `trading: ${result.trading.ordersPlaced} orders placed${refused ? `, refused: ${refused}` : ''}, bot ${result.trading.botId}`,
    );
  }
  lines.push(
    '',
    table(
      ['latency from the event’s time (ms)', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'],
      Object.entries(result.latency).map(([type, figures]) => [
        type,
        count(figures.count),
        ms(figures.p50),
        ms(figures.p90),
        ms(figures.p99),
        ms(figures.p999),
        ms(figures.max),
      ]),
    ),
  );
  if (result.checks.length > 0) {
    lines.push(
      '',
      table(
        ['check', 'value', 'limit', 'result'],
        result.checks.map((check) => [
          check.name,
          check.value === undefined
            ? 'none'
            : LATENCY_FIGURE.test(check.name)
              ? `${ms(check.value)} ms`
              : count(check.value),
          check.limit,
          check.passed ? 'pass' : 'FAIL',
        ]),
      ),
    );
  }
  lines.push(
    '',
    result.passed ? 'every check held' : `${result.checks.filter((c) => !c.passed).length} check(s) failed`,
  );
  return `${lines.join('\n')}\n`;
}

/** A second of the run as one line (the progress display). */
export function progressLine(point: TimelinePoint, totalS: number): string {
  const worst = Object.entries(point.latency)
    .map(([type, { p99 }]) => `${type} p99 ${ms(p99)} ms`)
    .join(', ');
  return `${String(point.atS).padStart(3)}/${totalS} s  ${count(point.connected)} connected  ${count(point.deliveries)} msg/s  ${worst}`;
}

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
