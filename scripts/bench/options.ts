/** `npm run bench`'s options: what to run, at what size, against which of Bird's limits. */
import { Command, InvalidArgumentError } from 'commander';
import { BIRD_RATE_LIMITS } from '../../src/bird/rate-limits/budget';

export const BENCH_MODES = ['poll', 'webhook', 'both', 'offboard', 'bulk-offboard', 'apply'] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

export interface BenchOptions {
  numbers: number;
  timeScale: number;
  latencyMs: number;
  concurrency?: number;
  offboardWindow?: number;
  modes: BenchMode[];
  deprovisioningMs: number;
  throughputNumbers: number;
  throughputCaches: string;
  throughputTracing: boolean;
  fairnessNumbers: number;
  memoryLevels: string;
  burstNumbers: number;
  getLimit: number;
  limiters: string;
}

const int = (v: string) => Number.parseInt(v, 10);

/** A comma-separated list of values from a set; an unknown one is an error naming it. */
export function listOf<T extends string>(allowed: readonly T[], value: string): T[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = items.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length) throw new InvalidArgumentError(`unknown ${unknown.join(', ')} (expected ${allowed.join(', ')})`);
  return items as T[];
}

/** Whole numbers in a comma-separated list, zeros and blanks left out (`--memory-levels ''` runs none). */
export function positiveInts(value: string): number[] {
  return value
    .split(',')
    .map((v) => int(v.trim()))
    .filter((v) => v > 0);
}

export function parseBenchOptions(argv: string[] = process.argv): BenchOptions {
  return new Command()
    .description('Benchmark bulk onboarding against the simulator on a real Temporal dev server')
    .option('--numbers <n>', 'numbers per bulk run', int, 1_000)
    .option(
      '--time-scale <f>',
      "Bird's activation time (30–120 s) and the poll intervals are multiplied by this",
      Number.parseFloat,
      0.05,
    )
    .option('--latency-ms <n>', 'simulated Bird API latency', int, 50)
    .option(
      '--concurrency <n>',
      "bulk window (provisionings at once; default: the product's own, as a user gets it)",
      int,
    )
    .option(
      '--modes <list>',
      'modes to run: readiness modes (poll, webhook, both), offboard (provision N, then offboard each through the typed client), bulk-offboard (provision N, then `starter bulk-offboard` them), or apply (apply an inventory of N, then again to the converged workspace)',
      (v: string) => listOf(BENCH_MODES, v),
      ['poll', 'webhook', 'both'] as BenchMode[],
    )
    .option(
      '--offboard-window <n>',
      "bulk-offboard mode: the command's --concurrency (default: none given, the command's own window, as a user runs it)",
      int,
    )
    .option('--deprovisioning-ms <n>', "Bird's time from a connector's DELETE to its deprovisioned state", int, 1_000)
    .option('--throughput-numbers <n>', 'numbers for the throughput comparison (0 skips it)', int, 1_000)
    .option(
      '--throughput-caches <list>',
      "workflow cache sizes to compare in the throughput run, e.g. 100,2310 (empty: the worker environment's)",
      '',
    )
    .option('--throughput-tracing', 'compare the throughput with tracing off and on (sampling 100%) instead', false)
    .option('--fairness-numbers <n>', 'numbers per workspace for the fairness comparison (0 skips it)', int, 60)
    .option(
      '--get-limit <n>',
      "Bird's GET limit per second, for the simulator and the worker (scaled down, a small run is bound by it)",
      Number.parseFloat,
      BIRD_RATE_LIMITS.getPerSecond,
    )
    .option(
      '--memory-levels <list>',
      "provisionings held in flight while the worker's memory is measured (empty skips it)",
      '100,1000,5000',
    )
    .option(
      '--limiters <list>',
      "how Bird's limit counts, each a run of every mode: sliding-window (strict), token-bucket",
      'sliding-window,token-bucket',
    )
    .option('--burst-numbers <n>', 'starts at once into a fresh worker, for its peak memory (0 skips it)', int, 5_000)
    .parse(argv)
    .opts<BenchOptions>();
}
