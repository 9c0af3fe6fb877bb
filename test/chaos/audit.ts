/**
 * What the fault suite checks after every scenario, from the outside: what each number ended as against what it
 * should have, the connectors Bird has for it (exactly one for an active number, none for a failed one), duplicates
 * (two live connectors for a number, or two connectors ever made under one provisioning's tag), orphans (by running
 * the product's own reconcile workflow), runs left running, and every occurrence of the access key or the signing
 * key in any workflow history on the scenario's task queue, any line any of its processes printed, and any error
 * text it collected.
 */
import { historyText } from '../helpers/history';
import { reconcile } from '../../src/client/reconcile-client';
import { parseTaggedName } from '../../src/domain/idempotency';
import type { SimConnector } from '../../src/bird-sim';
import type { ChaosStack } from './stack';

export type Expected = 'active' | 'failed';

export interface NumberOutcome {
  outcome: string;
  connectorId?: string;
  /** Why, when it failed (shown when the outcome is not the expected one). */
  reason?: string;
}

export interface Figures {
  runsExpected: number;
  completed: number;
  failedAsExpected: number;
  /** Numbers whose outcome is not the expected one (or that have none). */
  unexpected: number;
  /** Numbers with a wrong number of live connectors (1 for active, 0 for failed) or another connector than reported. */
  connectorMismatches: number;
  orphans: number;
  duplicates: number;
  secretHits: number;
  /** provisionChannel runs of the workspace still running at the end. */
  stuck: number;
  /** Where the figures came from, for the notes: the first few mismatches. */
  problems: string[];
}

export async function auditScenario(
  stack: ChaosStack,
  expected: Map<string, Expected>,
  outcomes: Map<string, NumberOutcome>,
  extraTexts: string[] = [],
): Promise<Figures> {
  const problems: string[] = [];
  const note = (p: string) => problems.length < 10 && problems.push(p);
  const connectors = stack.sim.connectors().filter((c) => c.workspaceId === stack.workspaceId);
  let completed = 0;
  let failedAsExpected = 0;
  let unexpected = 0;
  let connectorMismatches = 0;
  let duplicates = 0;
  for (const [number, want] of expected) {
    const got = outcomes.get(number);
    const isActive = got?.outcome === 'active' || got?.outcome === 'already-active';
    if (isActive) completed++;
    if (want === 'failed' && got?.outcome === 'failed') failedAsExpected++;
    if ((want === 'active' && !isActive) || (want === 'failed' && got?.outcome !== 'failed')) {
      unexpected++;
      note(
        `${number}: expected ${want}, got ${got ? `${got.outcome}${got.reason ? ` (${got.reason})` : ''}` : 'no outcome'}`,
      );
    }
    const live = connectors.filter((c) => !c.deletedAt && c.number?.numberId === number);
    if (live.length > 1) duplicates += live.length - 1;
    const wantLive = want === 'active' ? 1 : 0;
    if (live.length !== wantLive || (wantLive === 1 && got?.connectorId && live[0]!.id !== got.connectorId)) {
      connectorMismatches++;
      note(
        `${number}: ${live.length} live connector(s), expected ${wantLive}${got?.connectorId ? ` (${got.connectorId})` : ''}`,
      );
    }
  }
  duplicates += duplicateTags(connectors, note);
  const orphans = await orphansFound(stack, note);

  let stuck = 0;
  for await (const wf of stack.world.client.workflow.list({
    query: `WorkflowType = 'provisionChannel' AND ExecutionStatus = 'Running' AND BirdWorkspaceId = '${stack.workspaceId}'`,
  })) {
    stuck++;
    note(`still running: ${wf.workflowId}`);
  }

  const secretHits = await countSecretHits(stack, [...extraTexts, orphans.reportText]);
  return {
    runsExpected: expected.size,
    completed,
    failedAsExpected,
    unexpected,
    connectorMismatches,
    orphans: orphans.count,
    duplicates,
    secretHits,
    stuck,
    problems,
  };
}

/** Connectors ever made under one tag, past the first: one provisioning that created twice (deleted ones count too). */
export function duplicateTags(connectors: SimConnector[], note: (p: string) => void): number {
  const perTag = new Map<string, number>();
  for (const c of connectors) {
    const tag = parseTaggedName(c.name)?.tag;
    if (tag) perTag.set(tag, (perTag.get(tag) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const [tag, n] of perTag) {
    if (n > 1) {
      duplicates += n - 1;
      note(`tag ${tag}: ${n} connectors`);
    }
  }
  return duplicates;
}

/**
 * Orphans and unverifiable connectors by the product's own reconcile workflow. `inventoryOwned`: connectors a
 * scenario planted that no run records but an inventory owns (an apply adopted them): the audit must report them
 * unverifiable (never deleted), not orphans; anything else it reports counts.
 */
export async function orphansFound(
  stack: ChaosStack,
  note: (p: string) => void,
  inventoryOwned: ReadonlySet<string> = new Set(),
): Promise<{ count: number; reportText: string }> {
  const report = await reconcile(
    stack.world.client,
    { workspaceId: stack.workspaceId, gracePeriod: 0 },
    { taskQueue: stack.taskQueue },
  );
  const unverifiable = report.unverifiable.filter((u) => !inventoryOwned.has(u.connectorId));
  for (const o of report.orphans.slice(0, 3)) note(`orphan ${o.connectorId}: ${o.detail}`);
  for (const u of unverifiable.slice(0, 3)) note(`unverifiable ${u.connectorId}: ${u.detail}`);
  return { count: report.orphanCount + unverifiable.length, reportText: JSON.stringify(report) };
}

/** Runs of any type still running on the stack's task queue. */
export async function runsStillRunning(stack: ChaosStack, note: (p: string) => void): Promise<number> {
  let running = 0;
  for await (const wf of stack.world.client.workflow.list({
    query: `TaskQueue = '${stack.taskQueue}' AND ExecutionStatus = 'Running'`,
  })) {
    running++;
    note(`still running: ${wf.type} ${wf.workflowId}`);
  }
  return running;
}

/** Occurrences of the stack's keys in every history on its task queue, every process line, and the given texts. */
export async function countSecretHits(stack: ChaosStack, texts: string[]): Promise<number> {
  const secrets = [stack.secrets.accessKey, stack.secrets.signingKey];
  const count = (text: string) => secrets.reduce((n, s) => n + text.split(s).length - 1, 0);
  let hits = 0;
  const runs: Array<{ workflowId: string; runId: string }> = [];
  for await (const wf of stack.world.client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` }))
    runs.push({ workflowId: wf.workflowId, runId: wf.runId });
  if (!runs.length) throw new Error(`no workflow ran on ${stack.taskQueue}: the secret check would prove nothing`);
  for (let i = 0; i < runs.length; i += 20) {
    const texts = await Promise.all(
      runs
        .slice(i, i + 20)
        .map(async (r) =>
          historyText(await stack.world.client.workflow.getHandle(r.workflowId, r.runId).fetchHistory()),
        ),
    );
    for (const t of texts) hits += count(t);
  }
  for (const line of stack.lines()) hits += count(line);
  for (const t of texts) hits += count(t);
  return hits;
}
