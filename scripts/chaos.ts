/**
 * `npm run chaos`: the fault suite at full size, printed as one table. Every scenario runs against the suite's own
 * Temporal dev server (a process on a SQLite file), real worker processes and the Bird simulator; after each one the
 * suite checks outcomes, connectors per number, orphans, duplicates, secrets and runs left running, and measures
 * recovery after every kill or restart. Exits 1 if any scenario got anything wrong.
 *
 *   npm run chaos                               every scenario, full size (under 15 minutes)
 *   npm run chaos -- --small                    the in-CI sizes (what test/chaos.test.ts runs)
 *   npm run chaos -- --only server-restart,flaky-bird
 *   npm run chaos -- --seed 1785237381           the generated inputs of a run that printed this seed, again
 */
import { Command, InvalidArgumentError } from 'commander';
import { freshSeed } from '../test/fuzz/properties';
import { formatTable, problemsOf, type ScenarioResult } from '../test/chaos/report';
import { SCENARIOS } from '../test/chaos/scenarios';
import { FULL, SMALL } from '../test/chaos/sizes';
import { startWorld } from '../test/chaos/world';

async function main(): Promise<number> {
  const opts = new Command()
    .name('chaos')
    .option('--small', 'the in-CI sizes')
    .option('--only <names>', `comma-separated: ${SCENARIOS.map((s) => s.key).join(', ')}`)
    .option(
      '--seed <n>',
      'the seed generated inputs are drawn from (printed by every run; default: a fresh one)',
      parseSeed,
    )
    .parse()
    .opts<{ small?: boolean; only?: string; seed?: number }>();
  const seed = opts.seed ?? freshSeed();
  const only = opts.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((k) => !SCENARIOS.some((s) => s.key === k)) ?? [];
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  const sizes = opts.small ? SMALL : FULL;
  const started = Date.now();
  process.stderr.write(`[chaos] seed ${seed}\n`);
  const world = await startWorld();
  // Ctrl-C: the processes the suite started share its process group and go with it; the dev server's file too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void world.close().finally(() => process.exit(130)));
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (only && !only.includes(scenario.key)) continue;
      process.stderr.write(`[chaos] ${scenario.key}…\n`);
      try {
        const result = await scenario.run(world, sizes, seed);
        results.push(result);
        const problems = problemsOf(result);
        if (problems.length) failures.push(`${result.name}: ${problems.join('; ')}`);
        process.stderr.write(
          `[chaos] ${scenario.key}: ${problems.length ? 'FAILED' : 'ok'} in ${(result.durationMs / 1000).toFixed(1)} s\n`,
        );
      } catch (err) {
        failures.push(`${scenario.key}: ${(err as Error).stack ?? String(err)}`);
        process.stderr.write(`[chaos] ${scenario.key}: ERROR ${(err as Error).message}\n`);
      }
    }
  } finally {
    await world.close();
  }
  const command = `npm run chaos -- --seed ${seed}${opts.small ? ' --small' : ''}${opts.only ? ` --only ${opts.only}` : ''}`;
  process.stdout.write(
    `\n${formatTable(results)}\n\n${command}: ${((Date.now() - started) / 60_000).toFixed(1)} min, ${failures.length ? `${failures.length} FAILED` : 'all correct'}\n`,
  );
  for (const f of failures) process.stdout.write(`  ✗ ${f}\n`);
  return failures.length ? 1 : 0;
}

function parseSeed(value: string): number {
  if (!/^-?\d{1,10}$/.test(value))
    throw new InvalidArgumentError('must be a whole number, as a run prints it (e.g. 1785237381)');
  return Number(value);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
