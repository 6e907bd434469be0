import { Session } from 'node:inspector/promises';
import { MAIN_STAGES, type MainStage } from './ingest-protocol.ts';

/**
 * Where the main thread's CPU goes, by stage of the tick path, from V8's sampling profiler run
 * in-process over a window. Each busy sample is given to one stage by its call stack, walking from
 * the running function towards the root until a frame names a stage:
 *
 * | stage | frames |
 * | --- | --- |
 * | gc | the sample is `(garbage collector)` |
 * | subscriber | the benchmark's bus handler (bench/support/ingest-node.ts) |
 * | publish | src/bus, and the pipeline's drain (`drain`, `publishTick`, conflation flush) |
 * | route | the pipeline writing a raw frame (or a tick) into the owning worker's input ring: `offerFrame`, record-writer.ts, `claim`/`commit`, pending and conflated records |
 * | feed | src/feeds: stream lookup and receive stamp, connection bookkeeping, REST snapshot fetches (undici) (and, when frames are normalized on this thread, the mapper and books, with JSON.parse: V8 gives builtins no frame of their own) |
 * | receive | the `ws` library (frame decoding, events) and Node's socket read path under it |
 * | runtime | none of the above: `(program)` (V8 and native code), microtasks, timers, IPC |
 *
 * src/wire and src/shm frames are passed over (they serve both the feed and the drain), so a tick
 * write counts for normalize and a ring poll for publish.
 */

export interface MainProfile {
  shares: Record<MainStage, number>;
  samples: number;
}

interface CallFrame {
  functionName: string;
  url: string;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
}

/** Node's own socket read path (below ws). */
const SOCKET_READ = ['node:net', 'node:internal/stream_base_commons', 'node:internal/streams/'];
const PUBLISH_FUNCTIONS = new Set(['drain', 'publishTick', 'topicFor', 'idleWaitOf']);
const ROUTE_FUNCTIONS = new Set([
  'offerFrame',
  'offerSnapshot',
  'enqueue',
  'flushPending',
  'flushAllPending',
  'flushConflation',
  'claim',
  'commit',
  'claimConflating',
  'claimDroppingOldest',
]);

function stageOfFrame(frame: CallFrame): MainStage | undefined {
  const url = frame.url;
  if (url.endsWith('/bench/support/ingest-node.ts')) return 'subscriber';
  if (url.includes('/src/bus/')) return 'publish';
  if (url.endsWith('/src/pipeline/record-writer.ts')) return 'route';
  if (url.includes('/src/pipeline/')) {
    if (PUBLISH_FUNCTIONS.has(frame.functionName)) return 'publish';
    if (ROUTE_FUNCTIONS.has(frame.functionName)) return 'route';
    return undefined;
  }
  if (url.includes('/src/feeds/') || url.startsWith('node:internal/deps/undici')) return 'feed';
  if (url.includes('/node_modules/ws/') || SOCKET_READ.some((prefix) => url.startsWith(prefix)))
    return 'receive';
  return undefined;
}

function classify(
  nodes: Map<number, ProfileNode>,
  parents: Map<number, number>,
  id: number,
): MainStage | 'idle' {
  const leaf = nodes.get(id)!.callFrame;
  if (leaf.functionName === '(idle)') return 'idle';
  if (leaf.functionName === '(garbage collector)') return 'gc';
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
    const stage = stageOfFrame(nodes.get(current)!.callFrame);
    if (stage !== undefined) return stage;
  }
  return 'runtime';
}

/** Samples the main thread for `durationMs` every `intervalUs` and splits the busy samples by stage. */
export async function profileMainThread(durationMs: number, intervalUs: number): Promise<MainProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return splitByStage(profile);
  } finally {
    session.disconnect();
  }
}

function splitByStage(profile: CpuProfile): MainProfile {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const counts = Object.fromEntries(MAIN_STAGES.map((stage) => [stage, 0])) as Record<MainStage, number>;
  const stageOfNode = new Map<number, MainStage | 'idle'>();
  let busy = 0;
  for (const id of profile.samples ?? []) {
    let stage = stageOfNode.get(id);
    if (stage === undefined) {
      stage = classify(nodes, parents, id);
      stageOfNode.set(id, stage);
    }
    if (stage === 'idle') continue;

    counts[stage]++;
    busy++;
  }
  const shares = Object.fromEntries(
    MAIN_STAGES.map((stage) => [stage, busy === 0 ? 0 : counts[stage] / busy]),
  ) as Record<MainStage, number>;

  return { shares, samples: busy };
}
