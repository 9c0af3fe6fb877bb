/**
 * Offboarding in bulk, pure: a file's rows (a number, or a template and name), what became of each row, the counts
 * and the progress the bulkOffboard workflow answers its query with.
 *
 * The rows live in the bulk store (src/bulk/offboard-store.ts): the workflow is handed their key and reads them a
 * page at a time, and writes the rows' results back in batches, so a file of any size is never one payload. Runs
 * started before that carried the rows in their input (at most 2,000); the workflow still runs them as recorded.
 */
import { z } from 'zod';
import { BirdId } from '../bird/schemas';
import type { FieldProblem } from '../base/problems';
import { InvalidFields, parseFields } from '../base/zod-issues';
import { duration } from './duration';
import { offboardWorkflowId, type ChannelKey, type OffboardOutcome, type OffboardResult } from './offboarding';

export const MAX_OFFBOARD_CONCURRENCY = 200;
/**
 * Enough offboardings under way for their Bird calls to reach Bird's documented 50 GET/s (about 3 GETs each over a
 * few seconds of deprovisioning); the rate-limited queues, not the window, keep them within it.
 */
export const DEFAULT_OFFBOARD_CONCURRENCY = 50;

const Lower = BirdId.transform((id) => id.toLowerCase());

export const BulkOffboardRow = z.strictObject({
  /** Line of the file (1 is the header): what the report and errors name. */
  line: z.number().int().min(1),
  phoneNumberId: Lower.optional(),
  connector: z.strictObject({ connectorTemplateRef: z.string().min(1), name: z.string().min(1) }).optional(),
});
export type BulkOffboardRow = z.output<typeof BulkOffboardRow>;

export const BulkOffboardOptions = z.strictObject({
  workspaceId: Lower,
  rows: z.array(BulkOffboardRow).min(1),
  /** Offboardings in flight at once; each one's Bird calls also wait on the workspace's rate-limited queues. */
  concurrency: z.number().int().min(1).max(MAX_OFFBOARD_CONCURRENCY).default(DEFAULT_OFFBOARD_CONCURRENCY),
  /** Children started per run before continuing as new (bounds each run's history). */
  startsPerRun: z.number().int().min(1).max(1_000).default(500),
  /** Each offboarding's deadline for Bird to confirm a deleted connector gone (offboardChannel's default if unset). */
  confirmDeadline: duration(1_000, 24 * 3_600_000).optional(),
});
export type BulkOffboardOptions = z.output<typeof BulkOffboardOptions>;

export class InvalidBulkOffboardInput extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('bulk offboarding input', problems);
    this.name = 'InvalidBulkOffboardInput';
  }
}

export function parseBulkOffboardOptions(raw: unknown): BulkOffboardOptions {
  return parseFields(BulkOffboardOptions, raw, (problems) => new InvalidBulkOffboardInput(problems));
}

export type BulkOffboardOutcome = OffboardOutcome | 'failed' | 'cancelled' | 'not-started';
export const BULK_OFFBOARD_OUTCOMES: readonly BulkOffboardOutcome[] = [
  'offboarded',
  'already-absent',
  'foreign-left-untouched',
  'failed',
  'cancelled',
  'not-started',
];
/** What `--retry-failed` runs again. */
export const RETRIED_OFFBOARD_OUTCOMES: readonly BulkOffboardOutcome[] = ['failed', 'cancelled', 'not-started'];

export interface BulkOffboardRowResult {
  /** Index into the input's rows. */
  row: number;
  outcome: BulkOffboardOutcome;
  workflowId: string;
  deleted?: string[];
  foreign?: string[];
  /** Webhook subscriptions left at Bird (its API cannot delete them). */
  leftBehind?: string[];
  reason?: string;
}

export type BulkOffboardCounts = Record<BulkOffboardOutcome, number>;

export interface BulkOffboardCarried {
  nextRow: number;
  results: BulkOffboardRowResult[];
  startedAt: string;
  continuedAsNew: number;
}

/** A run whose rows travel in its input (the shape of runs started before the bulk store held them). */
export interface InlineBulkOffboardInput extends BulkOffboardOptions {
  carried?: BulkOffboardCarried;
}

/** Where the client stored a file's rows. */
export interface StoredOffboardRows {
  bulkKey: string;
  rowCount: number;
}

/** What a run over stored rows carries across continue-as-new: counts, never the rows' results (in the store). */
export interface StoredOffboardCarried {
  nextRow: number;
  counts: BulkOffboardCounts;
  startedAt: string;
  continuedAsNew: number;
  /** The first run's id: the results of two runs over the same rows stay apart in the store. */
  runKey: string;
  /** The next batch of results' number. */
  nextBatch: number;
}

