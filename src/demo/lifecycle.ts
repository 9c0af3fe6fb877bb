/**
 * The demo's second half, a channel's life after onboarding, as `starter offboard`, `starter plan` and
 * `starter apply` do it through the typed client: one channel offboarded (its connector deleted and confirmed gone,
 * its subscriptions reported left behind), then an inventory applied to the workspace, drift made by hand in the
 * simulator (a channel broken, a foreign connector, a number dropped from the file), the plan that shows it, the
 * apply with prune that corrects it, and a last apply that has nothing to do.
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BirdSimulator } from '../bird-sim';
import type { BulkStore } from '../bulk/store';
import { applyFromFile } from '../client/apply-client';
import { offboard } from '../client/offboarding-client';
import { planFromFile } from '../client/plan-client';
import { formatApply } from '../domain/apply';
import { formatPlan } from '../domain/plan';

export interface LifecycleDemo {
  client: Client;
  sim: BirdSimulator;
  store: BulkStore;
  taskQueue: string;
  workspaceId: string;
  /** examples/bulk-defaults.json, as the bulk demo uses it. */
  defaults: Record<string, unknown>;
  dir: string;
  say: (line: string) => void;
}

const INVENTORY = 'demo-team';

/** Offboards the channel of `phoneNumberId` and tells what was deleted and what was left. */
export async function offboardDemo(d: LifecycleDemo, phoneNumberId: string): Promise<void> {
  d.say(`\noffboarding the ready channel (number ${phoneNumberId}) …`);
  const r = await offboard(d.client, { workspaceId: d.workspaceId, phoneNumberId }, { taskQueue: d.taskQueue });
  const deleted = r.deleted.map((c) => `${c.connectorId} (confirmed ${c.confirmedBy})`).join(', ') || 'nothing';
  const left = r.leftBehind.map((l) => l.subscriptionId).join(', ') || 'nothing';
  d.say(
    `  ${r.outcome}: deleted ${deleted}; ${r.birdWrites} Bird write(s); left behind (no delete in Bird's API): ${left}`,
  );
  d.say(`  ${r.workflowId}`);
}

/** An inventory applied, drifted by hand, planned, applied with prune, then applied with nothing to do. */
export async function applyDemo(d: LifecycleDemo): Promise<void> {
  const numbers = Array.from({ length: 6 }, () => randomUUID());
  const file = resolve(d.dir, 'inventory.csv');
  const write = (rows: string[]) => writeFile(file, ['phoneNumberId', ...rows].join('\n') + '\n');
  const apply = async (prune: boolean) => {
    const { result } = await applyFromFile(
      d.client,
      d.store,
      { file, defaults: d.defaults, inventory: INVENTORY, prune },
      { taskQueue: d.taskQueue, bulk: { sweepIntervalMs: 2_000 } },
    );
    for (const line of formatApply(result).split('\n')) d.say(`  ${line}`);
  };

  await write(numbers);
  d.say(`\napply of inventory "${INVENTORY}" (${numbers.length} numbers, ${file}) to an empty workspace …`);
  await apply(false);

  const [broken, dropped] = [numbers[1]!, numbers[5]!];
  const connectorOf = (n: string) =>
    d.sim.connectors().find((c) => !c.deletedAt && c.arguments?.['phoneNumberId'] === n)!.id;
  d.sim.setChannelStatus(connectorOf(broken), 'error', 'inactive', 'drift made by hand in the demo');
  const foreign = randomUUID();
  d.sim.seedConnector(d.workspaceId, {
    name: 'Made in the dashboard',
    connectorTemplateRef: 'sms-messagebird:1',
    arguments: { phoneNumberId: foreign, channelMessageType: 'transactional' },
  });
  const added = randomUUID();
  await write([...numbers.slice(0, 5), foreign, added]);
  d.say(
    `\ndrift: ${broken} put in error by hand, ${dropped} dropped from the file, ${foreign} added with a connector made in the dashboard, ${added} added`,
  );
  d.say(`plan (reads only):`);
  const { plan } = await planFromFile(
    d.client,
    { file, defaults: d.defaults, inventory: INVENTORY },
    { taskQueue: d.taskQueue },
  );
  for (const line of formatPlan(plan).split('\n')) d.say(`  ${line}`);
  d.say(`apply --prune --yes:`);
  await apply(true);
  d.say(`apply again:`);
  await apply(true);
}
