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
import { symbolIds } from './symbol-ids.ts';

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
    let candle: { time: UTCTimestamp; open: number; high: number; low: number; close: number } | undefined;
    const draw = frameBatched(() => {
      if (candle !== undefined) series.update({ ...candle });
    });
    // Binary, as the market page's other market data: a topic the connection holds in both formats
    // comes in one only. Every binary subscription gets every binary tick: take this symbol's trades.
    let id = -1;
    void symbolIds().then((ids) => (id = ids.get(symbol) ?? -1));
    const subscription = client.subscribe(`md.trade.SIM.${symbol}`, () => undefined, {
      format: 'binary',
      onTicks: (tick) => {
        if (tick.type !== TRADE || tick.symbolId !== id) return;
        const price = fromFixedPoint(tick.price, tick.priceScale);
        const time = Math.floor(tick.exchangeMs / 1000) as UTCTimestamp;
        if (candle === undefined || time > candle.time) {
          if (candle !== undefined) series.update({ ...candle });
          candle = { time, open: price, high: price, low: price, close: price };
        } else {
          candle.high = Math.max(candle.high, price);
          candle.low = Math.min(candle.low, price);
          candle.close = price;
        }
        draw.request();
      },
    });
    return () => {
      // A frame still to come must not draw on the removed chart.
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
