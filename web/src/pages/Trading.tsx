import { useEffect, useState } from 'react';
import { useOrderNotifications, useTickwire } from '../../../src/client/react.ts';
import { fillKey } from '../fills.ts';
import type { AccountFill, NewOrderRequest, OrderFillNotification } from '../../../src/client/index.ts';
import { restApi } from '../session.ts';
import { usePoll } from '../use-poll.ts';

/** The signed-in account's orders, fills and positions; place and cancel an order. */
export function Trading() {
  const client = useTickwire();
  if (client.account === null) return <SignInFirst />;
  return <AccountTrading />;
}

export function SignInFirst() {
  return (
    <section>
      <h2>Sign in</h2>
      <p className="dim">
        This page shows an account: enter its API key at the top right. Market data needs none.
      </p>
    </section>
  );
}

function AccountTrading() {
  const live = useOrderNotifications();
  const orders = usePoll('orders', (api) => api.orders(), 5_000);
  const fills = usePoll('fills', (api) => api.fills(), 10_000);
  const positions = usePoll('positions', (api) => api.positions(), 2_000);
  // An order event means the lists changed: read them again (the events carry what changed, the lists the rest).
  const events = Object.keys(live.orders).length + live.fills.length;
  useEffect(() => {
    orders.refresh();
    positions.refresh();
  }, [events]);
  const seen = new Set((fills.data ?? []).map(fillKey));
  const allFills: (AccountFill | OrderFillNotification)[] = [
    ...(fills.data ?? []),
    ...live.fills.filter((fill) => !seen.has(fillKey(fill))),
  ].slice(-50);
  return (
    <div className="columns">
      <div className="stack">
        <PlaceOrder onPlaced={orders.refresh} />
        <section>
          <h2>Orders</h2>
          <table data-testid="orders">
            <thead>
              <tr>
                <th>symbol</th>
                <th>side</th>
                <th>type</th>
                <th>for</th>
                <th>state</th>
                <th>price</th>
                <th>qty</th>
                <th>filled</th>
                <th>avg</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(orders.data ?? [])
                .slice(-50)
                .reverse()
                .map((order) => (
                  <tr key={order.clientOrderId}>
                    <td>{order.symbol}</td>
                    <td className={order.side === 'BUY' ? 'up' : 'down'}>{order.side}</td>
                    <td>{order.kind}</td>
                    <td>{order.orderType}</td>
                    <td>{live.orders[order.clientOrderId]?.state ?? order.state}</td>
                    <td>{order.price ?? 'market'}</td>
                    <td>{order.quantity}</td>
                    <td>{order.filledQuantity}</td>
                    <td>{order.averagePrice}</td>
                    <td>
                      {['NEW', 'PARTIALLY_FILLED'].includes(order.state) ? (
                        <button
                          onClick={() =>
                            void restApi().cancelOrder(order.clientOrderId).finally(orders.refresh)
                          }
                        >
                          cancel
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      </div>
      <div className="stack">
        <section>
          <h2>Positions</h2>
          <table data-testid="positions">
            <thead>
              <tr>
                <th>symbol</th>
                <th>quantity</th>
                <th>avg price</th>
                <th>mark</th>
                <th>realized</th>
                <th>unrealized</th>
              </tr>
            </thead>
            <tbody>
              {(positions.data ?? []).map((position) => (
                <tr key={position.symbol}>
                  <td>{position.symbol}</td>
                  <td>{position.quantity}</td>
                  <td>{position.averagePrice}</td>
                  <td>{position.markPrice ?? '—'}</td>
                  <td>{position.realizedPnl}</td>
                  <td>{position.unrealizedPnl ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h2>Fills</h2>
          <table data-testid="fills">
            <thead>
              <tr>
                <th>symbol</th>
                <th>side</th>
                <th>price</th>
                <th>qty</th>
                <th>time</th>
              </tr>
            </thead>
            <tbody>
              {[...allFills].reverse().map((fill) => (
                <tr key={fillKey(fill)}>
                  <td>{fill.symbol}</td>
                  <td className={fill.side === 'BUY' ? 'up' : 'down'}>{fill.side}</td>
                  <td>{fill.price}</td>
                  <td>{fill.quantity}</td>
                  <td>{new Date('time' in fill ? fill.time : fill.transactionTime).toLocaleTimeString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}

function PlaceOrder({ onPlaced }: { onPlaced: () => void }) {
  const [form, setForm] = useState<{
    symbol: string;
    side: NewOrderRequest['side'];
    type: NewOrderRequest['type'];
    quantity: string;
    price: string;
  }>({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', price: '' });
  const [message, setMessage] = useState<string>();
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm({ ...form, [field]: event.target.value });
  return (
    <section>
      <h2>Place an order</h2>
      <form
        className="inline"
        data-testid="place-order"
        onSubmit={(event) => {
          event.preventDefault();
          const order: NewOrderRequest = {
            symbol: form.symbol,
            side: form.side,
            type: form.type,
            quantity: form.quantity,
            ...(form.type === 'LIMIT' ? { price: form.price, timeInForce: 'GTC' } : {}),
          };
          restApi()
            .placeOrder(order)
            .then(
              (order) => {
                setMessage(`${order.clientOrderId}: ${order.state}`);
                onPlaced();
              },
              (error: Error) => setMessage(error.message),
            );
        }}
      >
        <input value={form.symbol} onChange={set('symbol')} size={10} aria-label="symbol" />
        <select value={form.side} onChange={set('side')} aria-label="side">
          <option>BUY</option>
          <option>SELL</option>
        </select>
        <select value={form.type} onChange={set('type')} aria-label="type">
          <option>MARKET</option>
          <option>LIMIT</option>
        </select>
        <input value={form.quantity} onChange={set('quantity')} size={8} aria-label="quantity" />
        {form.type === 'LIMIT' ? (
          <input
            value={form.price}
            onChange={set('price')}
            size={10}
            placeholder="price"
            aria-label="price"
          />
        ) : null}
        <button type="submit">place</button>
      </form>
      {message === undefined ? null : <p data-testid="order-message">{message}</p>}
    </section>
  );
}
