import { useEffect, useRef, useState } from 'react';
import { BOOK, FLAG, formatDecimal, fromFixedPoint, QUOTE, SIDE, TRADE } from '../../../src/wire/index.ts';
import { frameBatched, useTickwire } from '../../../src/client/react.ts';
import { CandleChart } from '../CandleChart.tsx';
import { LocalBook } from '../local-book.ts';
import { restApi } from '../session.ts';

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
    const draw = frameBatched(() => setFrame((frame) => frame + 1), TABLE_REDRAW_MS);
    const subscription = client.subscribe(['md.trade.SIM.*', 'md.quote.SIM.*'], () => undefined, {
      format: 'binary',
      onTicks: (tick) => {
        const type = tick.type;
        const symbol = client.symbolOf(tick)?.symbol;
        if (symbol === undefined) return;
        let row = rows.get(symbol);
        if (row === undefined) rows.set(symbol, (row = { updates: 0, rate: 0 }));
        row.updates++;
        const scale = tick.priceScale;
        if (type === QUOTE) {
          row.bid = formatDecimal(tick.bidPrice, scale);
          row.ask = formatDecimal(tick.askPrice, scale);
        } else if (type === TRADE) {
          const price = formatDecimal(tick.price, scale);
          row.up = row.last === undefined ? undefined : Number(price) >= Number(row.last);
          row.last = price;
        }
        draw.request();
      },
    });
    // Updates per second, from the counts once a second.
    const timer = setInterval(() => {
      for (const row of rows.values()) {
        row.rate = row.updates;
        row.updates = 0;
      }
    }, 1_000);
    return () => {
      draw.cancel();
      clearInterval(timer);
      void subscription.unsubscribe().catch(() => undefined);
    };
  }, [client, rows]);
  return rows;
}

const BOOK_ROWS = 10;
/** Levels a side asked of the node's book: more than are shown, so removals at the top uncover real ones. */
const SNAPSHOT_LEVELS = 100;

/**
 * The symbol's book: a snapshot from the node, continued by its level ticks (`md.book`), kept
 * outside React and drawn once a frame (the leading symbols change thousands of levels a second).
 * A missed diff (conflation on a slow connection) loads a new snapshot: no stale level stays.
 */
function OrderBook({ symbol }: { symbol: string }) {
  const client = useTickwire();
  const [view, setView] = useState<{ bids: [number, string][]; asks: [number, string][]; decimals: number }>({
    bids: [],
    asks: [],
    decimals: 0,
  });
  useEffect(() => {
    let live = true;
    const book = new LocalBook();
    /** The symbol's price scale, to print prices as the exchange does (96991.50, not 96991.5). */
    let decimals = 0;
    const draw = frameBatched(() =>
      setView({ bids: book.top('bid', BOOK_ROWS), asks: book.top('ask', BOOK_ROWS), decimals }),
    );
    let loading = false;
    const load = () => {
      if (loading) return;
      loading = true;
      book.invalidate();
      restApi()
        .depth(symbol, SNAPSHOT_LEVELS)
        .then(
          (snapshot) => {
            loading = false;
            if (!live) return;
            if (book.reset(snapshot) === 'resync') load();
            draw.request();
          },
          () => {
            loading = false;
            if (live) setTimeout(load, 1_000);
          },
        );
    };
    const subscription = client.subscribe(`md.book.SIM.${symbol}`, () => undefined, {
      format: 'binary',
      onTicks: (tick) => {
        if (tick.type !== BOOK) return;
        decimals = tick.priceScale;
        // The node rebuilt its own book (a resync): so does the page.
        if ((tick.flags & (FLAG.snapshot | FLAG.gap)) !== 0) return load();
        const outcome = book.apply({
          lastUpdateId: tick.sequence,
          firstUpdateId: tick.firstUpdateId,
          side: tick.side === SIDE.bid ? 'bid' : 'ask',
          price: fromFixedPoint(tick.price, tick.priceScale),
          size: formatDecimal(tick.size, tick.sizeScale),
        });
        if (outcome === 'resync') load();
        else if (outcome === 'applied') draw.request();
      },
    });
    // Subscribed first, so that no diff falls between the snapshot and the stream.
    void subscription.ready.then(load, load);
    return () => {
      live = false;
      draw.cancel();
      void subscription.unsubscribe().catch(() => undefined);
    };
  }, [client, symbol]);
  const largest = Math.max(1e-12, ...[...view.bids, ...view.asks].map(([, size]) => Number(size)));
  const row = ([price, size]: [number, string], side: 'bid' | 'ask') => (
    <tr key={`${side}${price}`}>
      <td className={side === 'bid' ? 'up' : 'down'}>{price.toFixed(view.decimals)}</td>
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
