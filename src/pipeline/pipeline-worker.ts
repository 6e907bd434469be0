/**
 * A pipeline worker thread: owns a partition of the symbols. It takes ticks from its input ring,
 * runs the sequence checks (flagging gaps, duplicates and out-of-order ticks in the tick itself)
 * and passes them on through its output ring to the main thread, which publishes them.
 * Ticks are copied ring to ring word by word; nothing is allocated per tick.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isTickwireError } from '../errors.ts';
import { RingConsumer, RingProducer } from '../shm/index.ts';
import { Tick } from '../wire/index.ts';
import { SequenceChecker } from './sequence-check.ts';
import { CONTROL, COUNTER_INDEX, type PipelineWorkerData, WORKER_READY } from './worker-protocol.ts';

/** How long one wait for input lasts before the worker looks at its control word again. */
const IDLE_WAIT_MS = 50;
/** How long the worker waits for the main thread to free output slots before counting a stall. */
const OUTPUT_WAIT_MS = 1_000;
const MAX_BATCH = 256;

const data = workerData as PipelineWorkerData;
const control = new Int32Array(data.control);
const counters = new Float64Array(data.counters);
const input = new RingConsumer(data.input);
const output = new RingProducer(data.output);
const checker = new SequenceChecker();
const inTick = new Tick();
const outTick = new Tick();
let outIndex = 0;

function checkAndForward(bytes: Uint8Array, offset: number): void {
  inTick.wrap(bytes, offset);
  const flags = checker.check(inTick.symbolId, inTick.type, inTick.sequence);
  if (flags !== 0) inTick.addFlags(flags);
  outTick.wrap(output.bytes, output.offsetOf(outIndex++)).copyFrom(inTick);
}

// Tells the main thread this worker's modules are loaded and it is about to poll (the 'online'
// event comes earlier, before the imports above have run).
parentPort?.postMessage(WORKER_READY);

while (Atomics.load(control, CONTROL.running) === 1) {
  const ready = Math.min(input.available(), MAX_BATCH);
  if (ready === 0) {
    try {
      input.waitForData(IDLE_WAIT_MS);
    } catch (error) {
      if (!isTickwireError(error, 'RING_TIMEOUT')) throw error;
    }
    continue;
  }
  let granted: number;
  try {
    granted = output.claim(ready, OUTPUT_WAIT_MS);
  } catch (error) {
    if (!isTickwireError(error, 'RING_TIMEOUT')) throw error;
    counters[COUNTER_INDEX.outputTimeouts]!++;
    continue;
  }
  outIndex = 0;
  const handled = input.poll(checkAndForward, granted);
  output.publish(handled);
  const counts = checker.counts;
  counters[COUNTER_INDEX.processed] = counts.checked;
  counters[COUNTER_INDEX.gaps] = counts.gaps;
  counters[COUNTER_INDEX.missing] = counts.missing;
  counters[COUNTER_INDEX.outOfOrder] = counts.outOfOrder;
  counters[COUNTER_INDEX.duplicates] = counts.duplicates;
}
