/** The fault suite's sizes: SMALL for the in-CI subset (test/chaos.test.ts), FULL for `npm run chaos`. */
import type { FlakyBirdSize } from './scenarios/flaky-bird';
import type { KilledWorkersSize } from './scenarios/killed-workers';
import type { ServerRestartSize } from './scenarios/server-restart';

export interface Sizes {
  killedWorkers: KilledWorkersSize;
  killedWorkersPair: KilledWorkersSize;
  serverRestart: ServerRestartSize;
  flakyBird: FlakyBirdSize;
}

export const SMALL: Sizes = {
  killedWorkers: { numbers: 30, workers: 2, kills: 1, concurrency: 15 },
  killedWorkersPair: { numbers: 30, workers: 2, kills: 1, concurrency: 15 },
  serverRestart: { numbers: 30, restarts: 1, downMs: 20_000, concurrency: 15 },
  flakyBird: { numbers: 30, concurrency: 15, outageNumbers: 4, outageMs: 15_000 },
};

export const FULL: Sizes = {
  killedWorkers: { numbers: 200, workers: 1, kills: 3, concurrency: 50 },
  killedWorkersPair: { numbers: 200, workers: 2, kills: 3, concurrency: 50 },
  serverRestart: { numbers: 200, restarts: 2, downMs: 10_000, concurrency: 50 },
  flakyBird: { numbers: 200, concurrency: 50, outageNumbers: 10, outageMs: 240_000 },
};
