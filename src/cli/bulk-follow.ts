/**
 * Following a bulk run from the CLI, shared by `bulk --wait`, `bulk-status --wait` and `bulk-cancel`: progress from
 * the bulk workflow's query (a bar on a terminal, plain lines otherwise), Ctrl-C that asks before cancelling (and
 * otherwise leaves the run going, to be followed again with bulk-status), and at the end the report and a summary
 * table. The exit code says whether every number is active.
 */
import type { Client } from '@temporalio/client';
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { bulkReport, cancelBulk } from '../client/bulk-client';
import { isServerUnavailable, waitThroughOutages } from '../client/outages';
import type { BulkStore } from '../bulk/store';
import { writeReport } from '../bulk/report-file';
import { progressLine, progressView } from '../bulk/progress-view';
import { allSuccessful, BULK_OUTCOMES, countOutcomes, type ReportRow } from '../domain/bulk-report';
import { type BulkProgress } from '../domain/bulk-onboarding';
import { bulkProgressQuery } from '../domain/messages/bulk';
import type { BulkOnboardWorkflow } from '../domain/workflow-types';
import type { CliContext } from './context';
import { CliError } from './errors';
import { ExitCode } from './exit-codes';
import { watchForWorker } from './no-worker';
import { formatTable } from './output';

const POLL_MS = 1_000;
const QUERY_TIMEOUT_MS = 10_000;

/** The run's progress: its result once completed (no worker needed), else the query. */
export async function bulkProgressOf(
  client: Client,
  workflowId: string,
): Promise<{ progress: BulkProgress; status: string }> {
  const handle = client.workflow.getHandle<BulkOnboardWorkflow>(workflowId);
  const d = await handle.describe();
  if (d.status.name === 'COMPLETED') return { progress: (await handle.result()).progress, status: d.status.name };
  try {
    const progress = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(bulkProgressQuery));
    return { progress, status: d.status.name };
  } catch (err) {
    if (isServerUnavailable(err)) throw err; // Temporal itself is away, not the worker: followBulk waits for it
    throw new CliError(
      `no worker answered the bulk run's progress query within ${QUERY_TIMEOUT_MS / 1000} s on task queue "${d.taskQueue}" (${(err as Error).message}); start a worker: npm run worker`,
      ExitCode.unavailable,
    );
  }
}

export interface FollowOptions {
  /** Ask before cancelling on Ctrl-C (false: Ctrl-C only stops following). */
  cancelOnInterrupt: boolean;
  report?: string;
  /** Fail the command unless every row ended active (bulk, bulk-status); bulk-cancel expects rows that are not. */
  requireAllActive: boolean;
}

/** Follows the run until it ends (or the user stops following), then reports. */
export async function followBulk(
  ctx: CliContext,
  client: Client,
  store: BulkStore,
  workflowId: string,
  opts: FollowOptions,
): Promise<void> {
  const view = progressView(process.stderr);
  const { taskQueue } = await client.workflow.getHandle(workflowId).describe();
  const stopWatch = watchForWorker(client, taskQueue, ctx.out.info);
  let interrupted: 'detach' | 'cancelled' | undefined;
  let asking = false;
  const onInterrupt = () => {
    if (asking || !opts.cancelOnInterrupt) {
      interrupted = 'detach';
      return;
    }
    asking = true;
    view.stop();
    void confirm(
      `\nCancel bulk run ${workflowId}? Its running provisionings are cancelled and compensated; rows not started stay untouched. [y/N] `,
    ).then(async (yes) => {
      asking = false;
      if (!yes) {
        interrupted = 'detach';
        return;
      }
      await cancelBulk(client, workflowId);
      interrupted = 'cancelled';
      ctx.out.info(`cancellation requested for ${workflowId}; waiting for its running provisionings to compensate`);
    });
  };
  process.on('SIGINT', onInterrupt);
  let last: { progress: BulkProgress; status: string };
  try {
    for (;;) {
      // A restart of the Temporal server (or a network blip) does not stop the run, so it does not stop following it;
      // nor does a progress query no worker answered in time, as happens while the workers reconnect after one.
      last = await waitThroughOutages(() => bulkProgressOf(client, workflowId), {
        isOutage: (err) => err instanceof CliError && err.exitCode === ExitCode.unavailable,
        onUnavailable: (err, downMs) => {
          if (downMs === 0) ctx.out.info(`\n${err.message}; the bulk run goes on, still following it`);
        },
      });
      if (!asking) view.update(last.progress);
      if (last.status !== 'RUNNING') break;
      if (interrupted === 'detach') {
        view.stop();
        ctx.out.info(
          `\nstopped following; the bulk run goes on. Follow it again with: starter bulk-status ${workflowId} --wait`,
        );
        ctx.out.info(progressLine(last.progress));
        return;
      }
      await sleep(POLL_MS);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    stopWatch();
    view.stop();
  }
  await finishBulk(ctx, store, last.progress, last.status, opts);
}

/** Writes the report (when asked), prints the summary table, and fails the command unless every row is active. */
export async function finishBulk(
  ctx: CliContext,
  store: BulkStore,
  progress: BulkProgress,
  status: string,
  opts: { report?: string; requireAllActive: boolean },
): Promise<ReportRow[]> {
  const reportPath = opts.report;
  const report = await bulkReport(store, progress);
  if (reportPath) await writeReport(reportPath, report);
  const counts = countOutcomes(report);
  ctx.out.info(
    `\nbulk run ${status.toLowerCase()}: ${report.length} rows${reportPath ? `, report in ${reportPath}` : ''}\n` +
      formatTable(
        ['outcome', 'rows'],
        BULK_OUTCOMES.filter((o) => counts[o] > 0).map((o) => [o, String(counts[o])]),
      ),
  );
  if (opts.requireAllActive && !allSuccessful(report)) {
    const failed = report.filter((r) => r.outcome === 'failed').slice(0, 5);
    const retriable = counts.failed + counts.cancelled + counts['not-started'];
    const lines = [
      `not every number is active: ${BULK_OUTCOMES.filter(
        (o) => o !== 'active' && o !== 'already-active' && counts[o] > 0,
      )
        .map((o) => `${counts[o]} ${o}`)
        .join(', ')}`,
      ...failed.map(
        (r) =>
          `  line ${r.line} ${r.phoneNumberId || `${r.connectorTemplateRef} "${r.name}"`}: ${r.reason.split('\n')[0]}`,
      ),
      ...(counts.invalid ? [`  ${counts.invalid} row(s) are invalid: fix them in the file (the report says why)`] : []),
      ...(retriable
        ? [
            reportPath
              ? `  retry the rest with: starter bulk --retry-failed ${reportPath} (with the same --file and --defaults)`
              : '  write the report with --report out.csv to see every row and retry the failed ones',
          ]
        : []),
    ];
    throw new CliError(lines.join('\n'), ExitCode.provisioningFailed);
  }
  return report;
}

/** One line from stdin: yes only for y/yes. End of input (no terminal, a closed pipe) counts as no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
  try {
    const answer = await Promise.race([rl.question(question).catch(() => ''), closed]);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
