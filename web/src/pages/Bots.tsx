import { useState } from 'react';
import { useBotUpdates, useOrderNotifications, useTickwire } from '../../../src/client/react.ts';
import { CandleChart, type PriceLine } from '../CandleChart.tsx';
import { fillKey } from '../fills.ts';
import type { NewBotRequest, OrderFillNotification } from '../../../src/client/index.ts';
import { restApi } from '../session.ts';
import { usePoll } from '../use-poll.ts';
import { SignInFirst } from './Trading.tsx';

/** A fill of the bot's, from the REST list or the live stream, with what its order was for. */
type BotFill = Pick<OrderFillNotification, 'clientOrderId' | 'tradeId' | 'side' | 'quantity' | 'price'> & {
  orderType: string;
};

/** The account's DCA bots: list with status, cycle and P&L; create, start, pause, stop; details. */
export function Bots() {
  const client = useTickwire();
  if (client.account === null) return <SignInFirst />;
  return <AccountBots />;
}

function AccountBots() {
  const list = usePoll('bots', (api) => api.bots(), 2_000);
  const live = useBotUpdates();
  const [selected, setSelected] = useState<string>();
  const act = (botId: string, action: 'startBot' | 'pauseBot' | 'stopBot') =>
    void restApi()[action](botId).finally(list.refresh);
  return (
    <div className="columns">
      <div className="stack">
        <CreateBot onCreated={list.refresh} />
        <section>
          <h2>Bots</h2>
          {list.error ? <p className="error">{list.error}</p> : null}
          <table data-testid="bots">
            <thead>
              <tr>
                <th>bot</th>
                <th>symbol</th>
                <th>status</th>
                <th>cycle</th>
                <th>phase</th>
                <th>realized P&amp;L</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).map((bot) => {
                const status = live[bot.botId]?.status;
                const cycle = live[bot.botId]?.cycle;
                return (
                  <tr
                    key={bot.botId}
                    className={bot.botId === selected ? 'selected' : ''}
                    onClick={() => setSelected(bot.botId)}
                  >
                    <td>{bot.botId}</td>
                    <td>{bot.config.symbol}</td>
                    <td data-testid={`bot-status-${bot.botId}`}>{status?.status ?? bot.status}</td>
                    <td>{cycle?.cycle ?? bot.cycle}</td>
                    <td>{cycle?.phase ?? bot.currentCycle.phase}</td>
                    <td>{cycle?.realizedPnl ?? bot.realizedPnl}</td>
                    <td>
                      <button onClick={() => act(bot.botId, 'startBot')}>start</button>{' '}
                      <button onClick={() => act(bot.botId, 'pauseBot')}>pause</button>{' '}
                      <button onClick={() => act(bot.botId, 'stopBot')}>stop</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      </div>
      {selected === undefined ? null : <BotDetails botId={selected} />}
    </div>
  );
}

/** One bot: its current cycle, its orders as lines on the chart, its fills as they happen. */
function BotDetails({ botId }: { botId: string }) {
  const bot = usePoll(`bot ${botId}`, (api) => api.bot(botId), 1_000).data;
  const history = usePoll('fills', (api) => api.fills(), 5_000).data ?? [];
  const live = useOrderNotifications().fills.filter((fill) => fill.botId === botId);
  if (bot === undefined) return <section>loading {botId}…</section>;
  // The fills before this panel opened come from the REST API (by the bot's orders), later ones live.
  const ownOrders = new Map((bot.orders ?? []).map((order) => [order.clientOrderId, order.orderType]));
  const fills = new Map<string, BotFill>();
  for (const fill of history) {
    const orderType = ownOrders.get(fill.clientOrderId);
    if (orderType !== undefined) fills.set(fillKey(fill), { ...fill, orderType });
  }
  for (const fill of live) fills.set(fillKey(fill), fill);
  const open = (bot.orders ?? []).filter(
    (order) => ['NEW', 'PARTIALLY_FILLED', 'PENDING_NEW'].includes(order.state) && order.price,
  );
  const lines: PriceLine[] = open.map((order) => ({
    price: Number(order.price),
    title: order.orderType === 'take_profit' ? 'take profit' : order.orderType.replace('_', ' '),
    color: order.orderType === 'take_profit' ? '#3ecf8e' : '#e0b84f',
  }));
  if (Number(bot.currentCycle.averageEntry) > 0)
    lines.push({ price: Number(bot.currentCycle.averageEntry), title: 'average entry', color: '#7d8793' });
  return (
    <div className="stack">
      <section>
        <h2>
          {botId}: {bot.config.symbol} {bot.status}, cycle {bot.cycle} ({bot.currentCycle.phase})
        </h2>
        <p>
          position {bot.currentCycle.positionQuantity} at {bot.currentCycle.averageEntry}, safety orders
          filled {bot.currentCycle.safetyOrdersFilled}/{bot.config.maxSafetyOrders}, unrealized{' '}
          {bot.currentCycle.unrealizedPnl}, realized {bot.realizedPnl}
        </p>
        {bot.error ? <p className="error">{bot.error}</p> : null}
        <CandleChart symbol={bot.config.symbol} lines={lines} />
      </section>
      <section>
        <h2>Fills of this bot (live)</h2>
        <table data-testid="bot-fills">
          <tbody>
            {[...fills].reverse().map(([key, fill]) => (
              <tr key={key}>
                <td>{fill.orderType}</td>
                <td className={fill.side === 'BUY' ? 'up' : 'down'}>{fill.side}</td>
                <td>{fill.quantity}</td>
                <td>{fill.price}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function CreateBot({ onCreated }: { onCreated: () => void }) {
  const [form, setForm] = useState({
    symbol: 'BTCUSDT',
    baseOrderQuantity: '0.001',
    safetyOrderQuantity: '0.001',
    maxSafetyOrders: '3',
    priceDeviationPercent: '0.1',
    takeProfitPercent: '0.1',
  });
  const [message, setMessage] = useState<string>();
  const field = (name: keyof typeof form) => (
    <label>
      <span className="dim">{name} </span>
      <input
        value={form[name]}
        onChange={(event) => setForm({ ...form, [name]: event.target.value })}
        size={8}
        aria-label={name}
      />
    </label>
  );
  return (
    <section>
      <h2>New DCA bot</h2>
      <form
        className="inline"
        data-testid="create-bot"
        onSubmit={(event) => {
          event.preventDefault();
          const settings: NewBotRequest = {
            symbol: form.symbol,
            baseOrderQuantity: form.baseOrderQuantity,
            safetyOrderQuantity: form.safetyOrderQuantity,
            maxSafetyOrders: Number(form.maxSafetyOrders),
            priceDeviationPercent: Number(form.priceDeviationPercent),
            takeProfitPercent: Number(form.takeProfitPercent),
          };
          restApi()
            .createBot(settings)
            .then(
              (bot) => {
                setMessage(`created ${bot.botId}`);
                onCreated();
              },
              (error: Error) => setMessage(error.message),
            );
        }}
      >
        {field('symbol')}
        {field('baseOrderQuantity')}
        {field('safetyOrderQuantity')}
        {field('maxSafetyOrders')}
        {field('priceDeviationPercent')}
        {field('takeProfitPercent')}
        <button type="submit">create</button>
      </form>
      {message === undefined ? null : <p data-testid="bot-message">{message}</p>}
    </section>
  );
}
