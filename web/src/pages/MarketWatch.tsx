import { useEffect, useRef, useState } from 'react';
import type { TickJson } from '../../../src/wire/index.ts';
import { nextFrame, useTickwire, useTopicState } from '../../../src/client/react.ts';
import { CandleChart } from '../CandleChart.tsx';

interface Row {
  bid?: string;
  ask?: string;
  last?: string;
  up?: boolean;
  updates: number;
}
type Rows = Record<string, Row>;

/** Live prices, spread and update rate of every symbol; chart and book of the selected one. */
export function MarketWatch() {
  const rows = useTopicState(['md.trade.SIM.*', 'md.quote.SIM.*'], {} as Rows, (state, { data }) => {
    const row = state[data.symbol] ?? { updates: 0 };
    const next: Row = { ...row, updates: row.updates + 1 };
    if (data.type === 'quote') {
      next.bid = data.bidPrice;
      next.ask = data.askPrice;
    } else if (data.type === 'trade') {
      next.up = row.last === undefined ? undefined : Number(data.price) >= Number(row.last);
      next.last = data.price;
    }
    return { ...state, [data.symbol]: next };
  });
  const rates = useRates(rows);
  const [selected, setSelected] = useState('BTCUSDT');
  const symbols = Object.keys(rows).sort((a, b) => (rates[b] ?? 0) - (rates[a] ?? 0) || a.localeCompare(b));
  return (
    <div className="columns">
      <section>
        <h2>Market watch ({symbols.length} symbols)</h2>
        <table data-testid="market-watch">
          <thead>
            <tr>
              <th>symbol</th>
              <th>last</th>
              <th>bid</th>
              <th>ask</th>
              <th>spread bp</th>
              <th>updates/s</th>
            </tr>
          </thead>
          <tbody>
            {symbols.map((symbol) => {
              const row = rows[symbol]!;
              const spread =
                row.bid && row.ask
                  ? ((Number(row.ask) - Number(row.bid)) / Number(row.ask)) * 10_000
                  : undefined;
              return (
                <tr
                  key={symbol}
                  className={symbol === selected ? 'selected' : ''}
                  onClick={() => setSelected(symbol)}
                  data-symbol={symbol}
                >
                  <td>{symbol}</td>
                  <td
                    className={row.up === undefined ? '' : row.up ? 'up' : 'down'}
                    data-testid={`last-${symbol}`}
                  >
                    {row.last ?? '—'}
                  </td>
                  <td>{row.bid ?? '—'}</td>
                  <td>{row.ask ?? '—'}</td>
                  <td>{spread === undefined ? '—' : spread.toFixed(2)}</td>
                  <td>{rates[symbol] ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <div style={{ display: 'grid', gap: 16, alignContent: 'start' }}>
        <section>
          <h2>{selected}: 1 s candles</h2>
          <CandleChart symbol={selected} />
        </section>
        <section>
          <h2>{selected}: order book</h2>
          <OrderBook symbol={selected} />
        </section>
      </div>
    </div>
  );
}

/** Updates per second of each symbol, from the counts once a second. */
function useRates(rows: Rows): Record<string, number> {
  const latest = useRef(rows);
  latest.current = rows;
  const [rates, setRates] = useState<Record<string, number>>({});
  useEffect(() => {
    let previous: Record<string, number> = {};
    const timer = setInterval(() => {
      const counts = Object.fromEntries(
        Object.entries(latest.current).map(([symbol, row]) => [symbol, row.updates]),
      );
      setRates(
        Object.fromEntries(
          Object.entries(counts).map(([symbol, count]) => [symbol, count - (previous[symbol] ?? count)]),
        ),
      );
      previous = counts;
    }, 1_000);
    return () => clearInterval(timer);
  }, []);
  return rates;
}

const BOOK_ROWS = 10;

/**
 * The symbol's book from its level updates (`md.book`), kept in two maps outside React and drawn
 * once a frame: the leading symbols change thousands of levels a second.
 */
function OrderBook({ symbol }: { symbol: string }) {
  const client = useTickwire();
  const [view, setView] = useState<{ bids: [number, string][]; asks: [number, string][] }>({
    bids: [],
    asks: [],
  });
  useEffect(() => {
    const bids = new Map<number, string>();
    const asks = new Map<number, string>();
    let scheduled = false;
    const draw = () => {
      scheduled = false;
      const top = (side: Map<number, string>, descending: boolean) =>
        [...side.entries()].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0])).slice(0, BOOK_ROWS);
      setView({ bids: top(bids, true), asks: top(asks, false) });
    };
    const subscription = client.subscribe([`md.book.SIM.${symbol}`], ({ data }: { data: TickJson }) => {
      if (data.type !== 'book') return;
      const side = data.side === 'bid' ? bids : asks;
      const price = Number(data.price);
      if (Number(data.size) === 0) side.delete(price);
      else side.set(price, data.size);
      if (!scheduled) {
        scheduled = true;
        nextFrame(draw);
      }
    });
    return () => void subscription.unsubscribe().catch(() => undefined);
  }, [client, symbol]);
  const largest = Math.max(1e-12, ...[...view.bids, ...view.asks].map(([, size]) => Number(size)));
  const row = ([price, size]: [number, string], side: 'bid' | 'ask') => (
    <tr key={`${side}${price}`}>
      <td className={side === 'bid' ? 'up' : 'down'}>{price}</td>
      <td>{size}</td>
      <td style={{ width: '40%', textAlign: 'left' }}>
        <span
          className="bar"
          style={{
            width: `${(Number(size) / largest) * 100}%`,
            background: side === 'bid' ? 'var(--up)' : 'var(--down)',
          }}
        />
      </td>
    </tr>
  );
  return (
    <table data-testid="order-book">
      <thead>
        <tr>
          <th>price</th>
          <th>size</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {[...view.asks].reverse().map((level) => row(level, 'ask'))}
        {view.bids.map((level) => row(level, 'bid'))}
      </tbody>
    </table>
  );
}
