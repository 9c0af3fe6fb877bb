/** The poll schedule a bulk run learns from its earlier rows (pure: src/domain/readiness.ts). */
import assert from 'node:assert/strict';
import {
  addActivationSample,
  learnedSchedule,
  MIN_ACTIVATION_SAMPLES,
  type ActivationSamples,
} from '../../src/domain/readiness';

const r = (mode: string) => ({ mode, maxPollInterval: 60_000, deadline: 30 * 60_000 });
const of = (waits: number[], source: 'poll' | 'webhook'): ActivationSamples => ({
  waitsMs: waits,
  sources: waits.map(() => source),
});
// Ten activations between 30 and 120 s, as Bird's.
const bird = [30, 40, 50, 60, 70, 80, 90, 100, 110, 120].map((s) => s * 1000);

describe('learned poll schedule', () => {
  it('learns nothing from fewer than the minimum samples, nor for a run read by webhook only', () => {
    assert.equal(learnedSchedule(of(bird.slice(0, MIN_ACTIVATION_SAMPLES - 1), 'poll'), r('poll')), undefined);
    assert.equal(learnedSchedule(of(bird, 'webhook'), r('webhook')), undefined);
  });

  it('polling: the first read when nine in ten were ready, then a quarter of the spread apart', () => {
    assert.deepEqual(learnedSchedule(of(bird, 'poll'), r('poll')), {
      firstPollAfter: 110_000,
      initialPollInterval: 22_500,
      backoffCoefficient: 2,
      maxPollInterval: 60_000,
    });
    // `both` with the channels seen by poll (no webhook arriving) polls the same way.
    assert.equal(learnedSchedule(of(bird, 'poll'), r('both'))!.firstPollAfter, 110_000);
  });

  it('webhooks arriving: a late safety net (3× the slowest wait, or a quarter of the deadline); back to polling once recent rows are seen by poll', () => {
    const samples = of(bird, 'webhook');
    assert.equal(learnedSchedule(samples, r('both'))!.firstPollAfter, 450_000);
    assert.equal(
      learnedSchedule(samples, { mode: 'both', maxPollInterval: 60_000, deadline: 60 * 60_000 })!.firstPollAfter,
      900_000,
    );
    assert.equal(
      learnedSchedule(samples, { mode: 'both', maxPollInterval: 60_000, deadline: 20 * 60_000 })!.firstPollAfter,
      360_000,
    );
    for (let i = 0; i < 5; i++) addActivationSample(samples, 120_000, 'poll');
    assert.equal(learnedSchedule(samples, r('both'))!.firstPollAfter, 120_000);
  });

  it('never later than half the deadline, and keeps only the latest samples', () => {
    assert.equal(
      learnedSchedule(of(bird, 'webhook'), { mode: 'both', maxPollInterval: 60_000, deadline: 60_000 })!.firstPollAfter,
      30_000,
    );
    const samples = of([], 'poll');
    for (let i = 0; i < 100; i++) addActivationSample(samples, i, 'poll', 64);
    assert.equal(samples.waitsMs.length, 64);
    assert.equal(samples.waitsMs[0], 36);
  });
});
