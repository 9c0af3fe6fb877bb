/**
 * Scenario 2, the Temporal server restarted: a bulk run started and awaited by a separate client process (the bulk
 * CLI), two worker processes and the webhook receiver process, readiness by polls and webhooks; the dev server is
 * SIGKILLed mid-run and started again on its SQLite file. Nothing is restarted by hand: the workers, the receiver and
 * the waiting client must reconnect by themselves, the bulk client must exit 0 when the run ends, and a provisioning
 * that can only become ready by webhook, started after the restart, proves the receiver is back.
 */
import { awaitResult, parseAndStartProvisioning } from '../../../src/client/provisioning-client';
import { getBulkProgress } from '../../../src/client/bulk-client';
import { auditScenario, type NumberOutcome } from '../audit';
import { finishBulkRun, followedToTheEnd, planInventory, startBulkProcess } from '../bulk';
import type { NodeProcess } from '../../helpers/processes';
import { activitiesInFlight, awaitResumed, recoveryOf } from '../recovery';
import type { ScenarioResult } from '../report';
import { startChaosStack } from '../stack';
import type { ChaosWorld } from '../world';
import { randomUUID } from 'node:crypto';

export interface ServerRestartSize {
  numbers: number;
  restarts: number;
  /** How long the server stays down each time. */
  downMs: number;
  concurrency: number;
}

export async function serverRestart(world: ChaosWorld, size: ServerRestartSize): Promise<ScenarioResult> {
  const started = Date.now();
  const stack = await startChaosStack(world, { workers: 2, receiver: true, sim: { faults: { latencyMs: 200 } } });
  const notes: string[] = [];
  const recoveries: number[] = [];
  try {
    const plan = await planInventory(stack, {
      size: size.numbers,
      failShare: 0.1,
      delayMs: [3_000, 20_000],
      readiness: { mode: 'both', initialPollInterval: '2s', maxPollInterval: '10s', deadline: '10m' },
    });
    // Two clients follow the run: the operator's CLI, and a service using the typed API (it attaches to the same run).
    const bulk = startBulkProcess(stack, plan, { concurrency: size.concurrency }, 'cli');
    const line = await bulk.waitForLine('the bulk run to start', (l) => /bulk\/[0-9a-f-]+\/[0-9a-f]+/.test(l), 120_000);
    const bulkId = /(bulk\/[0-9a-f-]+\/[0-9a-f]+)/.exec(line)![1]!;
    const service = startBulkProcess(stack, plan, { concurrency: size.concurrency }, 'typed-api');
    await service.waitForLine('the typed-API client to attach', (l) => l.includes(bulkId), 120_000);

    for (let r = 0; r < size.restarts; r++) {
      // Let the run get going (or go on) before pulling the server from under it.
      await waitForProgress(world, bulkId, Math.round(((r + 1) * size.numbers) / (size.restarts + 2)));
      const inFlight = await activitiesInFlight(world.client, { workspaceId: stack.workspaceId });
      const killedAt = Date.now();
      await world.server.kill();
      await new Promise((res) => setTimeout(res, size.downMs));
      await world.server.launch();
      const backAt = Date.now();
      const resumed = await awaitResumed(world.client, inFlight.slice(0, 5), killedAt);
      const recovery = recoveryOf(resumed);
      if (recovery !== undefined) recoveries.push(recovery);
      notes.push(
        `restart ${r + 1}: down ${((backAt - killedAt) / 1000).toFixed(1)} s (${inFlight.length} activities in flight); ${
          recovery === undefined
            ? `no interrupted activity to time (${resumed.map((x) => x.outcome).join(', ') || 'none in flight'})`
            : `work running again ${(recovery / 1000).toFixed(1)} s after the kill`
        }`,
      );
    }

    // Only a webhook can make this one ready: the receiver must be talking to the restarted server again.
    const phoneNumberId = randomUUID();
    stack.sim.configureNumber(phoneNumberId, { outcome: 'active', delayMs: 1_000 });
    const webhookOnly = await parseAndStartProvisioning(
      world.client,
      {
        workspaceId: stack.workspaceId,
        organizationId: stack.organizationId,
        connector: {
          connectorTemplateRef: 'sms-messagebird:1',
          name: 'After the restart',
          arguments: { phoneNumberId, channelMessageType: 'transactional' },
        },
        readiness: { mode: 'webhook', deadline: '3m' },
      },
      { taskQueue: stack.taskQueue },
    );
    const webhookOutcome = await awaitResult(world.client, webhookOnly.workflowId);
    notes.push(
      `after the restart, a webhook-only provisioning ${webhookOutcome.ok ? `became ready by ${webhookOutcome.result.readinessSource}` : `failed: ${webhookOutcome.reason}`}`,
    );

    const follow = async (what: string, proc: NodeProcess) => {
      const exit = await proc.exited;
      const followed = followedToTheEnd(proc, exit);
      notes.push(
        `${what} ${followed ? `followed the run through the restart(s) to its end (exit ${exit.code})` : `exited ${exit.code ?? exit.signal}: ${proc.lines.slice(-3).join(' | ')}`}`,
      );
      return followed;
    };
    const followers = await Promise.all([
      follow('`starter bulk --wait`', bulk),
      follow('the typed-API client (awaitBulk)', service),
    ]);
    const finished = await finishBulkRun(stack, bulkId);
    const expected = new Map(plan.expected).set(phoneNumberId, 'active');
    const outcomes = new Map<string, NumberOutcome>(finished.outcomes).set(
      phoneNumberId,
      webhookOutcome.ok ? { outcome: 'active', connectorId: webhookOutcome.result.connectorId } : { outcome: 'failed' },
    );
    const figures = await auditScenario(stack, expected, outcomes, [finished.reportText, ...world.server.lines]);
    const failedChecks = [
      ...(followers.includes(false) ? ['a bulk client did not survive the restart'] : []),
      ...(!webhookOutcome.ok || webhookOutcome.result.readinessSource !== 'webhook'
        ? ['the receiver did not deliver after the restart']
        : []),
    ];
    return {
      name: 'Temporal server restarted',
      size: `${size.numbers} numbers + 1 by webhook, ${size.restarts} restart(s), down ${size.downMs / 1000} s`,
      figures,
      recoveries,
      durationMs: Date.now() - started,
      notes,
      failedChecks,
    };
  } finally {
    await stack.close();
  }
}

async function waitForProgress(world: ChaosWorld, bulkId: string, handled: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const p = await getBulkProgress(world.client, bulkId).catch(() => undefined);
    if (p) {
      const c = p.counts;
      if (c.active + c.alreadyActive + c.failed + c.cancelled + c.notStarted >= handled || p.stage === 'completed')
        return;
    }
    if (Date.now() > deadline) throw new Error(`the bulk run did not reach ${handled} handled rows`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
