import {
  type AutoscaleInfo,
  CandlestickSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { frameBatched, useTickwire } from '../../src/client/react.ts';
import { fromFixedPoint, TRADE } from '../../src/wire/index.ts';
import { restApi } from './session.ts';

/** One-second candles loaded before the live ones: five minutes. */
const HISTORY_CANDLES = 300;
/**
 * How often the live candle is drawn at most. The chart repaints every visible bar on each update:
 * with five minutes of history, an update every frame doubled the page's rendering time at the
 * default market (docs/DASHBOARD.md, "Measured"); a one-second candle read five times a second
 * loses nothing.
 */
const CHART_REDRAW_MS = 200;

interface Bar {
  time: UTCTimestamp;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** A horizontal line on the chart: an order's price. */
export interface PriceLine {
  price: number;
  title: string;
  color: string;
}

/** One-second candles of the symbol's trades, drawn by lightweight-charts, updated once a frame. */
export function CandleChart({ symbol, lines = [] }: { symbol: string; lines?: readonly PriceLine[] }) {
  const client = useTickwire();
  const container = useRef<HTMLDivElement>(null);
  const seriesRef = useRef<ISeriesApi<'Candlestick'>>(undefined);
  useEffect(() => {
    const chart: IChartApi = createChart(container.current!, {
      autoSize: true,
      layout: { background: { color: '#171b21' }, textColor: '#d7dde5' },
      grid: { vertLines: { color: '#262c35' }, horzLines: { color: '#262c35' } },
      timeScale: { timeVisible: true, secondsVisible: true },
    });
    const series: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, {});
    seriesRef.current = series;
    let candle: Bar | undefined;
    /** Whether the history is drawn: live candles are drawn after it, never before (older times). */
    let history = false;
    let removed = false;
    const draw = frameBatched(() => {
      if (candle !== undefined && history) series.update({ ...candle });
    }, CHART_REDRAW_MS);
    // Binary, as the market page's other market data: a topic the connection holds in both formats
    // comes in one only.
    const subscription = client.subscribe(`md.trade.SIM.${symbol}`, () => undefined, {
      format: 'binary',
      onTicks: (tick) => {
        if (tick.type !== TRADE) return;
        const price = fromFixedPoint(tick.price, tick.priceScale);
        const time = Math.floor(tick.exchangeMs / 1000) as UTCTimestamp;
        if (candle === undefined || time > candle.time) {
          if (candle !== undefined && history) series.update({ ...candle });
          candle = { time, open: price, high: price, low: price, close: price };
        } else {
          candle.high = Math.max(candle.high, price);
          candle.low = Math.min(candle.low, price);
          candle.close = price;
        }
        draw.request();
      },
    });
    // The last minutes from the venue, then the live trades carry on from them.
    void restApi()
      .klines(symbol, { interval: '1s', limit: HISTORY_CANDLES })
      .catch(() => [])
      .then((candles) => {
        if (removed) return;
        const bars: Bar[] = candles.map((c) => ({
          time: Math.floor(c.openTime / 1000) as UTCTimestamp,
          open: Number(c.open),
          high: Number(c.high),
          low: Number(c.low),
          close: Number(c.close),
        }));
        const last = bars.at(-1);
        // The live candle of the history's last second has only the trades since subscribing.
        if (candle !== undefined && last !== undefined && candle.time === last.time) {
          candle = {
            ...last,
            high: Math.max(last.high, candle.high),
            low: Math.min(last.low, candle.low),
            close: candle.close,
          };
          bars.pop();
        } else if (candle !== undefined && last !== undefined && candle.time < last.time) {
          candle = undefined;
        }
        series.setData(bars);
        history = true;
        draw.request();
      });
    return () => {
      // A frame or an answer still to come must not draw on the removed chart.
      removed = true;
      draw.cancel();
      void subscription.unsubscribe().catch(() => undefined);
      chart.remove();
    };
  }, [client, symbol]);
  // Price lines (a bot's safety orders and take profit) are redrawn when they change.
  const linesKey = JSON.stringify(lines);
  useEffect(() => {
    const series = seriesRef.current;
    if (series === undefined) return;
    // The price scale takes the lines in too, so orders away from the trades stay in view.
    const prices = lines.map((line) => line.price);
    series.applyOptions({
      autoscaleInfoProvider: (original: () => AutoscaleInfo | null) => {
        const info = original();
        if (info === null || info.priceRange === null || prices.length === 0) return info;
        return {
          ...info,
          priceRange: {
            minValue: Math.min(info.priceRange.minValue, ...prices),
            maxValue: Math.max(info.priceRange.maxValue, ...prices),
          },
        };
      },
    });
    const drawn = lines.map((line) =>
      series.createPriceLine({
        price: line.price,
        title: line.title,
        color: line.color,
        lineWidth: 1,
        axisLabelVisible: true,
      }),
    );
    return () => drawn.forEach((line) => series.removePriceLine(line));
  }, [linesKey, symbol]);
  return <div className="chart" ref={container} data-testid="chart" />;
}
