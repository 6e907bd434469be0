import { z } from 'zod';
import {
  CLUSTER_TOPICS,
  clusterNodeTopic,
  clusterReplyTopic,
  type JsonValue,
  type MessageBus,
  type Payload,
  type Unsubscribe,
} from '../bus/index.ts';
import type { Gateway } from './gateway.ts';
import { type Lane, LANES } from './lanes.ts';

export interface ClusterOptions {
  bus: MessageBus;
  gateway: Gateway;
  /** This node's id: one topic segment, unique among the nodes sharing the broker. */
  nodeId: string;
  beaconIntervalMs?: number;
  /** How long a broadcast waits for the other nodes' counts before answering without them. */
  replyWaitMs?: number;
}

export const CLUSTER_DEFAULTS = { beaconIntervalMs: 2_000, replyWaitMs: 1_000 } as const;
/** A node not heard from for this many beacon intervals is taken as gone. */
const MISSED_BEACONS = 3;

export interface NodeInfo {
  node: string;
  url: string;
  connections: number;
  /** Milliseconds since its last beacon (0 for this node). */
  lastSeenMs: number;
  self: boolean;
}

export interface ClusterBroadcastResult {
  /** Connections reached on every node that answered. */
  reached: number;
  nodes: { node: string; reached: number }[];
  /** Live nodes that did not answer within replyWaitMs. */
  missing: string[];
}

/** Node ids become topic segments (`cluster.replies.<id>`). */
const nodeId = z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/);
const broadcastMessage = z.object({
  id: z.number().int(),
  origin: nodeId,
  topic: z.string().min(1),
  data: z.json(),
  priority: z.enum(LANES),
});
const replyMessage = z.object({ id: z.number().int(), node: nodeId, reached: z.number().int() });
const beaconMessage = z.object({
  node: nodeId,
  url: z.string(),
  connections: z.number().int(),
  leaving: z.boolean().optional(),
});

interface PendingBroadcast {
  readonly result: ClusterBroadcastResult;
  readonly waitingFor: Set<string>;
  readonly done: () => void;
}

/**
 * The gateway nodes sharing one bus, seen from one of them: each node announces itself on
 * `cluster.nodes.<id>` every beacon interval (and once more when it leaves), and a REST broadcast
 * travels on `cluster.broadcast` to every node, itself included, each answering on the origin's
 * `cluster.replies.<id>` with how many of its connections it reached. On the in-process bus this
 * node is the whole cluster and the answer is immediate.
 *
 * Messages on these topics that do not parse (another deployment's traffic on a shared prefix,
 * or a bug) are counted in `malformed` and ignored.
 */
export class Cluster {
  private readonly peers = new Map<string, { url: string; connections: number; seenAt: number }>();
  private readonly pending = new Map<number, PendingBroadcast>();
  private readonly unsubscribes: Unsubscribe[];
  private beacon: NodeJS.Timeout | undefined;
  private readonly settings: Required<ClusterOptions>;
  /** This node's base URL, announced to the others once the server listens. */
  private url = '';
  private nextId = 1;
  malformed = 0;

  constructor(options: ClusterOptions) {
    this.settings = { ...CLUSTER_DEFAULTS, ...options };
    const { bus, nodeId } = this.settings;
    this.unsubscribes = [
      bus.subscribe(CLUSTER_TOPICS.broadcast, (payload) => this.onBroadcast(payload)),
      bus.subscribe(clusterReplyTopic(nodeId), (payload) => this.onReply(payload)),
      bus.subscribe(CLUSTER_TOPICS.nodes, (payload) => this.onBeacon(payload)),
    ];
  }

  /** Starts announcing this node (its HTTP server now listens at `url`). */
  start(url: string): void {
    this.url = url;
    this.announce(false);
    this.beacon = setInterval(() => this.announce(false), this.settings.beaconIntervalMs);
    this.beacon.unref();
  }

  /** This node and every other node heard from recently, this node first. */
  nodes(now = Date.now()): NodeInfo[] {
    const { nodeId, gateway } = this.settings;
    const url = this.url;
    const others = [...this.livePeers(now)].map(([node, peer]) => ({
      node,
      url: peer.url,
      connections: peer.connections,
      lastSeenMs: now - peer.seenAt,
      self: false,
    }));
    return [
      { node: nodeId, url, connections: gateway.connectionCount, lastSeenMs: 0, self: true },
      ...others,
    ];
  }

  /** Sends `data` on `topic` to the subscribed connections of every node; resolves with the counts. */
  broadcast(topic: string, data: JsonValue, priority: Lane): Promise<ClusterBroadcastResult> {
    const id = this.nextId++;
    const waitingFor = new Set([
      this.settings.nodeId,
      ...[...this.livePeers(Date.now())].map(([node]) => node),
    ]);
    const result: ClusterBroadcastResult = { reached: 0, nodes: [], missing: [] };
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), this.settings.replyWaitMs);
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        result.missing = [...waitingFor];
        resolve(result);
      };
      this.pending.set(id, { result, waitingFor, done: finish });
      const message = { id, origin: this.settings.nodeId, topic, data, priority };
      this.settings.bus.publish(CLUSTER_TOPICS.broadcast, message);
    });
  }

  close(): void {
    if (this.beacon !== undefined) {
      clearInterval(this.beacon);
      this.announce(true);
    }
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    for (const pending of [...this.pending.values()]) pending.done();
  }

  private *livePeers(now: number) {
    const horizon = now - this.settings.beaconIntervalMs * MISSED_BEACONS;
    for (const [node, peer] of this.peers) {
      if (peer.seenAt >= horizon) yield [node, peer] as const;
      else this.peers.delete(node);
    }
  }

  private announce(leaving: boolean): void {
    const { bus, nodeId, gateway } = this.settings;
    const beacon = {
      node: nodeId,
      url: this.url,
      connections: gateway.connectionCount,
      ...(leaving ? { leaving } : {}),
    };
    try {
      bus.publish(clusterNodeTopic(nodeId), beacon);
    } catch {
      // The bus is closing: nobody is left to tell.
    }
  }

  private onBeacon(payload: Payload): void {
    const beacon = beaconMessage.safeParse(payload);
    if (!beacon.success) {
      this.malformed++;
      return;
    }
    const { node, url, connections, leaving } = beacon.data;
    if (node === this.settings.nodeId) return;
    if (leaving) {
      this.peers.delete(node);
      return;
    }
    const known = this.peers.has(node);
    this.peers.set(node, { url, connections, seenAt: Date.now() });
    // A node that just joined learns of this one now rather than a beacon interval later.
    if (!known && this.beacon !== undefined) this.announce(false);
  }

  private onBroadcast(payload: Payload): void {
    const message = broadcastMessage.safeParse(payload);
    if (!message.success) {
      this.malformed++;
      return;
    }
    const { id, origin, topic, data, priority } = message.data;
    const reached = this.settings.gateway.broadcast(topic, data, priority);
    const { bus, nodeId } = this.settings;
    bus.publish(clusterReplyTopic(origin), { id, node: nodeId, reached });
  }

  private onReply(payload: Payload): void {
    const reply = replyMessage.safeParse(payload);
    if (!reply.success) {
      this.malformed++;
      return;
    }
    const pending = this.pending.get(reply.data.id);
    if (pending === undefined) return; // answered after the wait ended
    const { node, reached } = reply.data;
    if (!pending.waitingFor.delete(node)) return;
    pending.result.reached += reached;
    pending.result.nodes.push({ node, reached });
    if (pending.waitingFor.size === 0) pending.done();
  }
}
