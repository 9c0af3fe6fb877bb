/**
 * applyInventory: carries out an inventory's plan as one durable run (src/domain/apply.ts says what each action
 * becomes). It plans again against Bird's state at its start (a planInventory child, reads only) and, given a saved
 * plan, refuses to go on if the fresh one differs. It records the adopt rows as the inventory's in the bulk store (no
 * Bird write), so later plans keep them. Then it offboards the repair rows and, when asked, the prune rows through
 * one bulkOffboard child over them, and provisions the create and repaired rows through one bulkOnboard child over
 * them: each child has its window, rate limits, report and history bounds. A workspace that already matches gets no
 * write at all: the plan only reads.
 *
 * Runs started before the offboardings went to a child offboarded them in batches of offboardChannel children, and
 * continued as new between batches once their history was large, carrying the rows; they replay as they ran.
 */
import {
  ApplicationFailure,
  continueAsNew,
  executeChild,
  patched,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  applyWorkflowId,
  offboardedRow,
  parseApplyInput,
  pick,
  planDifferences,
  skippedWithoutNumber,
  unchangedRow,
  type ApplyCarried,
  type ApplyInput,
  type ApplyInputRaw,
  type ApplyResult,
  type ApplyRow,
} from '../domain/apply';
import type { BulkOnboardInput } from '../domain/bulk-onboarding';
import { rootMessage, withoutStack } from '../domain/failure-types';
import { offboardWorkflowId, type OffboardResult } from '../domain/offboarding';
import type { PlanEntry } from '../domain/plan';
import { bulkStoreOptions } from './activity-options';
import { bulkOnboard } from './bulk-onboard';
import { parseOrFailRun } from './invalid-input';
import { offboardChannel } from './offboard-channel';
import { offboardInBulk } from './apply/offboard-in-bulk';
import { planInventory } from './plan-inventory';

const { saveCreateRows, recordAdoptions } = proxyActivities<Activities>(bulkStoreOptions);

/** Runs started before their offboardings went to one bulkOffboard child replay their batches of children. */
export const OFFBOARD_IN_BULK_PATCH = 'apply-offboards-in-bulk';
/** Runs started before adoption records existed replay leaving their adopt rows unchanged. */
export const ADOPTION_RECORDS_PATCH = 'apply-records-adoptions';

/** Continue as new past this many events (far below the server's 51,200), between offboarding batches. */
const HISTORY_EVENTS = 10_000;

export async function applyInventory(raw: ApplyInputRaw, carried?: ApplyCarried): Promise<ApplyResult> {
  const input = parseOrFailRun(() => parseApplyInput(raw));
  const state = carried ?? (await planAgain(input));
  const { plan, rows } = state;
  const result = (changed: boolean): ApplyResult => ({
    inventory: plan.inventory,
    workspaceId: plan.workspaceId,
    counts: plan.counts,
    changed,
    rows,
  });
  if (!carried && rows.some((r) => r.action === 'adopt') && patched(ADOPTION_RECORDS_PATCH))
    await adoptRows(input, rows);
  const offboards = (r: ApplyRow) => r.action === 'repair' || (r.action === 'prune' && input.prune);
  const adopting = (r: ApplyRow) => r.action === 'adopt' && r.outcome !== 'unchanged';
  if (!rows.some((r) => r.action === 'create' || offboards(r) || adopting(r))) {
    show(input, 'no changes: the workspace matches the inventory');
    return result(false);
  }

  const toOffboard = rows.flatMap((r, i) => (i >= state.nextRow && offboards(r) ? [i] : []));
  if (toOffboard.length && patched(OFFBOARD_IN_BULK_PATCH)) {
    show(input, `offboarding ${toOffboard.length} row(s) (repair and prune) in one bulk offboarding`);
    await offboardInBulk(input, rows, toOffboard);
  } else
    for (let i = state.nextRow; i < rows.length;) {
      const batch: number[] = [];
      for (; i < rows.length && batch.length < input.offboardWindow; i++) if (offboards(rows[i]!)) batch.push(i);
      show(input, `offboarding: ${i} of ${rows.length} rows handled`);
      await Promise.all(batch.map(async (k) => (rows[k] = await offboardRow(input, rows[k]!))));
      const info = workflowInfo();
      if (i < rows.length && (info.historyLength > HISTORY_EVENTS || info.continueAsNewSuggested))
        return continueAsNew<typeof applyInventory>(raw, { plan, rows, nextRow: i });
    }

  const creates = rows.filter((r) => (r.action === 'create' || r.action === 'repair') && r.outcome === 'not-started');
  const out = result(true);
  if (creates.length) out.creates = await createRows(input, creates);
  show(input, 'done');
  return out;
}

