import { usePoll } from '../use-poll.ts';

const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 2 : 0);

/** Delivery latency of each trading event type, from the event's own time, against its target. */
export function Latency() {
  const { data, error } = usePoll('latency', (api) => api.latency(), 1_000);
  const types = Object.keys(data?.targetsMs ?? {});
  return (
    <section>
      <h2>Trading event latency (ms, since start)</h2>
      {error ? <p className="error">{error}</p> : null}
      <table data-testid="latency">
        <thead>
          <tr>
            <th>event</th>
            <th>count</th>
            <th>p50</th>
            <th>p90</th>
            <th>p99</th>
            <th>p99.9</th>
            <th>max</th>
            <th>target</th>
            <th>within target</th>
          </tr>
        </thead>
        <tbody>
          {types.map((type) => {
            const summary = data?.events[type];
            const over = summary !== undefined && summary.count > 0 && summary.p99Us > summary.targetUs;
            return (
              <tr key={type}>
                <td>{type}</td>
                <td>{summary?.count ?? 0}</td>
                <td>{summary ? ms(summary.p50Us) : '—'}</td>
                <td>{summary ? ms(summary.p90Us) : '—'}</td>
                <td className={over ? 'down' : summary?.count ? 'up' : ''}>
                  {summary ? ms(summary.p99Us) : '—'}
                </td>
                <td>{summary ? ms(summary.p999Us) : '—'}</td>
                <td>{summary ? ms(summary.maxUs) : '—'}</td>
                <td>{data!.targetsMs[type]}</td>
                <td>{summary ? `${(summary.withinTarget * 100).toFixed(2)} %` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
