/** Every scenario of the fault suite, in the order `npm run chaos` runs them. */
import type { ScenarioResult } from '../report';
import type { Sizes } from '../sizes';
import type { ChaosWorld } from '../world';
import { badInput } from './bad-input';
import { flakyBird } from './flaky-bird';
import { killedMidApply } from './killed-mid-apply';
import { killedWorkers } from './killed-workers';
import { orphanAudit } from './orphan-audit';
import { serverRestart } from './server-restart';
import { serverRestartMidOffboard } from './server-restart-mid-offboard';
import { webhookAbuse } from './webhook-abuse';

export interface Scenario {
  key: string;
  /** `seed`: what generated inputs are drawn from (the bad-input scenario's); kills and faults are timed, not seeded. */
  run: (world: ChaosWorld, sizes: Sizes, seed: number) => Promise<ScenarioResult>;
}

export const SCENARIOS: Scenario[] = [
  { key: 'workers-killed', run: (world, sizes) => killedWorkers(world, sizes.killedWorkers) },
  { key: 'workers-killed-pair', run: (world, sizes) => killedWorkers(world, sizes.killedWorkersPair) },
  { key: 'server-restart', run: (world, sizes) => serverRestart(world, sizes.serverRestart) },
  { key: 'flaky-bird', run: (world, sizes) => flakyBird(world, sizes.flakyBird) },
  { key: 'webhook-abuse', run: (world, sizes) => webhookAbuse(world, sizes.webhookAbuse) },
  { key: 'bad-input', run: (world, sizes, seed) => badInput(world, sizes.badInput, seed) },
  { key: 'orphan-audit', run: (world, sizes) => orphanAudit(world, sizes.orphanAudit) },
  { key: 'killed-mid-apply', run: (world, sizes) => killedMidApply(world, sizes.killedMidApply) },
  {
    key: 'server-restart-mid-offboard',
    run: (world, sizes) => serverRestartMidOffboard(world, sizes.serverRestartMidOffboard),
  },
];
