/** Which scenario each of `--modes` runs, each under the chosen models of Bird's limit (limiter-models.ts). */
import { BIRD_RATE_LIMITS } from '../../src/bird/rate-limits/budget';
import { applyScenario } from './apply';
import { bulkScenario } from './bulk';
import { bulkOffboardScenario } from './bulk-offboard';
import type { BenchContext } from './context';
import { limiterModels, underBothLimiterModels } from './limiter-models';
import { offboardScenario, type OffboardBench } from './offboard';
import type { BenchMode } from './options';

function scenarioOf(ctx: BenchContext, mode: BenchMode): () => Promise<Record<string, unknown>> {
  const { client, sim, store, taskQueue, workspaceId, inventory, say } = ctx;
  const { numbers, timeScale } = ctx.opts;
  const offboard: OffboardBench = { client, sim, store, taskQueue, workspaceId, numbers, timeScale, inventory, say };
  switch (mode) {
    case 'offboard':
      return () => offboardScenario(offboard);
    case 'bulk-offboard':
      return () => bulkOffboardScenario(ctx, offboard);
    case 'apply':
      return () => applyScenario({ client, sim, store, taskQueue, numbers, timeScale, inventory, say });
    default:
      return () => bulkScenario(ctx, mode);
  }
}

/** Every mode of `--modes` in turn; the figures of each. */
export async function runModes(ctx: BenchContext): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = [];
  const limits = { ...BIRD_RATE_LIMITS, getPerSecond: ctx.opts.getLimit };
  for (const mode of ctx.opts.modes)
    results.push(
      await underBothLimiterModels(
        ctx.sim,
        limits,
        mode,
        scenarioOf(ctx, mode),
        ctx.say,
        limiterModels(ctx.opts.limiters),
      ),
    );
  return results;
}
