import { useEffect, useRef, useState } from 'react';
import type { TickJson } from '../../../src/wire/index.ts';
import { nextFrame, useTickwire } from '../../../src/client/react.ts';
import { CandleChart } from '../CandleChart.tsx';

interface Row {
  bid?: string;
  ask?: string;
  last?: string;
  up?: boolean;
  /** Updates since the last whole second, and in the second before. */
  updates: number;
  rate: number;
}

/** Live prices, spread and update rate of every symbol; chart and book of the selected one. */
export function MarketWatch() {
  const rows = useMarketRows();
  const [selected, setSelected] = useState('BTCUSDT');
  const symbols = [...rows.keys()].sort(
    (a, b) => rows.get(b)!.rate - rows.get(a)!.rate || a.localeCompare(b),
  );
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
              const row = rows.get(symbol)!;
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
                  <td>{row.rate}</td>
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

/**
 * Every symbol's last trade and quote. The whole market is thousands of messages a second, so the
 * rows are updated in place outside React and the table is drawn at most once a frame (a fold
 * that copied the table per message spent the page's whole frame budget; docs/DASHBOARD.md).
 */
function useMarketRows(): Map<string, Row> {
  const client = useTickwire();
  const [, setFrame] = useState(0);
  const rows = useRef(new Map<string, Row>()).current;
  useEffect(() => {
    let scheduled = false;
    const draw = () => {
      scheduled = false;
      setFrame((frame) => frame + 1);
    };
    const subscription = client.subscribe(['md.trade.SIM.*', 'md.quote.SIM.*'], ({ data }) => {
      let row = rows.get(data.symbol);
      if (row === undefined) rows.set(data.symbol, (row = { updates: 0, rate: 0 }));
      row.updates++;
      if (data.type === 'quote') {
        row.bid = data.bidPrice;
        row.ask = data.askPrice;
      } else if (data.type === 'trade') {
        row.up = row.last === undefined ? undefined : Number(data.price) >= Number(row.last);
        row.last = data.price;
      }
      if (!scheduled) {
        scheduled = true;
        nextFrame(draw);
      }
    });
    // Updates per second, from the counts once a second.
    const timer = setInterval(() => {
      for (const row of rows.values()) {
        row.rate = row.updates;
        row.updates = 0;
      }
    }, 1_000);
    return () => {
      clearInterval(timer);
      void subscription.unsubscribe().catch(() => undefined);
    };
  }, [client, rows]);
  return rows;
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