/** The fresh plan, checked against the saved one if given, as the rows to carry out. */
async function planAgain(input: ApplyInput): Promise<ApplyCarried> {
  show(input, 'planning against the workspace as it is now');
  const plan = await executeChild(planInventory, {
    workflowId: `${applyWorkflowId(input.plan.workspaceId, input.plan.inventory)}/plan`,
    args: [input.plan],
    staticSummary: `Plan of inventory ${input.plan.inventory} (reads only), for an apply`,
  });
  if (input.expected) {
    const differences = planDifferences(input.expected, plan);
    if (differences.length)
      throw withoutStack(
        ApplicationFailure.create({
          type: 'PlanNoLongerHolds',
          nonRetryable: true,
          message: `the saved plan no longer holds (${differences.length} difference(s)); plan again:\n${differences.slice(0, 20).join('\n')}${differences.length > 20 ? '\n…' : ''}`,
          details: [differences],
        }),
      );
  }
  const rows = plan.entries.map((e: PlanEntry): ApplyRow => {
    const todo = e.action === 'create' || e.action === 'repair' || (e.action === 'prune' && input.prune);
    return todo
      ? { ...pick(e), action: e.action, outcome: 'not-started', reason: 'not started yet' }
      : unchangedRow(e, input.prune);
  });
  return { plan: { inventory: plan.inventory, workspaceId: plan.workspaceId, counts: plan.counts }, rows, nextRow: 0 };
}

/** The adopt rows recorded as this inventory's (one object in the bulk store), in place. */
async function adoptRows(input: ApplyInput, rows: ApplyRow[]): Promise<void> {
  const at = rows.flatMap((r, i) => (r.action === 'adopt' && r.connectorId ? [i] : []));
  const { workspaceId, inventory } = input.plan;
  let outcome: Pick<ApplyRow, 'outcome' | 'reason'>;
  try {
    await recordAdoptions.executeWithOptions({ summary: `record ${at.length} adopted connector(s)` }, [
      {
        workspaceId,
        inventory,
        runKey: workflowInfo().firstExecutionRunId,
        connectorIds: at.map((i) => rows[i]!.connectorId!),
      },
    ]);
    outcome = { outcome: 'adopted', reason: `recorded as inventory "${inventory}"'s; no Bird write` };
  } catch (err) {
    outcome = { outcome: 'failed', reason: `the adoption was not recorded: ${rootMessage(err)}` };
  }
  for (const i of at) rows[i] = { ...rows[i]!, ...outcome };
}

/** A repair or prune row offboarded; a repaired row stays `not-started` until its create. */
async function offboardRow(input: ApplyInput, row: ApplyRow): Promise<ApplyRow> {
  const workspaceId = input.plan.workspaceId;
  const phoneNumberId = row.phoneNumberId;
  if (!phoneNumberId) return skippedWithoutNumber(row);
  let report: OffboardResult;
  try {
    report = await executeChild(offboardChannel, {
      workflowId: offboardWorkflowId({ workspaceId, phoneNumberId }),
      args: [{ workspaceId, phoneNumberId }],
      staticSummary: `Offboard number ${phoneNumberId} from workspace ${workspaceId} (${row.action} of an apply)`,
    });
  } catch (err) {
    return { ...row, outcome: 'failed', reason: `offboarding failed: ${rootMessage(err)}` };
  }
  return offboardedRow(row, report, input.prune);
}

/** The create (and repaired) rows, provisioned by one bulkOnboard child over an inventory of just them. */
async function createRows(input: ApplyInput, creates: ApplyRow[]): Promise<NonNullable<ApplyResult['creates']>> {
  show(input, `creating ${creates.length} channel(s)`);
  const manifest = await saveCreateRows.executeWithOptions({ summary: `store the ${creates.length} rows to create` }, [
    { bulkKey: input.bulkKey, numbers: creates.map((r) => r.phoneNumberId!), source: input.source },
  ]);
  const workflowId = `${applyWorkflowId(input.plan.workspaceId, input.plan.inventory)}/create`;
  const bulkInput: BulkOnboardInput = {
    bulkKey: manifest.bulkKey,
    workspaceId: manifest.workspaceId,
    rows: manifest.rows,
    invalid: 0,
    source: input.source,
    templateRefs: manifest.templateRefs,
    ...input.bulk,
    createAgain: true,
  };
  const done = await executeChild(bulkOnboard, {
    workflowId,
    args: [bulkInput],
    staticSummary: `Create ${manifest.rows} channel(s) of inventory ${input.plan.inventory} (an apply's bulk onboarding)`,
  });
  return {
    workflowId,
    bulkKey: manifest.bulkKey,
    runKey: done.progress.runKey,
    rows: manifest.rows,
    counts: done.progress.counts,
  };
}

function show(input: ApplyInput, what: string): void {
  setCurrentDetails(
    [
      `- **Inventory:** ${input.plan.inventory} in workspace ${input.plan.workspaceId}${input.prune ? ' (with prune)' : ''}`,
      `- **Stage:** ${what}`,
    ].join('\n'),
  );
}
