/**
 * `bulk --file numbers.csv --defaults defaults.json`: validates the whole file, stores it, and starts (or attaches
 * to) its bulk run; with --wait or --report, follows it to the end and writes the report.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { BULK_LIMITS, prepareInventory, startBulk } from '../../client/bulk-client';
import { InventoryFileError } from '../../bulk/inventory-file';
import { keysToRetry } from '../../bulk/report-file';
import { bulkStoreFromEnv } from '../../bulk/store-env';
import { InvalidBulkDefaults, ROW_COLUMNS, type InvalidRow } from '../../domain/bulk-input';
import { followBulk } from '../bulk-follow';
import type { CliContext } from '../context';
import { problemLines, usageError } from '../errors';
import { readJsonFile } from '../input-file';
import { formatTable } from '../output';

interface BulkOptions {
  file: string;
  defaults: string;
  workspaceId?: string;
  organizationId?: string;
  concurrency?: number;
  report?: string;
  skipInvalid?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  retryFailed?: string;
}

/** Invalid rows listed in full up to this many; beyond, the first ones and a count (the report has them all). */
const MAX_LISTED = 50;

export function registerBulk(program: Command, ctx: CliContext): void {
  program
    .command('bulk')
    .description(
      "provision every row (a number, or a connector by name) of a CSV or JSON Lines file, within Bird's rate limits (see docs/bulk.md)",
    )
    .requiredOption(
      '-f, --file <file>',
      `rows of any template: CSV with a header (${ROW_COLUMNS.join(', ')}; each row fills its template's) or .jsonl`,
    )
    .requiredOption(
      '-d, --defaults <file>',
      'JSON: a provisioning input without the per-number fields, merged under every row',
    )
    .option('--workspace-id <id>', 'Bird workspace (overrides the defaults)')
    .option('--organization-id <id>', 'Bird organization (overrides the defaults)')
    .option(
      '-c, --concurrency <n>',
      `provisionings at once, fixed (1–${BULK_LIMITS.maxConcurrency}; default: ${BULK_LIMITS.defaultConcurrency}, adapting up to ${BULK_LIMITS.maxConcurrency} to keep Bird's GET budget busy)`,
      concurrency,
    )
    .option('-r, --report <file>', 'write one row per line of the file at the end (.csv, or .json); implies --wait')
    .option(
      '--skip-invalid',
      'start the valid rows; report invalid ones as "invalid" (default: nothing starts if a row is invalid)',
    )
    .option('--dry-run', 'validate and print what would start; start nothing')
    .option('-w, --wait', 'follow the run with a progress bar until it ends (Ctrl-C asks before cancelling it)')
    .option('--retry-failed <report>', 'only the rows a previous report lists as failed, cancelled or not-started')
    .action(async (opts: BulkOptions) => {
      const defaults = await readJsonFile(opts.defaults, '--defaults');
      const inventory = await prepare(opts, defaults);
      const invalid = inventory.invalid;
      if (invalid.length && !opts.skipInvalid) {
        throw usageError(
          `${describeInvalid(opts.file, invalid)}\nnothing was started: fix these rows, or use --skip-invalid to start the valid ones and report these as invalid`,
        );
      }
      if (invalid.length)
        ctx.out.info(`${describeInvalid(opts.file, invalid)}\nthese rows are skipped (reported as invalid)`);
      if (opts.dryRun) {
        ctx.out.text(
          formatTable(
            ['line', 'phoneNumberId', 'name', 'template', 'workflowId'],
            inventory.valid.map((r) => [
              String(r.line),
              r.phoneNumberId ?? '',
              r.input.connector.name,
              r.input.connector.connectorTemplateRef,
              r.workflowId,
            ]),
          ),
        );
        ctx.out.info(
          `dry run: would start ${inventory.valid.length} provisioning(s) in workspace ${inventory.workspaceId}${invalid.length ? `; ${invalid.length} invalid row(s) would be reported as invalid` : ''}; nothing was started`,
        );
        return;
      }
      if (!inventory.valid.length) {
        if (opts.retryFailed)
          return ctx.out.info(
            `nothing to retry: ${opts.retryFailed} lists no failed, cancelled or not-started row of ${opts.file}`,
          );
        throw usageError(`${opts.file}: no valid row to start`);
      }
      const store = bulkStoreFromEnv();
      await ctx.withClient(async ({ client, settings }) => {
        const started = await startBulk(client, store, inventory, {
          taskQueue: settings.taskQueue,
          concurrency: opts.concurrency,
        });
        ctx.out.info(
          `bulk run ${started.workflowId} (run ${started.runId}): ${started.manifest.rows} number(s) in workspace ${started.manifest.workspaceId}, ${opts.concurrency ?? `${BULK_LIMITS.defaultConcurrency} (adapting up to ${BULK_LIMITS.maxConcurrency})`} at once` +
            `\n  follow it: starter bulk-status ${started.workflowId} --wait   cancel it: starter bulk-cancel ${started.workflowId}`,
        );
        if (!opts.wait && !opts.report)
          return ctx.out.json({
            workflowId: started.workflowId,
            runId: started.runId,
            bulkKey: started.manifest.bulkKey,
            rows: started.manifest.rows,
          });
        await followBulk(ctx, client, store, started.workflowId, {
          cancelOnInterrupt: true,
          report: opts.report,
          requireAllActive: true,
        });
      });
    });
}

async function prepare(opts: BulkOptions, defaults: unknown) {
  try {
    const retry = opts.retryFailed ? await keysToRetry(opts.retryFailed) : undefined;
    return await prepareInventory(
      opts.file,
      defaults,
      { workspaceId: opts.workspaceId, organizationId: opts.organizationId },
      retry,
    );
  } catch (err) {
    if (err instanceof InvalidBulkDefaults) throw usageError(`--defaults ${opts.defaults}: ${err.message}`);
    if (err instanceof InventoryFileError) throw usageError(`--file ${opts.file}: ${err.message}`);
    throw err;
  }
}

function describeInvalid(file: string, invalid: InvalidRow[]): string {
  const lines = invalid.slice(0, MAX_LISTED).flatMap((r) => problemLines(r.problems, file).map((l) => `  ${l}`));
  const more = invalid.length > MAX_LISTED ? `\n  … and ${invalid.length - MAX_LISTED} more invalid row(s)` : '';
  return `${invalid.length} invalid row(s):\n${lines.join('\n')}${more}`;
}

function concurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > BULK_LIMITS.maxConcurrency)
    throw new InvalidArgumentError(`must be a whole number from 1 to ${BULK_LIMITS.maxConcurrency}`);
  return n;
}
