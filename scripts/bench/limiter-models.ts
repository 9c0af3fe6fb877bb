/**
 * The bench's 429 share under both models of Bird's limit (src/bird-sim/rate-limits.ts): each bulk scenario runs
 * once against the strict sliding window and once against the token bucket, on the same simulator, and the share
 * of Bird's answers that were 429 is reported for each, as fractions (`rateLimitedShareStrict`,
 * `rateLimitedShareTokenBucket`). The figures of the last run (by default the token bucket, the model the rest of
 * the bench compares against) are kept as the mode's figures; `--limiters` chooses the models.
 */
import type { BirdSimulator } from '../../src/bird-sim';
import type { RateLimits, RateLimitWindow } from '../../src/bird-sim/rate-limits';

const MODELS: Array<[RateLimitWindow, 'rateLimitedShareStrict' | 'rateLimitedShareTokenBucket']> = [
  ['sliding-window', 'rateLimitedShareStrict'],
  ['token-bucket', 'rateLimitedShareTokenBucket'],
];

export async function underBothLimiterModels(
  sim: BirdSimulator,
  limits: RateLimits,
  mode: string,
  scenario: () => Promise<Record<string, unknown>>,
  say: (line: string) => void,
  models = MODELS,
): Promise<Record<string, unknown>> {
  const shares: Record<string, number> = {};
  let figures: Record<string, unknown> = {};
  for (const [window, name] of models) {
    sim.setRateLimits({ ...limits, window });
    say(`\n[${mode}] Bird's limits counted as a ${window}`);
    const before = sim.calls().length;
    figures = await scenario();
    const calls = sim.calls().slice(before);
    shares[name] = +(calls.filter((c) => c.rateLimited).length / Math.max(1, calls.length)).toFixed(4);
  }
  sim.setRateLimits({ ...limits });
  const summary = { mode, ...shares };
  say(JSON.stringify(summary, null, 2));
  return { ...figures, ...shares };
}

/** The models named in `--limiters` (comma-separated), in the order given. */
export function limiterModels(list: string): typeof MODELS {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !MODELS.some(([w]) => w === n));
  if (unknown.length || !names.length)
    throw new Error(`--limiters: ${unknown.join(', ') || '(empty)'}: expected ${MODELS.map(([w]) => w).join(', ')}`);
  return names.map((n) => MODELS.find(([w]) => w === n)!);
}

/** The worker settings a bench run may change from its own environment (pacing, headroom, tuning knobs). */
export function forwardedWorkerEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined &&
        /^(BIRD_RATE_LIMIT_(PACING|HEADROOM)|WORKER_(MAX_|WORKFLOW_TASK_POLLERS|ACTIVITY_TASK_POLLERS))/.test(e[0]),
    ),
  );
}
