/**
 * The orphan audit's rules, pure (the workflow, the activity and the tests share them).
 *
 * A connector is this tool's when its name ends with an idempotency tag (`… [prov-<16 hex>]`). Its owner is the
 * provisioning run that recorded its id (`BirdConnectorId`) or, failing that, its tag (`ProvisioningTag`). An
 * orphan is a tagged connector whose owner failed, was cancelled, terminated or timed out, or that no run records
 * at all; and a second connector with a tag whose run kept another one (a duplicate). Nothing else is ever one:
 * - a run still going owns its connector, whatever its stage (it compensates on its own);
 * - a connector younger than the grace period with no run may be one whose run is not visible yet;
 * - a connector with no run that is older than the namespace's retention cannot be judged: its run may have
 *   completed and been deleted since, so it is reported as unverifiable and never deleted;
 * - a tag found in a connector that is not for the run's number (or template and name) was copied by someone: not ours;
 * - a connector with no run whose name records an inventory (`{inv:NAME}`) is that inventory's to keep or prune
 *   (`apply`): reported as unverifiable, never deleted by the audit;
 * - so is a connector an inventory adopted (src/bulk/adoption-records.ts), whatever became of the run that made it.
 */
import { z } from 'zod';
import { BirdId } from '../bird/schemas';
import { duration } from './duration';
import { parseInventoryName } from './plan';
import { provisioningWorkflowId } from './provisioning-identity';
import { InvalidFields, parseFields } from '../base/zod-issues';
import type { FieldProblem } from '../base/problems';

export const ReconcileInput = z.strictObject({
  workspaceId: BirdId.transform((id) => id.toLowerCase()),
  /** Delete the orphans found (otherwise only report them). */
  delete: z.boolean().default(false),
  /** Connectors younger than this with no visible run are left alone: their run may not be visible yet. */
  gracePeriod: duration(0, 7 * 24 * 3_600_000).default(10 * 60_000),
  /** Connectors per Bird list request (one request per activity, on the rate-limited reads queue). */
  pageSize: z.number().int().min(1).max(100).default(100),
});
export type ReconcileInputRaw = z.input<typeof ReconcileInput>;
export type ReconcileInput = z.output<typeof ReconcileInput>;

export class InvalidReconcileInput extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('reconcile input', problems);
    this.name = 'InvalidReconcileInput';
  }
}

export function parseReconcileInput(raw: unknown): ReconcileInput {
  return parseFields(ReconcileInput, raw, (problems) => new InvalidReconcileInput(problems));
}

/** A connector whose name carries an idempotency tag, as the list endpoint shows it. */
export interface TaggedConnector {
  connectorId: string;
  /** The full name, tag included. */
  name: string;
  tag: string;
  /** The name the provisioning was given (without the tag). */
  baseName: string;
  templateRef?: string;
  numberId?: string;
  createdAt: string;
  /** The inventory that adopted it (its name records none). */
  adoptedBy?: string;
}

/** The provisioning run found for a tagged connector, from visibility. */
export interface OwnerRun {
  workflowId: string;
  runId: string;
  /** Temporal's execution status name: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW. */
  status: string;
  /** The connector the run recorded as its own, if it got that far. */
  connectorId?: string;
  /** How it was found: by the connector's id (certain) or by its tag (checked against the number). */
  matchedBy: 'connector' | 'tag';
}

export type OrphanReason = 'run-failed' | 'run-cancelled' | 'run-terminated' | 'run-timed-out' | 'no-run' | 'duplicate';

export type Verdict =
  | { kind: 'owned'; workflowId: string; status: string }
  | { kind: 'orphan'; reason: OrphanReason; detail: string; workflowId?: string; runId?: string }
  | { kind: 'young' }
  | { kind: 'unverifiable'; detail: string }
  | { kind: 'foreign'; detail: string };

export interface JudgeContext {
  workspaceId: string;
  nowMs: number;
  graceMs: number;
  /** The namespace's retention: beyond it a run may have been deleted, so "no run" proves nothing. */
  retentionMs?: number;
}

const CLOSED_AS: Record<string, OrphanReason> = {
  FAILED: 'run-failed',
  CANCELLED: 'run-cancelled',
  TERMINATED: 'run-terminated',
  TIMED_OUT: 'run-timed-out',
};

