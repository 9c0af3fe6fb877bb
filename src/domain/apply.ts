/**
 * Apply, pure: its input, whether a saved plan still holds (as Terraform refuses a stale plan), which plan entries
 * become which Bird work, and the report. The workflow (src/workflows/apply-inventory.ts) carries it out.
 *
 * - create: provisioned through a bulkOnboard child over the create rows (its window, rate limits and report);
 * - repair: offboarded (an offboardChannel child), then provisioned with the creates;
 * - prune: offboarded, only when asked;
 * - adopt: recorded as the inventory's in the bulk store (src/bulk/adoption-records.ts), no Bird write;
 * - keep, foreign, other: no write.
 */
import { z } from 'zod';
import type { FieldProblem } from '../base/problems';
import { InvalidFields, parseFields } from '../base/zod-issues';
import type { BulkCounts } from './bulk-onboarding';
import { PlanInput } from './plan-input';
import { CHANGING_ACTIONS, isOthersOnly, type Plan, type PlanAction, type PlanEntry } from './plan';

const Lower = z.string().transform((id) => id.toLowerCase());

/**
 * One apply per inventory and workspace at a time; its children (plan, create) are named from it, by the input, so
 * a scheduled run (whose own id the schedule draws) names them the same.
 */
export function applyWorkflowId(workspaceId: string, inventory: string): string {
  return `apply/${workspaceId}/${inventory}`;
}

/** What a run of applyInventory hands the next one (continue-as-new). */
export interface ApplyCarried {
  plan: Pick<Plan, 'inventory' | 'workspaceId' | 'counts'>;
  rows: ApplyRow[];
  /** Index in `rows` from which offboardings are still to do. */
  nextRow: number;
}

/** A changing entry of a saved plan, as compared with the fresh one. */
export const ExpectedEntry = z.strictObject({
  action: z.enum(['create', 'repair', 'adopt', 'prune']),
  phoneNumberId: Lower.optional(),
  connectorId: z.string().optional(),
});
export type ExpectedEntry = z.output<typeof ExpectedEntry>;

export const ApplyInput = z.strictObject({
  /** What the plan is computed from (same as planInventory's input). */
  plan: PlanInput,
  /** The inventory's rows in the bulk store, their connector names recording the inventory (nameWithInventory). */
  bulkKey: z.string().min(1),
  /** File name, for people. */
  source: z.string(),
  prune: z.boolean().default(false),
  /** A saved plan's changing entries: the apply refuses to run if the fresh plan's differ. */
  expected: z.array(ExpectedEntry).max(20_000).optional(),
  /** The create child's window and pace (bulkOnboard's input). */
  bulk: z.strictObject({
    concurrency: z.number().int().min(1),
    maxConcurrency: z.number().int().min(1).optional(),
    pageSize: z.number().int().min(1),
    startsPerRun: z.number().int().min(1),
    sweepIntervalMs: z.number().int().min(1),
  }),
  /** Offboardings at once. */
  offboardWindow: z.number().int().min(1).max(100).default(10),
});
export type ApplyInputRaw = z.input<typeof ApplyInput>;
export type ApplyInput = z.output<typeof ApplyInput>;

export class InvalidApplyInput extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('apply input', problems);
    this.name = 'InvalidApplyInput';
  }
}

export function parseApplyInput(raw: unknown): ApplyInput {
  return parseFields(ApplyInput, raw, (problems) => new InvalidApplyInput(problems));
}

/** A saved plan as `plan --json` prints it: its changing entries, or the reason it is not a plan. */
export function expectedOfSavedPlan(saved: unknown): ExpectedEntry[] {
  const entries = (saved as { entries?: unknown })?.entries;
  if (!Array.isArray(entries)) throw new Error('not a plan printed by `plan --json` (no "entries" list)');
  return entries
    .filter((e: PlanEntry) => CHANGING_ACTIONS.includes(e?.action))
    .map((e: PlanEntry) =>
      ExpectedEntry.parse({
        action: e.action,
        ...(e.phoneNumberId ? { phoneNumberId: e.phoneNumberId } : {}),
        ...(e.connectorId ? { connectorId: e.connectorId } : {}),
      }),
    );
}

function keyOf(e: { action: PlanAction; phoneNumberId?: string; connectorId?: string }): string {
  return `${e.action} ${e.phoneNumberId ?? '(no number)'}${e.connectorId ? ` connector ${e.connectorId}` : ''}`;
}

/** What changed between a saved plan and the fresh one: `+` only in the fresh one, `-` only in the saved one. */
export function planDifferences(expected: ExpectedEntry[], fresh: Plan): string[] {
  const now = new Set(fresh.entries.filter((e) => CHANGING_ACTIONS.includes(e.action)).map(keyOf));
  const then = new Set(expected.map(keyOf));
  return [
    ...[...now].filter((k) => !then.has(k)).map((k) => `+ ${k}`),
    ...[...then].filter((k) => !now.has(k)).map((k) => `- ${k}`),
  ];
}

