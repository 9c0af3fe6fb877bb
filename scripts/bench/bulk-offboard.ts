/**
 * The bench's `bulk-offboard` mode: provisions N numbers by a bulk run (as the `offboard` mode does), then offboards
 * them with `starter bulk-offboard --file numbers.csv --workspace <ws> --wait --report report.csv`, a real process
 * with the command's defaults (its window of 10; `--offboard-window` adds a `--concurrency`), as an operator runs
 * it. It prints what the offboarding alone cost per number: Bird DELETEs and GETs accepted (429s spend no budget), by
 * operation; billable Temporal actions (the bulkOffboard run's histories, every run of it, and each row's
 * offboardChannel child); the 429s and their share of the offboarding's calls; the accepted GETs per second, wall
 * time and numbers per second; and checks every connector of ours is gone and every report line `offboarded`.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { countBy, type BenchContext } from './context';
import { actionsOf, provisionToOffboard, type OffboardBench } from './offboard';

const ROOT = resolve(__dirname, '..', '..');

export async function bulkOffboardScenario(ctx: BenchContext, b: OffboardBench): Promise<Record<string, unknown>> {
  const n = b.numbers;
  const numbers = await provisionToOffboard(b, 'bulk-offboard');
  const file = join(ctx.dir, `bulk-offboard-${numbers[0]}-numbers.csv`);
  const report = join(ctx.dir, `bulk-offboard-${numbers[0]}-report.csv`);
  await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
  const args = ['bulk-offboard', '--file', file, '--workspace', ctx.workspaceId, '--wait', '--report', report];
  if (ctx.opts.offboardWindow) args.push('--concurrency', String(ctx.opts.offboardWindow));
  ctx.say(`[bulk-offboard] starter ${args.join(' ')} …`);
  const callsBefore = ctx.sim.calls().length;
  const t0 = Date.now();
  const run = await starter(ctx, args);
  const wallS = (Date.now() - t0) / 1000;
  if (run.code !== 0) throw new Error(`starter bulk-offboard exited ${run.code}:\n${run.stderr.slice(-3_000)}`);
  const calls = ctx.sim.calls().slice(callsBefore);
  const rows: Array<Record<string, string>> = parse(await readFile(report, 'utf8'), { columns: true });
  const bulkId = /bulk offboarding (bulk-offboard\/\S+):/.exec(run.stderr)?.[1];
  if (!bulkId) throw new Error(`no workflow id in the command's output:\n${run.stderr.slice(0, 2_000)}`);
  const bulkRuns: Array<{ workflowId: string; runId: string }> = [];
  for await (const r of ctx.client.workflow.list({ query: `WorkflowId = '${bulkId}'` }))
    bulkRuns.push({ workflowId: r.workflowId, runId: r.runId });
  const children = rows.map((r) => ({ workflowId: r.workflowId! }));
  const bulkActions = await actionsOf(ctx.client, bulkRuns);
  const childActions = await actionsOf(ctx.client, children);

  const accepted = calls.filter((c) => !c.rateLimited);
  const byOp = countBy(accepted.map((c) => c.operationId ?? 'unknown'));
  const rateLimited = calls.length - accepted.length;
  const numberSet = new Set(numbers);
  const ours = ctx.sim.connectors().filter((c) => c.number && numberSet.has(c.number.numberId));
  const per = (k: number) => +(k / n).toFixed(3);
  const figures = {
    mode: 'bulk-offboard',
    numbers: n,
    getLimit: ctx.opts.getLimit,
    window: ctx.opts.offboardWindow ?? 'default',
    outcomes: countBy(rows.map((r) => r.outcome!)),
    reportLines: rows.length,
    wallSeconds: +wallS.toFixed(1),
    numbersPerSecond: +(n / wallS).toFixed(2),
    deletesPerNumber: per(accepted.filter((c) => c.method === 'DELETE').length),
    getsPerNumber: per(accepted.filter((c) => c.method === 'GET').length),
    acceptedGetsPerSecond: +(accepted.filter((c) => c.method === 'GET').length / wallS).toFixed(2),
    otherWritesPerNumber: per(accepted.filter((c) => c.method !== 'GET' && c.method !== 'DELETE').length),
    birdCallsPerNumber: Object.fromEntries(Object.entries(byOp).map(([op, k]) => [op, per(k)])),
    actionsPerNumber: per(bulkActions.total + childActions.total),
    bulkRunActionsPerNumber: per(bulkActions.total),
    bulkRuns: bulkRuns.length,
    actionsPerNumberByKind: Object.fromEntries(
      [...new Set([...Object.keys(bulkActions.byKind), ...Object.keys(childActions.byKind)])].map((k) => [
        k,
        per((bulkActions.byKind[k] ?? 0) + (childActions.byKind[k] ?? 0)),
      ]),
    ),
    rateLimited429: rateLimited,
    rateLimitedShare: `${((rateLimited / Math.max(1, calls.length)) * 100).toFixed(2)}%`,
    connectorsLeft: ours.filter((c) => !c.deletedAt && c.state.stage !== 'deprovisioned').length,
  };
  ctx.say(JSON.stringify(figures, null, 2));
  return figures;
}

/** `starter ...args` as a user runs it: a real process from the project's root, pointed at the bench's server. */
function starter(ctx: BenchContext, args: string[]): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/starter.ts', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: ctx.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: ctx.taskQueue,
      BULK_STORE_DIR: ctx.store.dir,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((done) => child.once('exit', (code) => done({ code: code ?? 1, stderr })));
}
