import { loadavg } from 'node:os';
import { type Bench, round } from './harness.ts';
import {
  deliveriesAt,
  describe,
  fanoutPlan,
  latencyAt,
  measureFanout,
  reportFanout,
  scenarioFields,
  searchMaxRate,
  START_RATE,
  startFanoutClients,
  withServer,
} from './support/fanout-search.ts';

/**
 * Fan-out throughput and latency of the gateway (bench/support/fanout-search.ts measures): the
 * highest rate at which 1,000 JSON clients (10 of 100 symbols each) get every message, compared
 * with a bare `ws` server and with a corked `ws` broadcast (the ceiling), with the same clients in
 * the same run; latency at half the gateway's maximum. docs/BENCHMARKS.md explains the method and
 * what limits the figures.
 */

const TARGET_DELIVERIES = 1_500_000;

export default {
  name: 'fanout',
  description:
    'deliveries/s to 1,000 JSON clients (10 of 100 symbols each) vs a bare ws server and a corked ws ceiling',
  async run(ctx) {
    // Other work on this shared 2-core machine moves these figures: the load at the start says how busy it was.
    const loadAtStart = round(loadavg()[0]!);
    const plan = fanoutPlan(ctx.quick);
    const clients = startFanoutClients();
    try {
      await clients.ready;
      const fanout = await measureFanout(ctx, plan, clients);
      const halfRate = fanout.tickwire.maxRate / 2;
      const bare = await withServer('bare-ws', clients, async (server) => {
        const search = await searchMaxRate(ctx, 'bare-ws', server, clients, START_RATE.bareWs, plan);
        const atTickwireHalf =
          halfRate > 0 ? await latencyAt(server, clients, halfRate, plan.latencyMs) : undefined;
        if (atTickwireHalf)
          ctx.note(`bare-ws at tickwire's half rate: ${describe('bare-ws', atTickwireHalf.trial)}`);
        const atOwnHalf =
          search.maxRate > 0
            ? await latencyAt(server, clients, search.maxRate / 2, plan.latencyMs)
            : undefined;
        return { search, atTickwireHalf, atOwnHalf };
      });

      const common = scenarioFields(plan, loadAtStart);
      reportFanout(ctx, fanout, common);
      const tickwirePerSecond = deliveriesAt(fanout.tickwire.maxRate);
      ctx.report({
        metric: 'deliveries_per_s_vs_bare_ws',
        value: tickwirePerSecond,
        unit: 'msg/s',
        better: 'higher',
        baseline: 'bare ws server (ws.send per client per message)',
        baseline_value: deliveriesAt(bare.search.maxRate),
        target: TARGET_DELIVERIES,
        target_met: tickwirePerSecond >= TARGET_DELIVERIES,
        ratio_target: 10,
        ...common,
      });
      if (fanout.tickwireLatency && bare.atTickwireHalf) {
        ctx.report({
          metric: 'latency_p99_us_vs_bare_ws',
          value: fanout.tickwireLatency.p99,
          unit: 'us',
          better: 'lower',
          baseline: 'bare ws server at the same rate',
          baseline_value: bare.atTickwireHalf.p99,
          baseline_sustained: bare.atTickwireHalf.sustained,
          baseline_at_own_half_rate_us: bare.atOwnHalf ? round(bare.atOwnHalf.p99) : null,
          baseline_own_half_rate_deliveries_per_s: deliveriesAt(bare.search.maxRate / 2),
          ...common,
        });
      }
    } finally {
      await clients.stop();
    }
  },
} satisfies Bench;