export type ApplyOutcome =
  | 'created'
  | 'already-active'
  | 'repaired'
  | 'adopted'
  | 'pruned'
  | 'unchanged'
  | 'skipped'
  | 'failed'
  | 'cancelled'
  | 'not-started';

/** One number's action and what became of it. */
export interface ApplyRow {
  action: PlanAction;
  phoneNumberId?: string;
  line?: number;
  connectorId?: string;
  outcome: ApplyOutcome;
  reason: string;
}

export interface ApplyResult {
  inventory: string;
  workspaceId: string;
  /** The fresh plan's counts (before anything was done). */
  counts: Record<PlanAction, number>;
  /** False when the workspace already matched: no Bird write was made. */
  changed: boolean;
  /** Every entry except create and repair rows' provisioning outcome, which the create child's report holds. */
  rows: ApplyRow[];
  /** The bulkOnboard child over the create (and repaired) rows, when there were any. */
  creates?: { workflowId: string; bulkKey: string; runKey: string; rows: number; counts: BulkCounts };
}

/** What an entry that makes no Bird write reports. */
export function unchangedRow(e: PlanEntry, prune: boolean): ApplyRow {
  const base = { ...pick(e), action: e.action };
  if (e.action === 'prune' && !prune)
    return { ...base, outcome: 'skipped', reason: 'would be pruned: give --prune to delete it' };
  if (e.action === 'adopt')
    return { ...base, outcome: 'unchanged', reason: "ours by tag and healthy; to be recorded as this inventory's" };
  return { ...base, outcome: 'unchanged', reason: e.reason };
}

export function pick(e: PlanEntry): Pick<ApplyRow, 'phoneNumberId' | 'line' | 'connectorId'> {
  return {
    ...(e.phoneNumberId ? { phoneNumberId: e.phoneNumberId } : {}),
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.connectorId ? { connectorId: e.connectorId } : {}),
  };
}

/** The report for people: each number's action and outcome (keep rows and others' connectors counted, not listed), then the totals. */
export function formatApply(r: ApplyResult): string {
  if (!r.changed) return `inventory "${r.inventory}" in workspace ${r.workspaceId}: No changes.`;
  const lines = r.rows
    .filter((row) => row.action !== 'keep' && !isOthersOnly(row))
    .map((row) => {
      const what = row.phoneNumberId ?? '(no number)';
      const where = row.line !== undefined ? ` (line ${row.line})` : '';
      return `${row.action.padEnd(8)}${what}${where}: ${row.outcome}: ${row.reason}`;
    });
  const tally = new Map<string, number>();
  for (const row of r.rows) tally.set(row.outcome, (tally.get(row.outcome) ?? 0) + 1);
  lines.push(
    `inventory "${r.inventory}" in workspace ${r.workspaceId}: ${[...tally].map(([o, n]) => `${n} ${o}`).join(', ')}`,
  );
  return lines.join('\n');
}

/** A repair or prune row whose connector has no number: offboarding goes by number, so it is left for people. */
export function skippedWithoutNumber(row: ApplyRow): ApplyRow {
  return { ...row, outcome: 'skipped', reason: 'its connector has no number: offboard it by template and name' };
}

/**
 * A repair or prune row once its offboarding ended (`outcome` of the bulk offboarding's row, or a failure's reason):
 * a pruned row is done; a repaired one stays `not-started` until its create; anything else failed.
 */
export function offboardedRow(
  row: ApplyRow,
  got: { outcome: string; reason?: string } | undefined,
  prune: boolean,
): ApplyRow {
  const ok = got?.outcome === 'offboarded' || got?.outcome === 'already-absent';
  if (!got || !ok) {
    const why =
      got?.outcome === 'foreign-left-untouched'
        ? 'a connector without our tag holds the number: left untouched'
        : `offboarding ${got?.outcome ?? 'not recorded'}${got?.reason ? `: ${got.reason}` : ''}`;
    return { ...row, outcome: 'failed', reason: why };
  }
  if (row.action === 'prune' && prune) return { ...row, outcome: 'pruned', reason: `offboarded (${got.outcome})` };
  return { ...row, reason: `offboarded (${got.outcome}); to be created again` };
}

/** Create and repair rows take their outcome from the create child's report (its rows are keyed by number). */
export function withCreateOutcomes(
  rows: ApplyRow[],
  report: Array<{ phoneNumberId: string; outcome: string; connectorId: string; reason: string }>,
): ApplyRow[] {
  const byNumber = new Map(report.map((r) => [r.phoneNumberId.toLowerCase(), r]));
  return rows.map((row) => {
    const got =
      row.phoneNumberId !== undefined && row.outcome === 'not-started' ? byNumber.get(row.phoneNumberId) : undefined;
    if (!got || (row.action !== 'create' && row.action !== 'repair')) return row;
    const outcome: ApplyOutcome =
      got.outcome === 'active' ? (row.action === 'repair' ? 'repaired' : 'created') : (got.outcome as ApplyOutcome);
    return {
      ...row,
      outcome,
      ...(got.connectorId ? { connectorId: got.connectorId } : {}),
      reason: got.reason || outcome,
    };
  });
}