export interface StoredBulkOffboardInput extends Omit<BulkOffboardOptions, 'rows'> {
  stored: StoredOffboardRows;
  /** Rows read per activity. */
  pageSize: number;
  carried?: StoredOffboardCarried;
}

/** Decided by the input's shape at start: `rows` inline, or `stored` rows. */
export type BulkOffboardInput = InlineBulkOffboardInput | StoredBulkOffboardInput;

export function isStoredOffboard(input: BulkOffboardInput): input is StoredBulkOffboardInput {
  return 'stored' in input;
}

export type BulkOffboardStage = 'offboarding' | 'cancelling' | 'completed' | 'cancelled';

export interface BulkOffboardProgress {
  stage: BulkOffboardStage;
  workspaceId: string;
  total: number;
  pending: number;
  running: number;
  window: number;
  counts: BulkOffboardCounts;
  startedAt: string;
  finishedAt?: string;
  continuedAsNew: number;
}

/**
 * The run's end (and its report query): each row's result in `results` for a run with inline rows; for stored rows,
 * where their results are (the client reads them, src/client/bulk-offboard-client.ts).
 */
export interface BulkOffboardResult {
  progress: BulkOffboardProgress;
  results?: BulkOffboardRowResult[];
  stored?: { bulkKey: string; runKey: string };
}

/** Every row's result, in the rows' order: a run's report once the results are read back. */
export interface BulkOffboardReport {
  progress: BulkOffboardProgress;
  results: BulkOffboardRowResult[];
}

export function channelKeyOfRow(workspaceId: string, row: BulkOffboardRow): ChannelKey {
  return row.phoneNumberId
    ? { workspaceId, phoneNumberId: row.phoneNumberId }
    : { workspaceId, connector: row.connector };
}

export function countOutcomes(results: BulkOffboardRowResult[]): BulkOffboardCounts {
  const counts = Object.fromEntries(BULK_OFFBOARD_OUTCOMES.map((o) => [o, 0])) as BulkOffboardCounts;
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** Every row's result in the rows' order: those recorded, and `not-started` for rows a cancelled run never reached. */
export function everyRowResult(
  workspaceId: string,
  rows: readonly BulkOffboardRow[],
  recorded: readonly BulkOffboardRowResult[],
): BulkOffboardRowResult[] {
  const byRow = new Map(recorded.map((r) => [r.row, r]));
  return rows.map(
    (row, i) =>
      byRow.get(i) ?? {
        row: i,
        outcome: 'not-started',
        workflowId: offboardWorkflowId(channelKeyOfRow(workspaceId, row)),
      },
  );
}

/** A child's report as the row's result. */
export function rowResultOfOffboard(row: number, r: OffboardResult): BulkOffboardRowResult {
  return {
    row,
    outcome: r.outcome,
    workflowId: r.workflowId,
    ...(r.deleted.length ? { deleted: r.deleted.map((d) => d.connectorId) } : {}),
    ...(r.foreign.length ? { foreign: r.foreign.map((f) => f.connectorId) } : {}),
    ...(r.leftBehind.length ? { leftBehind: r.leftBehind.map((l) => l.subscriptionId) } : {}),
  };
}

/** The run's details in the Temporal UI. */
export function describeBulkOffboard(p: BulkOffboardProgress): string {
  const c = p.counts;
  const done = p.total - p.pending - p.running;
  return [
    `**Stage:** ${p.stage}`,
    `**Workspace:** ${p.workspaceId}`,
    `**Rows:** ${done} of ${p.total} done, ${p.running} running (window ${p.window}), ${p.pending} pending`,
    `**Offboarded:** ${c.offboarded} · **already absent:** ${c['already-absent']} · **foreign left untouched:** ${c['foreign-left-untouched']}`,
    `**Failed:** ${c.failed} · **cancelled:** ${c.cancelled} · **not started:** ${c['not-started']}`,
  ]
    .map((l) => `- ${l}`)
    .join('\n');
}

/** One line for the CLI's progress. */
export function bulkOffboardLine(p: BulkOffboardProgress): string {
  const c = p.counts;
  return [
    `${p.stage}: ${p.total - p.pending - p.running}/${p.total} done`,
    `running ${p.running}/${p.window}`,
    `offboarded ${c.offboarded}`,
    `absent ${c['already-absent']}`,
    `foreign ${c['foreign-left-untouched']}`,
    `failed ${c.failed}`,
    ...(c.cancelled || c['not-started'] ? [`cancelled ${c.cancelled}`, `not started ${c['not-started']}`] : []),
  ].join(' · ');
}
