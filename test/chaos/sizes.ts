/** The fault suite's sizes: SMALL for the in-CI subset (test/chaos.test.ts), FULL for `npm run chaos`. */
import type { BadInputSize } from './scenarios/bad-input';
import type { FlakyBirdSize } from './scenarios/flaky-bird';
import type { KilledMidApplySize } from './scenarios/killed-mid-apply';
import type { KilledWorkersSize } from './scenarios/killed-workers';
import type { OrphanAuditSize } from './scenarios/orphan-audit';
import type { ServerRestartSize } from './scenarios/server-restart';
import type { ServerRestartMidOffboardSize } from './scenarios/server-restart-mid-offboard';
import type { WebhookAbuseSize } from './scenarios/webhook-abuse';

export interface Sizes {
  killedWorkers: KilledWorkersSize;
  killedWorkersPair: KilledWorkersSize;
  serverRestart: ServerRestartSize;
  flakyBird: FlakyBirdSize;
  webhookAbuse: WebhookAbuseSize;
  orphanAudit: OrphanAuditSize;
  badInput: BadInputSize;
  killedMidApply: KilledMidApplySize;
  serverRestartMidOffboard: ServerRestartMidOffboardSize;
}

export const SMALL: Sizes = {
  killedWorkers: { numbers: 30, workers: 2, kills: 1, concurrency: 15 },
  killedWorkersPair: { numbers: 30, workers: 2, kills: 1, concurrency: 15 },
  serverRestart: { numbers: 30, restarts: 1, downMs: 20_000, concurrency: 15 },
  flakyBird: { numbers: 16, concurrency: 16, outageNumbers: 3, outageMs: 10_000 },
  webhookAbuse: { genuine: 3, flood: 600, concurrency: 20 },
  orphanAudit: { runs: 4, terminated: 2 },
  badInput: { runsPerProperty: 100, starts: 10 },
  killedMidApply: {
    ...{ create: 8, keep: 4, repair: 3, adopt: 2, foreign: 2, prune: 3, other: 1 },
    ...{ workers: 2, kills: 2, concurrency: 5, offboardWindow: 2 },
  },
  serverRestartMidOffboard: { numbers: 12, foreign: 3, singles: 2, restarts: 1, downMs: 10_000, concurrency: 4 },
};

export const FULL: Sizes = {
  killedWorkers: { numbers: 200, workers: 1, kills: 3, concurrency: 50 },
  killedWorkersPair: { numbers: 200, workers: 2, kills: 3, concurrency: 50 },
  serverRestart: { numbers: 200, restarts: 2, downMs: 10_000, concurrency: 50 },
  flakyBird: { numbers: 200, concurrency: 50, outageNumbers: 10, outageMs: 240_000 },
  webhookAbuse: { genuine: 10, flood: 5_000, concurrency: 50 },
  orphanAudit: { runs: 20, terminated: 5 },
  badInput: { runsPerProperty: 2_000, starts: 100 },
  killedMidApply: {
    ...{ create: 40, keep: 15, repair: 10, adopt: 5, foreign: 5, prune: 10, other: 3 },
    ...{ workers: 2, kills: 3, concurrency: 20, offboardWindow: 5 },
  },
  serverRestartMidOffboard: { numbers: 60, foreign: 10, singles: 5, restarts: 2, downMs: 10_000, concurrency: 10 },
};
