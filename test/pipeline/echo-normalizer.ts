import type { FrameNormalizer, NormalizerFactory, RecordMeta } from '../../src/pipeline/index.ts';

/**
 * A test normalizer: every record becomes one trade tick describing it, so a test can check what
 * reached the worker. tradeId = record kind (1 frame, 2 snapshot, 3 control, 4 configure),
 * sequence = records seen by this normalizer, price = payload bytes, size = byte sum + 1.
 * Controls name their symbol id as their whole payload.
 */
export const ECHO_KINDS = { frame: 1, snapshot: 2, control: 3, configure: 4 } as const;

class EchoNormalizer implements FrameNormalizer {
  private seen = 0;
  private configured = 0;
  constructor(private readonly context: Parameters<NormalizerFactory>[0]) {}

  frame(bytes: Uint8Array, start: number, length: number, meta: RecordMeta): void {
    this.echo(ECHO_KINDS.frame, meta.symbolId, bytes, start, length, meta.receiveMs);
  }

  snapshot(bytes: Uint8Array, start: number, length: number, meta: RecordMeta): void {
    this.echo(ECHO_KINDS.snapshot, meta.symbolId, bytes, start, length, meta.receiveMs);
  }

  control(bytes: Uint8Array, start: number, length: number): void {
    const symbolId = Number(new TextDecoder().decode(bytes.subarray(start, start + length)));
    this.echo(ECHO_KINDS.control, symbolId, bytes, start, length, 1_700_000_000_000);
  }

  configure(config: unknown): void {
    this.configured++;
    const symbolId = (config as { symbolId: number }).symbolId;
    this.echo(ECHO_KINDS.configure, symbolId, new Uint8Array(0), 0, 0, 1_700_000_000_000);
  }

  flush(): void {}

  writeFigures(figures: Float64Array): void {
    figures[0] = this.seen;
    figures[1] = this.configured;
  }

  private echo(
    kind: number,
    symbolId: number,
    bytes: Uint8Array,
    start: number,
    length: number,
    at: number,
  ): void {
    let sum = 1;
    for (let i = start; i < start + length; i++) sum += bytes[i]!;
    const tick = this.context.sink.claim(symbolId);
    if (tick === undefined) return;
    tick.writeTrade(1, symbolId, 0, 0, ++this.seen, 1, at, 0, at, 0, length, sum, kind);
    this.context.sink.commit();
  }
}

export const createNormalizer: NormalizerFactory = (context) => new EchoNormalizer(context);
