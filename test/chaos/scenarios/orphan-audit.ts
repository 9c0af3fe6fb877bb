/**
 * Scenario 6, the orphan audit: provisionings on worker processes, some of them terminated while they wait for
 * readiness (a terminated run compensates nothing: its connector is an orphan). The `reconcile` CLI finds exactly
 * those and changes nothing; the Temporal Schedule with `delete` removes them; the suite's own audit then finds none.
 */
import { randomUUID } from 'node:crypto';
import { awaitResult, getProgress, parseAndStartProvisioning } from '../../../src/client/provisioning-client';
import { ensureReconcileSchedule } from '../../../src/client/reconcile-client';
import type { ReconcileReport } from '../../../src/domain/reconcile';
import { startNodeProcess } from '../../helpers/processes';
import { auditScenario, type Expected, type NumberOutcome } from '../audit';
import type { ScenarioResult } from '../report';
import { startChaosStack, type ChaosStack } from '../stack';
import type { ChaosWorld } from '../world';

export interface OrphanAuditSize {
  runs: number;
  terminated: number;
}

export async function orphanAudit(world: ChaosWorld, size: OrphanAuditSize): Promise<ScenarioResult> {
  const started = Date.now();
  const stack = await startChaosStack(world, { workers: 2 });
  const notes: string[] = [];
  const failedChecks: string[] = [];
  try {
    const runs = await Promise.all(
      Array.from({ length: size.runs }, async (_, i) => {
        const phoneNumberId = randomUUID();
        const doomed = i < size.terminated;
        stack.sim.configureNumber(phoneNumberId, { outcome: 'active', delayMs: doomed ? 3_600_000 : 1_000 + i * 100 });
        const run = await parseAndStartProvisioning(
          world.client,
          {
            workspaceId: stack.workspaceId,
            organizationId: stack.organizationId,
            connector: {
              connectorTemplateRef: 'sms-messagebird:1',
              name: `Audit ${i}`,
              arguments: { phoneNumberId, channelMessageType: 'transactional' },
            },
            readiness: { mode: 'poll', initialPollInterval: '500ms', maxPollInterval: '2s', deadline: '5m' },
          },
          { taskQueue: stack.taskQueue },
        );
        return { ...run, phoneNumberId, doomed };
      }),
    );
    // Terminated mid-readiness: the connector exists, and no compensation will ever run for it.
    for (const run of runs.filter((r) => r.doomed)) {
      await waitUntil(
        async () => (await getProgress(world.client, run.workflowId)).stage === 'awaiting-readiness',
        60_000,
      );
      await run.handle.terminate('chaos: planting an orphan');
    }
    const expected = new Map<string, Expected>();
    const outcomes = new Map<string, NumberOutcome>();
    for (const run of runs) {
      expected.set(run.phoneNumberId, run.doomed ? 'failed' : 'active');
      const outcome = await awaitResult(world.client, run.workflowId);
      outcomes.set(
        run.phoneNumberId,
        outcome.ok ? { outcome: 'active', connectorId: outcome.result.connectorId } : { outcome: 'failed' },
      );
    }

    const found = await reconcileCli(stack);
    const terminatedFound = found.report?.orphans.filter((o) => o.reason === 'run-terminated').length ?? 0;
    if (found.code !== 1) failedChecks.push(`reconcile exited ${found.code} with orphans present (expected 1)`);
    if (found.report?.orphanCount !== size.terminated || terminatedFound !== size.terminated)
      failedChecks.push(
        `reconcile found ${found.report?.orphanCount} orphan(s), ${terminatedFound} terminated; planted ${size.terminated}`,
      );
    const liveAfterReport = stack.sim.connectors().filter((c) => !c.deletedAt).length;

    const { scheduleId } = await ensureReconcileSchedule(
      world.client,
      { workspaceId: stack.workspaceId, every: '1h', delete: true, gracePeriod: '0s' },
      { taskQueue: stack.taskQueue },
    );
    const schedule = world.client.schedule.getHandle(scheduleId);
    try {
      await schedule.trigger();
      const planted = new Set(found.report?.orphans.map((o) => o.connectorId));
      await waitUntil(async () => stack.sim.connectors().every((c) => !planted.has(c.id) || c.deletedAt), 60_000);
    } finally {
      await schedule.delete();
    }
    notes.push(
      `planted ${size.terminated} orphan(s) by terminating runs mid-readiness; \`reconcile\` (CLI) reported ${found.report?.orphanCount ?? '?'} (${terminatedFound} "run terminated") and deleted nothing (${liveAfterReport} live connectors); the Schedule (delete) removed them`,
    );
    const figures = await auditScenario(stack, expected, outcomes, [found.output]);
    return {
      name: 'orphan audit',
      size: `${size.runs} runs, ${size.terminated} terminated mid-readiness`,
      figures,
      recoveries: [],
      durationMs: Date.now() - started,
      notes,
      failedChecks,
    };
  } finally {
    await stack.close();
  }
}

async function reconcileCli(
  stack: ChaosStack,
): Promise<{ code: number | null; report?: ReconcileReport; output: string }> {
  const proc = startNodeProcess(
    'src/starter.ts',
    {
      TEMPORAL_ADDRESS: stack.world.server.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
    },
    {
      node: process.execPath,
      execArgv: ['--import', 'tsx'],
      args: ['reconcile', '--workspace', stack.workspaceId, '--grace', '0s', '--json'],
    },
  );
  stack.adopt(proc);
  const { code } = await proc.exited;
  const output = proc.lines.join('\n');
  const json = output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1);
  try {
    return { code, report: JSON.parse(json) as ReconcileReport, output };
  } catch {
    return { code, output };
  }
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
