/** The fault suite's sizes: SMALL for the in-CI subset (test/chaos.test.ts), FULL for `npm run chaos`. */
import type { KilledWorkersSize } from './scenarios/killed-workers';
import type { ServerRestartSize } from './scenarios/server-restart';

export interface Sizes {
  killedWorkers: KilledWorkersSize;
  killedWorkersPair: KilledWorkersSize;
  serverRestart: ServerRestartSize;
}

export const SMALL: Sizes = {
  killedWorkers: { numbers: 30, workers: 2, kills: 1, concurrency: 15 },
  killedWorkersPair: { numbers: 30, workers: 2, kills: 1, concurrency: 15 },
  serverRestart: { numbers: 30, restarts: 1, downMs: 3_000, concurrency: 15 },
};

export const FULL: Sizes = {
  killedWorkers: { numbers: 200, workers: 1, kills: 3, concurrency: 50 },
  killedWorkersPair: { numbers: 200, workers: 2, kills: 3, concurrency: 50 },
  serverRestart: { numbers: 200, restarts: 2, downMs: 10_000, concurrency: 50 },
};
