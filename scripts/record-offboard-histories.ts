/** The offboarding and plan scenarios of `npm run record-histories` (scripts/record-histories.ts). */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offboard } from '../src/client/offboarding-client';
import { planFromFile } from '../src/client/plan-client';
import { parseAndStartProvisioning } from '../src/client/provisioning-client';
import { nameWithInventory } from '../src/domain/plan';
import { smsInput, type Stack } from '../test/helpers/stack';

type Provision = (stack: Stack, input: ReturnType<typeof smsInput>) => Promise<string>;

const numberOf = (input: ReturnType<typeof smsInput>) =>
  (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;

async function offboardNumber(stack: Stack, phoneNumberId: string): Promise<string> {
  const report = await offboard(stack.client, { workspaceId: stack.workspaceId, phoneNumberId }, stack);
  return report.workflowId;
}

export function offboardScenarios(provisionToTheEnd: Provision, subscription: object) {
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
  };
}
