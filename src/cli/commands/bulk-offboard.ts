/**
 * `bulk-offboard --file numbers.csv --workspace <id> [--concurrency N] [--wait] [--report r.csv] [--retry-failed r.csv]
 * [--json]`: offboards every row of the file (a bulkOffboard run), and `bulk-offboard-cancel <workflowId>` cancels
 * one: the offboardings in its window stop cleanly, rows not started are `not-started`.
 */
import { pollUntilEnded } from '../progress-poll';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Client as TemporalClient } from '@temporalio/client';
import {
  awaitBulkOffboard,
  cancelBulkOffboard,
  getBulkOffboardProgress,
  startBulkOffboard,
} from '../../client/bulk-offboard-client';
import {
  bulkOffboardLine,
  BULK_OFFBOARD_OUTCOMES,
  DEFAULT_OFFBOARD_CONCURRENCY,
  MAX_OFFBOARD_CONCURRENCY,
  RETRIED_OFFBOARD_OUTCOMES,
  type BulkOffboardProgress,
  type BulkOffboardRow,
} from '../../domain/bulk-offboarding';
import { progressView } from '../../bulk/progress-view';
import type { BulkStore } from '../../bulk/store';
import { bulkStoreFromEnv } from '../../bulk/store-env';
import { InventoryFileError } from '../../bulk/inventory-file';
import {
  offboardKeysToRetry,
  offboardReportRows,
  parseOffboardFile,
  rowsToRetry,
  writeOffboardReport,
} from '../../bulk/offboard-file';
import type { CliContext } from '../context';
import { CliError, usageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { formatTable } from '../output';

interface BulkOffboardCliOptions {
  file: string;
  workspace: string;
  concurrency?: number;
  wait?: boolean;
  report?: string;
  retryFailed?: string;
  json?: boolean;
}

const POLL_MS = 2_000;

export function registerBulkOffboard(program: Command, ctx: CliContext): void {
  program
    .command('bulk-offboard')
    .description(
      'offboard every row of a file (a phone-number id a line, or a CSV with phoneNumberId, or connectorTemplateRef and name, columns) in a sliding window (see docs/offboarding.md)',
    )
    .requiredOption('-f, --file <file>', 'the rows to offboard')
    .addOption(new Option('--workspace <id>', 'Bird workspace id').env('BIRD_WORKSPACE_ID').makeOptionMandatory())
    .option(
      '-c, --concurrency <n>',
      `offboardings at once (1–${MAX_OFFBOARD_CONCURRENCY}; default ${DEFAULT_OFFBOARD_CONCURRENCY})`,
      concurrency,
    )
    .option('-w, --wait', 'follow the run until it ends, printing its progress')
    .option('-r, --report <file>', 'write one row per line of the file at the end (.csv, or .json); implies --wait')
    .option('--retry-failed <report>', 'only the rows a previous report lists as failed, cancelled or not-started')
    .option('--json', 'print the result as JSON')
    .action(async (opts: BulkOffboardCliOptions) => {
      const rows = await readRows(opts);
      if (!rows.length)
        return ctx.out.info(
          `nothing to retry: ${opts.retryFailed} lists no ${RETRIED_OFFBOARD_OUTCOMES.join(', ')} row of ${opts.file}`,
        );
      const store = bulkStoreFromEnv();
      await ctx.withClient(async ({ client, settings }) => {
        const started = await startBulkOffboard(
          client,
          store,
          { workspaceId: opts.workspace, rows, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) },
          { taskQueue: settings.taskQueue, source: opts.file },
        );
        ctx.out.info(
          `bulk offboarding ${started.workflowId}: ${rows.length} row(s) in workspace ${started.input.workspaceId}, ${started.input.concurrency} at once` +
            `\n  cancel it: starter bulk-offboard-cancel ${started.workflowId}`,
        );
        if (!opts.wait && !opts.report) return ctx.out.json({ workflowId: started.workflowId, runId: started.runId });
        await follow(ctx, client, store, started.workflowId, rows, opts);
      });
    });

  program
    .command('bulk-offboard-cancel <workflowId>')
    .description(
      'cancel a bulk offboarding: the offboardings in its window stop cleanly, rows not started stay untouched',
    )
    .action(async (workflowId: string) =>
      ctx.withClient(async ({ client }) => {
        const cancelled = await cancelBulkOffboard(client, workflowId);
        if (!cancelled.requested)
          throw usageError(
            `nothing to cancel: bulk offboarding ${workflowId} already ended (${cancelled.ended.toLowerCase()})`,
          );
        ctx.out.info(`cancellation requested for bulk offboarding ${workflowId}`);
      }),
    );
}

async function readRows(opts: BulkOffboardCliOptions): Promise<BulkOffboardRow[]> {
  try {
    const text = await readFile(opts.file, 'utf8').catch((err: Error) => {
      throw new InventoryFileError(`cannot read it: ${err.message}`);
    });
    const rows = parseOffboardFile(text, opts.file);
    return opts.retryFailed ? rowsToRetry(rows, await offboardKeysToRetry(opts.retryFailed)) : rows;
  } catch (err) {
    if (err instanceof InventoryFileError) throw usageError(`--file ${opts.file}: ${err.message}`);
    throw err;
  }
}

/** Prints the progress until the run ends, writes the report, fails the command unless every row went well. */
async function follow(
  ctx: CliContext,
  client: TemporalClient,
  store: BulkStore,
  workflowId: string,
  rows: BulkOffboardRow[],
  opts: BulkOffboardCliOptions,
): Promise<void> {
  const ended = awaitBulkOffboard(client, store, workflowId);
  // The progress bar of `starter bulk` (a plain line every few seconds when stderr is not a terminal).
  const view = progressView<BulkOffboardProgress>(process.stderr, {
    plainEveryMs: POLL_MS,
    reading: { line: bulkOffboardLine, done: (p) => p.total - p.pending - p.running, total: (p) => p.total },
  });
  try {
    await pollUntilEnded(
      ended,
      () => getBulkOffboardProgress(client, workflowId),
      (p) => view.update(p),
      {
        everyMs: POLL_MS,
        warnAfterMs: 60_000,
        warn: (message) => ctx.out.info(`bulk offboarding ${workflowId}: ${message}`),
      },
    );
  } finally {
    view.stop();
  }
  const end = await ended;
  if (end.status === 'failed')
    throw new CliError(`bulk offboarding ${workflowId} failed: ${end.error.message}`, ExitCode.provisioningFailed);
  const report = offboardReportRows(rows, end.result);
  if (opts.report) await writeOffboardReport(opts.report, report);
  const { counts } = end.result.progress;
  if (opts.json) ctx.out.json(end.result);
  ctx.out.info(
    `\nbulk offboarding ${end.status}: ${report.length} rows${opts.report ? `, report in ${opts.report}` : ''}\n` +
      formatTable(
        ['outcome', 'rows'],
        BULK_OFFBOARD_OUTCOMES.filter((o) => counts[o] > 0).map((o) => [o, String(counts[o])]),
      ),
  );
  const retriable = RETRIED_OFFBOARD_OUTCOMES.reduce((n, o) => n + counts[o], 0);
  if (retriable)
    throw new CliError(
      `${retriable} row(s) not offboarded (failed, cancelled or not started)` +
        (opts.report ? `; retry them with: starter bulk-offboard --retry-failed ${opts.report} (same --file)` : ''),
      ExitCode.provisioningFailed,
    );
}

function concurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_OFFBOARD_CONCURRENCY)
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_OFFBOARD_CONCURRENCY}`);
  return n;
}
