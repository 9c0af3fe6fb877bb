/** The offboarding, plan and apply scenarios of `npm run record-histories` (scripts/record-histories.ts). */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFromFile, applyWorkflowId } from '../src/client/apply-client';
import { startBulkOffboard } from '../src/client/bulk-offboard-client';
import { offboard } from '../src/client/offboarding-client';
import { planFromFile } from '../src/client/plan-client';
import { parseAndStartProvisioning } from '../src/client/provisioning-client';
import { nameWithInventory } from '../src/domain/plan';
import { smsInput, type Stack } from '../test/helpers/stack';

type Provision = (stack: Stack, input: ReturnType<typeof smsInput>) => Promise<string>;
type Write = (stack: Stack, name: string, workflowId: string) => Promise<void>;

const numberOf = (input: ReturnType<typeof smsInput>) =>
  (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;

async function offboardNumber(stack: Stack, phoneNumberId: string): Promise<string> {
  const report = await offboard(stack.client, { workspaceId: stack.workspaceId, phoneNumberId }, stack);
  return report.workflowId;
}

export function offboardScenarios(provisionToTheEnd: Provision, subscription: object, write: Write) {
  return {
    'offboard-deleted-subscription-left': async (stack: Stack) => {
      const input = smsInput(stack, { subscriptions: [subscription as never] });
      await provisionToTheEnd(stack, input);
      return offboardNumber(stack, numberOf(input));
    },
    'offboard-cancelled-running-provisioning': async (stack: Stack) => {
      const input = smsInput(stack);
      stack.sim.configureNumber(numberOf(input), { outcome: 'active', delayMs: 600_000 });
      await parseAndStartProvisioning(stack.client, input, stack);
      while (!stack.sim.connectors().some((c) => c.number?.numberId === numberOf(input)))
        await new Promise((r) => setTimeout(r, 50));
      return offboardNumber(stack, numberOf(input));
    },
    'offboard-already-absent': (stack: Stack) => offboardNumber(stack, randomUUID()),
    // bulk-offboard-two-rows.json is a run whose input carried its rows, from before they moved to the bulk store:
    // kept for the replay test, never recorded again (the client no longer starts such runs).
    // Four rows in the bulk store, one provisioned, read two a page, continued as new after two: the last run's
    // history (a page read, the results written, the run carried over).
    'bulk-offboard-stored-rows': async (stack: Stack) => {
      const input = smsInput(stack);
      await provisionToTheEnd(stack, input);
      const numbers = [randomUUID(), randomUUID(), numberOf(input), randomUUID()];
      const rows = numbers.map((phoneNumberId, i) => ({ line: i + 2, phoneNumberId }));
      const started = await startBulkOffboard(
        stack.client,
        stack.bulkStore,
        { workspaceId: stack.workspaceId, rows, concurrency: 1, startsPerRun: 2 },
        { taskQueue: stack.taskQueue, pageSize: 2 },
      );
      await started.handle.result();
      return started.workflowId;
    },
    'plan-keep-create-prune': async (stack: Stack) => {
      const kept = smsInput(stack);
      kept.connector.name = nameWithInventory('Kept', 'team-a');
      const pruned = smsInput(stack);
      pruned.connector.name = nameWithInventory('Pruned', 'team-a');
      await provisionToTheEnd(stack, kept);
      await provisionToTheEnd(stack, pruned);
      const file = join(await mkdtemp(join(tmpdir(), 'plan-')), 'inventory.csv');
      await writeFile(file, `phoneNumberId\n${numberOf(kept)}\n${randomUUID()}\n`);
      const { workspaceId, organizationId } = stack;
      const connector = {
        connectorTemplateRef: 'sms-messagebird:1',
        name: 'Team A',
        arguments: { channelMessageType: 'transactional' },
      };
      const defaults = { workspaceId, organizationId, connector };
      const planned = await planFromFile(stack.client, { file, defaults, inventory: 'team-a' }, stack);
      if (planned.plan.counts.prune !== 1) throw new Error('plan-keep-create-prune: expected one prune');
      return planned.workflowId;
    },
    // One of each changing action the apply carries out, with prune; its create child (createAgain) recorded too.
    'apply-create-repair-prune': async (stack: Stack) => {
      const { kept, broken } = await driftedInventory(stack, provisionToTheEnd);
      const args = await inventoryArgs(stack, [numberOf(kept), numberOf(broken), randomUUID()]);
      const { result } = await applyFromFile(
        stack.client,
        stack.bulkStore,
        { ...args, prune: true },
        {
          taskQueue: stack.taskQueue,
          bulk: { sweepIntervalMs: 2_000 },
        },
      );
      if (!result.creates) throw new Error('apply-create-repair-prune: expected a create child');
      await write(stack, 'child-of-apply-create-again', result.creates.workflowId);
      return applyWorkflowId(stack.workspaceId, 'team-a');
    },
    // A single provisioning's connector (its name records no inventory) adopted: the adoption recorded.
    'apply-adopts': async (stack: Stack) => {
      const single = smsInput(stack);
      await provisionToTheEnd(stack, single);
      const args = await inventoryArgs(stack, [numberOf(single)]);
      const { result } = await applyFromFile(stack.client, stack.bulkStore, args, { taskQueue: stack.taskQueue });
      if (result.rows[0]?.outcome !== 'adopted') throw new Error('apply-adopts: expected the connector adopted');
      return applyWorkflowId(stack.workspaceId, 'team-a');
    },
    // Repair and prune through one bulkOffboard child (its history recorded too), then the create child.
    'apply-offboards-in-bulk': async (stack: Stack) => {
      const { kept, broken } = await driftedInventory(stack, provisionToTheEnd);
      const args = await inventoryArgs(stack, [numberOf(kept), numberOf(broken)]);
      const opts = { taskQueue: stack.taskQueue, bulk: { sweepIntervalMs: 2_000 } };
      const { result } = await applyFromFile(stack.client, stack.bulkStore, { ...args, prune: true }, opts);
      if (!result.rows.some((r) => r.outcome === 'pruned'))
        throw new Error('apply-offboards-in-bulk: expected a prune');
      await write(stack, 'child-of-apply-offboard', `${applyWorkflowId(stack.workspaceId, 'team-a')}/offboard`);
      return applyWorkflowId(stack.workspaceId, 'team-a');
    },
    'apply-no-changes': async (stack: Stack) => {
      const kept = smsInput(stack);
      kept.connector.name = nameWithInventory('Kept', 'team-a');
      await provisionToTheEnd(stack, kept);
      const args = await inventoryArgs(stack, [numberOf(kept)]);
      const { result } = await applyFromFile(stack.client, stack.bulkStore, args, { taskQueue: stack.taskQueue });
      if (result.changed) throw new Error('apply-no-changes: expected no changes');
      return applyWorkflowId(stack.workspaceId, 'team-a');
    },
  };
}

/** Three numbers of inventory team-a provisioned, one then put in error by hand (repair), one to drop (prune). */
async function driftedInventory(stack: Stack, provisionToTheEnd: Provision) {
  const [kept, broken, pruned] = ['Kept', 'Broken', 'Pruned'].map((name) => {
    const input = smsInput(stack);
    input.connector.name = nameWithInventory(name, 'team-a');
    return input;
  });
  for (const input of [kept!, broken!, pruned!]) await provisionToTheEnd(stack, input);
  const brokenId = stack.sim.connectors().find((c) => c.number?.numberId === numberOf(broken!))!.id;
  stack.sim.setChannelStatus(brokenId, 'error', 'inactive', 'drift made by hand');
  return { kept: kept!, broken: broken! };
}

async function inventoryArgs(stack: Stack, numbers: string[]) {
  const file = join(await mkdtemp(join(tmpdir(), 'apply-')), 'inventory.csv');
  await writeFile(file, `phoneNumberId\n${numbers.join('\n')}\n`);
  const { workspaceId, organizationId } = stack;
  const connector = {
    connectorTemplateRef: 'sms-messagebird:1',
    name: 'Team A',
    arguments: { channelMessageType: 'transactional' },
  };
  return { file, defaults: { workspaceId, organizationId, connector }, inventory: 'team-a' };
}
