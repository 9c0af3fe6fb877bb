/**
 * The bulk scenario of `npm run record-histories` with rows of every template (scripts/record-histories.ts): one file
 * of numbers and names, a row Bird refuses, and a connector of ours Bird already has whose run is gone (adopted from
 * the bulk run's index by template, name and tag).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitBulk, prepareInventory, startBulk } from '../src/client/bulk-client';
import { TEMPLATE_REFS } from '../src/domain/connector-templates';
import { provisioningWorkflowId } from '../src/domain/provisioning-identity';
import { parseProvisioningInput } from '../src/domain/provisioning-input';
import { smsInput, type Stack } from '../test/helpers/stack';
import { forgetRuns } from '../test/helpers/workspace-state';

type Provision = (stack: Stack, input: ReturnType<typeof smsInput>) => Promise<string>;
type WriteHistory = (stack: Stack, name: string, workflowId: string) => Promise<void>;

export function bulkTemplateScenarios(provisionToTheEnd: Provision, writeHistory: WriteHistory) {
  return {
    'bulk-mixed-templates': async (stack: Stack) => {
      const adopted = smsInput(stack, {});
      adopted.connector = { connectorTemplateRef: 'whatsapp:1', name: 'Recorded adopted', arguments: { locale: 'en' } };
      await forgetRuns(stack, `WorkflowId = '${await provisionToTheEnd(stack, adopted)}'`);
      stack.sim.configureName('Recorded telegram:1', { outcome: 'error', errorMessage: 'rejected' });
      const numbers = [randomUUID(), randomUUID()];
      const names = TEMPLATE_REFS.filter((t) => t !== 'sms-messagebird:1').map((t) => [`Recorded ${t}`, t]);
      const file = join(await mkdtemp(join(tmpdir(), 'record-')), 'mixed.csv');
      const rows = [...numbers.map((n) => `${n},Recorded SMS,`), ...names.map(([n, t]) => `,${n},${t}`)];
      await writeFile(
        file,
        ['phoneNumberId,name,connectorTemplateRef', ...rows, ',Recorded adopted,whatsapp:1'].join('\n'),
      );
      const inventory = await prepareInventory(file, {
        workspaceId: stack.workspaceId,
        organizationId: stack.organizationId,
        connector: { connectorTemplateRef: 'sms-messagebird:1', arguments: { channelMessageType: 'transactional' } },
        readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '1m' },
      });
      if (inventory.invalid.length) throw new Error(JSON.stringify(inventory.invalid));
      const started = await startBulk(stack.client, stack.bulkStore, inventory, {
        taskQueue: stack.taskQueue,
        sweepIntervalMs: 2_000,
        concurrency: 4,
        startsPerRun: 500,
        pageSize: 100,
      });
      await awaitBulk(stack.client, started.workflowId);
      const whatsapp = { ...adopted, connector: { connectorTemplateRef: 'whatsapp:1', name: 'Recorded whatsapp:1' } };
      await writeHistory(stack, 'child-of-bulk-by-name', provisioningWorkflowId(parseProvisioningInput(whatsapp)));
      return started.workflowId;
    },
  };
}
