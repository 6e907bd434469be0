import { restApi } from '../session.ts';
import { usePoll } from '../use-poll.ts';

/** The parts of `GET /api/v1/stats` and `GET /api/v1/feeds` this page shows (diagnostic shapes). */
interface Stats {
  gateway: { connections: number };
  bus: { kind?: string; state?: string };
  pipeline: { stale: { count: number } };
}
interface Feeds {
  books?: { books: number; inSync: number };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The node at a glance: CPU per core, memory, event loop, GPU, components, connections, alerts. */
export function System() {
  const sample = usePoll('host', (api) => api.host(), 1_000).data;
  const health = usePoll('health', (api) => api.health(), 2_000).data;
  const stats = usePoll('stats', async (api) => (await api.stats()) as unknown as Stats, 2_000).data;
  const feeds = usePoll('feeds', async (api) => (await api.feeds()) as Feeds, 2_000).data;
  const alerts = usePoll('alerts', (api) => api.alerts(), 2_000);
  return (
    <div className="columns">
      <div className="stack">
        <section>
          <h2>CPU {sample ? `(${sample.host.cpuModel}, load ${sample.cpu.load.one.toFixed(2)})` : ''}</h2>
          <table data-testid="cpu">
            <thead>
              <tr>
                <th>core</th>
                <th>use %</th>
                <th>user</th>
                <th>system</th>
                <th>iowait</th>
                <th>steal</th>
                <th>MHz</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(sample?.cpu.cores ?? []).map((core) => (
                <tr key={core.core}>
                  <td>{core.core}</td>
                  <td>{core.utilization.toFixed(1)}</td>
                  <td>{core.user.toFixed(1)}</td>
                  <td>{core.system.toFixed(1)}</td>
                  <td>{core.iowait.toFixed(1)}</td>
                  <td>{core.steal.toFixed(1)}</td>
                  <td>{core.mhz?.toFixed(0) ?? '—'}</td>
                  <td style={{ width: '30%', textAlign: 'left' }}>
                    <span className="bar" style={{ width: `${core.utilization}%` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h2>Memory, process, GPU</h2>
          {sample ? (
            <table>
              <tbody>
                <tr>
                  <td>memory used</td>
                  <td>
                    {mib(sample.memory.usedBytes)} of {mib(sample.memory.totalBytes)} (
                    {sample.memory.usedPercent.toFixed(1)} %)
                  </td>
                </tr>
                <tr>
                  <td>swap used</td>
                  <td>{mib(sample.memory.swapUsedBytes)}</td>
                </tr>
                <tr>
                  <td>process RSS / heap</td>
                  <td>
                    {mib(sample.process.rssBytes)} / {mib(sample.process.heapUsedBytes)}
                  </td>
                </tr>
                <tr>
                  <td>process CPU</td>
                  <td>{sample.process.cpuPercent.toFixed(1)} % of a core</td>
                </tr>
                <tr>
                  <td>event-loop lag p50 / p99 / max</td>
                  <td data-testid="event-loop">
                    {sample.process.eventLoop.lagP50Ms.toFixed(1)} /{' '}
                    {sample.process.eventLoop.lagP99Ms.toFixed(1)} /{' '}
                    {sample.process.eventLoop.lagMaxMs.toFixed(1)} ms
                  </td>
                </tr>
                <tr>
                  <td>event-loop utilization</td>
                  <td>{(sample.process.eventLoop.utilization * 100).toFixed(0)} %</td>
                </tr>
                <tr>
                  <td>open files</td>
                  <td>
                    {sample.process.fds ? `${sample.process.fds.open} of ${sample.process.fds.limit}` : '—'}
                  </td>
                </tr>
                <tr>
                  <td>GPU</td>
                  <td>
                    {sample.gpu.available
                      ? sample.gpu.gpus
                          .map((gpu) => `${gpu.name} ${gpu.utilizationPercent} % ${gpu.celsius} °C`)
                          .join(', ')
                      : `none (${sample.gpu.reason})`}
                  </td>
                </tr>
              </tbody>
            </table>
          ) : (
            <p className="dim">waiting for the first sample…</p>
          )}
        </section>
      </div>
      <div className="stack">
        <section>
          <h2>Components: {health?.status ?? '…'}</h2>
          <table data-testid="components">
            <tbody>
              {Object.entries(health?.components ?? {}).map(([name, component]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td className={component.status === 'ok' ? 'up' : 'down'}>{component.status}</td>
                  <td className="dim" style={{ whiteSpace: 'normal' }}>
                    {component.reason ?? ''}
                  </td>
                </tr>
              ))}
              <tr>
                <td>connections</td>
                <td colSpan={2}>{stats?.gateway.connections ?? '…'}</td>
              </tr>
              <tr>
                <td>bus</td>
                <td colSpan={2}>{stats ? `${stats.bus.kind ?? ''} ${stats.bus.state ?? ''}` : '…'}</td>
              </tr>
              <tr>
                <td>books in sync</td>
                <td colSpan={2} data-testid="books">
                  {feeds?.books ? `${feeds.books.inSync} of ${feeds.books.books}` : '—'}
                </td>
              </tr>
              <tr>
                <td>stale symbols</td>
                <td colSpan={2}>{stats?.pipeline.stale.count ?? '…'}</td>
              </tr>
            </tbody>
          </table>
        </section>
        <section>
          <h2>Alerts</h2>
          {alerts.error ? <p className="error">{alerts.error}</p> : null}
          <table data-testid="alerts">
            <tbody>
              {[...(alerts.data?.active ?? []), ...(alerts.data?.history ?? []).slice(0, 20)].map((alert) => (
                <tr key={alert.id}>
                  <td>{alert.rule}</td>
                  <td className={alert.state === 'firing' ? 'down' : 'dim'}>{alert.state}</td>
                  <td>{alert.severity}</td>
                  <td style={{ whiteSpace: 'normal' }}>{alert.summary}</td>
                  <td>
                    {alert.state === 'firing' && alert.acknowledgedAt === undefined ? (
                      <button
                        onClick={() =>
                          void restApi()
                            .acknowledgeAlert(alert.id)
                            .then(alerts.refresh, (error: Error) => window.alert(error.message))
                        }
                      >
                        acknowledge
                      </button>
                    ) : alert.acknowledgedAt ? (
                      'acknowledged'
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}
