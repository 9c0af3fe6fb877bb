/**
 * An inventory of 12,000 numbers on the real dev server with a real worker and the simulator: its plan lists every
 * number, over Temporal's 2 MiB payload limit as JSON (the apply failed: "CompleteWorkflowExecutionCommandAttributes.
 * Result exceeds size limit"). With the product's data converter (src/codec/env.ts) the plan and the apply compress
 * it, and a converged workspace applies as "No changes".
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { applyFromFile } from '../src/client/apply-client';
import { dataConverterFromEnv } from '../src/codec/env';
import { GZIP_ENCODING } from '../src/codec/gzip-codec';
import { nameWithInventory } from '../src/domain/plan';
import { smsBulkDefaults } from './helpers/inventory';
import { startStack, type Stack } from './helpers/stack';

const NUMBERS = 12_000;

describe('an inventory of 12,000 numbers', function () {
  this.timeout(180_000);
  let stack: Stack;
  const dataConverter = dataConverterFromEnv({});

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ worker: { dataConverter } });
  });
  after(() => stack?.close());

  it('plans and applies to a converged workspace: "No changes", the plan compressed in the history', async () => {
    const numbers = Array.from({ length: NUMBERS }, () => randomUUID());
    numbers.forEach((number, i) =>
      stack.sim.seedConnector(stack.workspaceId, {
        name: `${nameWithInventory('Team A', 'team-a')} [prov-${i.toString(16).padStart(16, '0')}]`,
        connectorTemplateRef: 'sms-messagebird:1',
        arguments: { phoneNumberId: number, channelMessageType: 'transactional' },
      }),
    );
    const file = join(await mkdtemp(join(tmpdir(), 'large-inventory-')), 'inventory.csv');
    await writeFile(file, `phoneNumberId\n${numbers.join('\n')}\n`);
    const defaults = smsBulkDefaults(stack, { name: 'Team A' });
    const client = new Client({
      connection: stack.client.connection,
      namespace: stack.client.options.namespace,
      dataConverter,
    });
    const { result, workflowId } = await applyFromFile(
      client,
      stack.bulkStore,
      { file, defaults, inventory: 'team-a', refresh: false },
      { taskQueue: stack.taskQueue },
    );
    assert.equal(result.changed, false);
    assert.equal(result.counts.keep, NUMBERS);
    assert.equal(result.rows.length, NUMBERS);

    const history = await client.workflow.getHandle(`${workflowId}/plan`).fetchHistory();
    const completed = history.events?.find((e) => e.workflowExecutionCompletedEventAttributes);
    const payload = completed?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
    assert.equal(Buffer.from(payload?.metadata?.[METADATA_ENCODING_KEY] ?? []).toString(), GZIP_ENCODING);
    assert.ok((payload?.data?.length ?? Infinity) < 1024 * 1024, `${payload?.data?.length} bytes in the history`);
  });
});
