import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTickwireError } from '../../src/errors.ts';
import {
  PIPELINE_PROFILE_NAMES,
  PIPELINE_PROFILES,
  type PipelineProfileName,
  resolvePipelineSettings,
} from '../../src/pipeline/profiles.ts';

describe('pipeline profiles', () => {
  it('are complete, valid setting sets', () => {
    for (const name of PIPELINE_PROFILE_NAMES)
      assert.deepEqual(resolvePipelineSettings(name), PIPELINE_PROFILES[name]);
  });

  it('differ where they should: policy, ring size, batches', () => {
    const { throughput, latency, symbols } = PIPELINE_PROFILES;
    assert.equal(throughput.inputPolicy, 'drop-newest');
    assert.equal(latency.inputPolicy, 'conflate');
    assert.ok(latency.ringCapacity < throughput.ringCapacity);
    assert.ok(latency.inputBatch.max < throughput.inputBatch.max);
    assert.ok(symbols.streamsPerConnection > throughput.streamsPerConnection);
    assert.equal(latency.workers, 0, 'latency runs inline');
    assert.ok(throughput.workers >= 1 && symbols.workers >= 1);
  });

  it('let explicit settings win over the profile, and ignore undefined ones', () => {
    const settings = resolvePipelineSettings('latency', {
      ringCapacity: 1024,
      workers: 3,
      inputPolicy: undefined,
    });
    assert.equal(settings.ringCapacity, 1024);
    assert.equal(settings.workers, 3);
    assert.equal(settings.inputPolicy, 'conflate');
    assert.equal(resolvePipelineSettings().inputPolicy, 'drop-newest', 'throughput without a profile');
  });

  it('reject bad values with a message naming the key and the value', () => {
    const rejects = (overrides: object, pattern: RegExp, profile: PipelineProfileName = 'throughput') =>
      assert.throws(
        () => resolvePipelineSettings(profile, overrides),
        (error) => isTickwireError(error, 'BAD_CONFIG') && pattern.test(String(error)),
      );
    rejects({ ringCapacity: 1000 }, /ringCapacity must be a power of two between 2 and 2\^30, got 1000/);
    rejects(
      { inputPolicy: 'drop-all' },
      /inputPolicy must be one of conflate, drop-oldest, drop-newest, got "drop-all"/,
    );
    rejects({ inputBatch: { min: 64, max: 8 } }, /inputBatch.min 64 must not exceed inputBatch.max 8/);
    rejects({ workers: -1 }, /workers must be an integer >= 0, got -1/);
    // Inline there are no rings: a ring setting given explicitly would be read by nothing.
    rejects({ ringCapacity: 1024 }, /ringCapacity has no effect with workers 0/, 'latency');
    rejects({ workers: 0, inputPolicy: 'conflate' }, /inputPolicy has no effect with workers 0/);
    rejects({ workers: 1.5 }, /workers must be an integer >= 0, got 1.5/);
    assert.throws(
      () => resolvePipelineSettings('fastest' as PipelineProfileName),
      /pipeline profile must be one of throughput, latency, symbols, got "fastest"/,
    );
  });
});
