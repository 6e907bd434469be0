import { arch, platform } from 'node:os';
import { unavailable } from './read.ts';
import type { AcceleratorSample } from './samples.ts';

export function acceleratorSample(): AcceleratorSample {
  const reason =
    platform() === 'darwin' && arch() === 'arm64'
      ? 'Apple silicon exposes these only to powermetrics, which needs root; Tickwire has no reader for them'
      : `not an Apple silicon Mac (${platform()} ${arch()})`;
  const none = unavailable(reason);
  return { performanceCores: none, efficiencyCores: none, neuralEngine: none, metal: none };
}