/** The workflow id a provisioning of this connector has (the same rule the clients start runs with). */
export function expectedWorkflowId(
  workspaceId: string,
  c: Pick<TaggedConnector, 'templateRef' | 'baseName' | 'numberId'>,
): string {
  return provisioningWorkflowId({
    workspaceId,
    connector: {
      connectorTemplateRef: c.templateRef ?? '',
      name: c.baseName,
      arguments: c.numberId ? { phoneNumberId: c.numberId.toLowerCase() } : undefined,
    },
  });
}

export function judgeConnector(c: TaggedConnector, owner: OwnerRun | undefined, ctx: JudgeContext): Verdict {
  const verdict = judgeByRun(c, owner, ctx);
  if (verdict.kind !== 'orphan' || !c.adoptedBy) return verdict;
  return {
    kind: 'unverifiable',
    detail: `${verdict.detail}, but inventory "${c.adoptedBy}" adopted it: that inventory's apply keeps or prunes it, never this audit`,
  };
}

function judgeByRun(c: TaggedConnector, owner: OwnerRun | undefined, ctx: JudgeContext): Verdict {
  if (owner) {
    // A tag is only a hint: the run found by it must be the provisioning of this very number (or template and name).
    if (owner.matchedBy === 'tag' && owner.workflowId !== expectedWorkflowId(ctx.workspaceId, c)) {
      return {
        kind: 'foreign',
        detail: `carries the tag of ${owner.workflowId}, which provisions another number or name`,
      };
    }
    if (owner.matchedBy === 'tag' && owner.connectorId && owner.connectorId !== c.connectorId) {
      return {
        kind: 'orphan',
        reason: 'duplicate',
        detail: `a second connector with the tag of ${owner.workflowId}, whose connector is ${owner.connectorId}`,
        workflowId: owner.workflowId,
        runId: owner.runId,
      };
    }
    const closed = CLOSED_AS[owner.status];
    if (!closed) return { kind: 'owned', workflowId: owner.workflowId, status: owner.status };
    return {
      kind: 'orphan',
      reason: closed,
      detail: `its provisioning ${owner.workflowId} ${owner.status.toLowerCase().replace('_', ' ')}`,
      workflowId: owner.workflowId,
      runId: owner.runId,
    };
  }
  const ageMs = ctx.nowMs - Date.parse(c.createdAt);
  if (!(ageMs >= ctx.graceMs)) return { kind: 'young' };
  if (ctx.retentionMs !== undefined && ageMs >= ctx.retentionMs) {
    return {
      kind: 'unverifiable',
      detail:
        'no provisioning run records it, but it is older than the namespace retention: its run may have completed and been deleted',
    };
  }
  const { inventory } = parseInventoryName(c.name);
  if (inventory)
    return {
      kind: 'unverifiable',
      detail: `no provisioning run records it, but its name records inventory "${inventory}": that inventory's apply keeps or prunes it, never this audit`,
    };
  return { kind: 'orphan', reason: 'no-run', detail: 'no provisioning run records it (neither its id nor its tag)' };
}

/** One orphan in a report. */
export interface OrphanEntry {
  connectorId: string;
  name: string;
  tag: string;
  numberId?: string;
  createdAt: string;
  reason: OrphanReason;
  detail: string;
  workflowId?: string;
  runId?: string;
  /** With `delete`: what became of it. */
  deletion?: 'deleted' | 'already-gone' | 'deferred' | `failed: ${string}`;
}

export interface ReconcileReport {
  workspaceId: string;
  deleteRequested: boolean;
  gracePeriodMs: number;
  startedAt: string;
  finishedAt?: string;
  pages: number;
  /** Connectors listed. */
  scanned: number;
  /** Without our tag: never touched. */
  untagged: number;
  /** Tagged, with a run that completed or is still going. */
  owned: number;
  /** Tagged, no visible run, younger than the grace period. */
  young: number;
  /** Tagged, but the tag belongs to a run for another number or name (copied). */
  foreign: number;
  unverifiable: Array<{ connectorId: string; name: string; createdAt: string; detail: string }>;
  /** All orphans found (the list stops at MAX_REPORTED_ENTRIES). */
  orphanCount: number;
  orphans: OrphanEntry[];
  /** Orphans deleted (or found already gone) by this run. */
  deleted: number;
  deleteFailed: number;
}

/** Entries of one report list kept in full; past it only the counts grow (a report is a workflow result). */
export const MAX_REPORTED_ENTRIES = 1_000;
