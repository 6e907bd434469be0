import type { RingProducer } from '../shm/index.ts';
import { TICK_BYTES } from '../wire/index.ts';
import type { WorkerState } from './pipeline-stats.ts';
import { maxRecordSlots, RECORD_MORE, type RecordType } from './record-layout.ts';
import type { RecordWriter } from './record-writer.ts';

/**
 * Share of an input ring a snapshot leaves free for frames: a waiting snapshot goes in only when the
 * ring keeps this much room after it (1/4 of the capacity), so snapshots never crowd out the diffs.
 */
const SNAPSHOT_RESERVE_SHIFT = 2;
/**
 * A snapshot that has waited this long for that room goes in as soon as it fits at all (frames for
 * its worker then wait behind it, refused): under a sustained overload books still get their snapshots.
 */
const SNAPSHOT_MAX_WAIT_MS = 1_000;

/** A record waiting for room in its worker's input ring (snapshots and control messages are never dropped). */
export interface PendingRecord {
  readonly type: RecordType;
  readonly symbolId: number;
  readonly stream: number;
  readonly streamInfo: number;
  readonly receiveMs: number;
  readonly receiveNanosOfMs: number;
  readonly bytes: Uint8Array;
  /** Bytes already written (records larger than one ring record go in parts). */
  start: number;
  /** When it was offered (performance.now()), for snapshots waiting for room. */
  readonly offeredAt: number;
}

/** What the queue needs of a worker link: its input ring, its writer, the free-slot hint and the two queues. */
export interface RecordQueueLink {
  readonly state: WorkerState;
  readonly input: RingProducer;
  readonly writer: RecordWriter;
  /** Input slots known to be free (a lower bound). */
  freeHint: number;
  /** Control records (and snapshots moved from `snapshots`) waiting for room, oldest first. */
  readonly pending: PendingRecord[];
  /** Snapshots waiting for room, oldest first. */
  readonly snapshots: PendingRecord[];
}

const encoder = new TextEncoder();

export function controlRecord(stream: number, payload: string): PendingRecord {
  return {
    type: 'control',
    symbolId: 0,
    stream,
    streamInfo: 0,
    receiveMs: 0,
    receiveNanosOfMs: 0,
    bytes: encoder.encode(payload),
    start: 0,
    offeredAt: 0,
  };
}

export function enqueue(link: RecordQueueLink, record: PendingRecord, maxFrameBytes: number): void {
  link.pending.push(record);
  flushPending(link, maxFrameBytes);
}

/**
 * Moves waiting snapshots into the ring (through `pending`, which keeps a record's parts
 * together) while each fits with SNAPSHOT_RESERVE_SHIFT of the ring to spare — or fits at all
 * after waiting SNAPSHOT_MAX_WAIT_MS. Frames never wait for a snapshot that has not moved yet, so
 * a burst of snapshots (thousands of books syncing at start) cannot make the ring refuse diffs,
 * whose loss would only make the books ask for more snapshots.
 */
export function admitSnapshots(link: RecordQueueLink, capacity: number, maxFrameBytes: number): void {
  const snapshots = link.snapshots;
  if (snapshots.length === 0 || link.pending.length > 0 || link.state !== 'running') return;
  // One padding record in front of a part, at most, plus one header slot per part.
  const slack = maxRecordSlots(capacity);
  const now = performance.now();
  let free = link.input.freeSlots();
  while (snapshots.length > 0) {
    const record = snapshots[0]!;
    const parts = Math.ceil(record.bytes.length / maxFrameBytes) || 1;
    const slots = Math.ceil(record.bytes.length / TICK_BYTES) + parts + slack;
    const reserve = now - record.offeredAt >= SNAPSHOT_MAX_WAIT_MS ? 0 : capacity >>> SNAPSHOT_RESERVE_SHIFT;
    if (free < Math.min(slots + reserve, capacity)) return;
    snapshots.shift();
    link.pending.push(record);
    if (!flushPending(link, maxFrameBytes)) return;
    link.freeHint = free = link.input.freeSlots();
  }
}

/** Writes waiting records while they fit; true when none is left waiting. */
export function flushPending(link: RecordQueueLink, maxFrameBytes: number): boolean {
  const pending = link.pending;
  const chunk = maxFrameBytes;
  while (pending.length > 0) {
    const record = pending[0]!;
    const end = Math.min(record.bytes.length, record.start + chunk);
    const flags = end < record.bytes.length ? RECORD_MORE : 0;
    const write = (free: number) =>
      link.writer.write(
        record.type,
        flags,
        record.symbolId,
        0,
        record.stream,
        record.streamInfo,
        record.receiveMs,
        record.receiveNanosOfMs,
        record.bytes,
        record.start,
        end,
        free,
      );
    let used = write(link.freeHint);
    if (used === 0) {
      link.freeHint = link.input.freeSlots();
      used = write(link.freeHint);
      if (used === 0) return false;
    }
    link.freeHint -= used;
    record.start = end;
    if (end === record.bytes.length) pending.shift();
  }
  return true;
}
