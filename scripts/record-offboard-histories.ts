/** The offboarding scenarios of `npm run record-histories` (scripts/record-histories.ts). */
import { randomUUID } from 'node:crypto';
import { offboard } from '../src/client/offboarding-client';
import { startProvisioning } from '../src/client/provisioning-client';
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
      await startProvisioning(stack.client, input, stack);
      while (!stack.sim.connectors().some((c) => c.number?.numberId === numberOf(input)))
        await new Promise((r) => setTimeout(r, 50));
      return offboardNumber(stack, numberOf(input));
    },
    'offboard-already-absent': (stack: Stack) => offboardNumber(stack, randomUUID()),
  };
}
