import { arch, platform } from 'node:os';
import { type Unavailable, unavailable } from './read.ts';

/**
 * Apple silicon's performance and efficiency cores, Neural Engine and Metal GPU, which the original
 * platform reported with invented figures. Node has no reader for them: macOS exposes them to
 * `powermetrics`, which needs root. So they are reported as unavailable with the reason, on every
 * host, until a reader exists.
 */
export interface AcceleratorSample {
  performanceCores: Unavailable;
  efficiencyCores: Unavailable;
  neuralEngine: Unavailable;
  metal: Unavailable;
}

export function acceleratorSample(): AcceleratorSample {
  const reason =
    platform() === 'darwin' && arch() === 'arm64'
      ? 'Apple silicon exposes these only to powermetrics, which needs root; Tickwire has no reader for them'
      : `not an Apple silicon Mac (${platform()} ${arch()})`;
  const none = unavailable(reason);
  return { performanceCores: none, efficiencyCores: none, neuralEngine: none, metal: none };
}
