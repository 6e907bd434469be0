import type {
  FrameNormalizer,
  FrameTransport,
  NormalizerFactory,
  NormalizerListener,
  NormalizerSink,
  NormalizerSpec,
} from './normalizer.ts';
import { emptyRecordMeta, fillRecordMeta, type RecordMeta } from './record-layout.ts';

const encoder = new TextEncoder();

/**
 * A FrameTransport without threads: one normalizer on the calling thread writing into any
 * NormalizerSink (a test's collecting sink, a recorder). Same normalizer code and the same calls
 * as in a pipeline worker, minus the rings and the quality checks; for tests, tools and small
 * deployments that do not want worker threads.
 */
export class InProcessTransport implements FrameTransport {
  readonly workerCount = 1;
  readonly maxFrameBytes: number;
  readonly normalizerName: string;
  private readonly normalizer: FrameNormalizer;
  private readonly listeners = new Set<NormalizerListener>();
  private readonly figures: Float64Array;
  private readonly meta: RecordMeta = emptyRecordMeta();

  constructor(
    spec: Pick<NormalizerSpec, 'name' | 'figures'>,
    factory: NormalizerFactory,
    sink: NormalizerSink,
    maxFrameBytes = Number.POSITIVE_INFINITY,
  ) {
    this.normalizerName = spec.name;
    this.maxFrameBytes = maxFrameBytes;
    this.figures = new Float64Array(spec.figures);
    this.normalizer = factory({
      workerIndex: 0,
      incarnation: 0,
      config: undefined,
      sink,
      post: (message) => {
        for (const listener of this.listeners) listener.onMessage(0, message);
      },
    });
  }

  workerOf(_symbolId: number): number {
    return 0;
  }

  /** Snapshots are applied as they are offered: none ever waits. */
  snapshotBacklog(_workerIndex: number): number {
    return 0;
  }

  offerFrame(
    symbolId: number,
    source: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): boolean {
    if (bytes.length > this.maxFrameBytes) return false;
    const meta = fillRecordMeta(this.meta, symbolId, source, stream, streamInfo, receiveMs, receiveNanosOfMs);
    this.normalizer.frame(bytes, 0, bytes.length, meta);
    this.normalizer.flush();
    return true;
  }

  offerSnapshot(
    symbolId: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): boolean {
    const meta = fillRecordMeta(this.meta, symbolId, 0, stream, streamInfo, receiveMs, receiveNanosOfMs);
    this.normalizer.snapshot(bytes, 0, bytes.length, meta);
    this.normalizer.flush();
    return true;
  }

  sendControl(_workerIndex: number, payload: string): boolean {
    const bytes = encoder.encode(payload);
    this.normalizer.control(bytes, 0, bytes.length);
    this.normalizer.flush();
    return true;
  }

  configureNormalizer(config: unknown): void {
    // A copy, as a worker would get it.
    this.normalizer.configure(JSON.parse(JSON.stringify(config)) as unknown);
  }

  normalizerFigures(): Float64Array {
    this.normalizer.writeFigures(this.figures);
    return this.figures.slice();
  }

  addNormalizerListener(listener: NormalizerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
