import { useEffect, useRef, useState } from 'react';
import { BOOK, formatDecimal, fromFixedPoint, QUOTE, SIDE, TRADE } from '../../../src/wire/index.ts';
import { frameBatched, useTickwire } from '../../../src/client/react.ts';
import { CandleChart } from '../CandleChart.tsx';
import { symbolIds } from '../symbol-ids.ts';

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
      <div className="stack">
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
 * How often the market-watch table is drawn at most. A hundred rows redrawn every frame took most
 * of the page's frame budget at the default market (docs/DASHBOARD.md, "Measured"), and nobody
 * reads a hundred prices sixty times a second; the chart and the book still move every frame.
 */
const TABLE_REDRAW_MS = 100;

/**
 * Every symbol's last trade and quote. The whole market is thousands of messages a second, so the
 * rows are updated in place outside React and the table drawn every TABLE_REDRAW_MS, at a frame.
 */
function useMarketRows(): Map<string, Row> {
  const client = useTickwire();
  const [, setFrame] = useState(0);
  const rows = useRef(new Map<string, Row>()).current;
  useEffect(() => {
    let live = true;
    let subscription: { unsubscribe(): Promise<void> } | undefined;
    const draw = frameBatched(() => setFrame((frame) => frame + 1), TABLE_REDRAW_MS);
    // Binary ticks name their symbol by the node's id.
    void symbolIds().then((ids) => {
      if (!live) return;
      const names = new Map([...ids].map(([symbol, id]) => [id, symbol]));
      subscription = client.subscribe(['md.trade.SIM.*', 'md.quote.SIM.*'], () => undefined, {
        format: 'binary',
        onTicks: (tick) => {
          const type = tick.type;
          if (type !== TRADE && type !== QUOTE) return;
          const symbol = names.get(tick.symbolId);
          if (symbol === undefined) return;
          let row = rows.get(symbol);
          if (row === undefined) rows.set(symbol, (row = { updates: 0, rate: 0 }));
          row.updates++;
          const scale = tick.priceScale;
          if (type === QUOTE) {
            row.bid = formatDecimal(tick.bidPrice, scale);
            row.ask = formatDecimal(tick.askPrice, scale);
          } else {
            const price = formatDecimal(tick.price, scale);
            row.up = row.last === undefined ? undefined : Number(price) >= Number(row.last);
            row.last = price;
          }
          draw.request();
        },
      });
    });
    // Updates per second, from the counts once a second.
    const timer = setInterval(() => {
      for (const row of rows.values()) {
        row.rate = row.updates;
        row.updates = 0;
      }
    }, 1_000);
    return () => {
      live = false;
      draw.cancel();
      clearInterval(timer);
      void subscription?.unsubscribe().catch(() => undefined);
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
    const draw = frameBatched(() => {
      const top = (side: Map<number, string>, descending: boolean) =>
        [...side.entries()].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0])).slice(0, BOOK_ROWS);
      setView({ bids: top(bids, true), asks: top(asks, false) });
    });
    // Binary ticks: a busy book is thousands of level updates a second, which arrive several to a
    // WebSocket frame and are read without JSON. Every binary subscription gets every binary tick:
    // this one takes its symbol's book ticks.
    let id = -1;
    void symbolIds().then((ids) => (id = ids.get(symbol) ?? -1));
    const subscription = client.subscribe(`md.book.SIM.${symbol}`, () => undefined, {
      format: 'binary',
      onTicks: (tick) => {
        if (tick.type !== BOOK || tick.symbolId !== id) return;
        const side = tick.side === SIDE.bid ? bids : asks;
        const price = fromFixedPoint(tick.price, tick.priceScale);
        if (tick.size === 0) side.delete(price);
        else side.set(price, formatDecimal(tick.size, tick.sizeScale));
        draw.request();
      },
    });
    return () => {
      draw.cancel();
      void subscription.unsubscribe().catch(() => undefined);
    };
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
