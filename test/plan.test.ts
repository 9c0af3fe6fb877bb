/**
 * The plan on the real dev server with a real worker and the simulator over HTTP, on a workspace with every kind of
 * row (create, keep, repair, adopt, foreign, prune, and other for another team's and a single provisioning's
 * connectors): each is listed correctly, and planning writes nothing to Bird. The CLI prints the same as JSON.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planFromFile } from '../src/client/plan-client';
import { nameWithInventory, type Plan } from '../src/domain/plan';
import { smsBulkDefaults } from './helpers/inventory';
import { startStack, type Stack } from './helpers/stack';
import { runStarter } from './helpers/starter-process';
import { provisionNamed, seedConnector } from './helpers/workspace-state';
import { waitFor } from './helpers/wait';

describe('plan', function () {
  this.timeout(120_000);
  let stack: Stack;
  const n = Array.from({ length: 9 }, () => randomUUID());
  let file: string;
  let defaultsFile: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ sim: { provisioningDelayMs: 200 } });
  });
  after(() => stack?.closeCheckingHistories());

  const provision = (number: string, name: string) => provisionNamed(stack, number, name);
  const seed = (number: string, name: string) => seedConnector(stack, number, name);

  it('lists each kind of row, and writes nothing to Bird', async () => {
    await provision(n[2]!, nameWithInventory('Keep', 'team-a'));
    const broken = await provision(n[3]!, nameWithInventory('Repair', 'team-a'));
    stack.sim.setChannelStatus(broken, 'error', 'inactive', 'drift made by hand');
    const adopted = seed(n[4]!, 'Adopt [prov-00000000000000aa]');
    seed(n[5]!, 'Made in the dashboard');
    await provision(n[6]!, nameWithInventory('Prune', 'team-a'));
    await provision(n[7]!, nameWithInventory('Other team', 'team-b'));
    await provision(n[8]!, 'Single provisioning');
    await waitFor('the seeded connectors to be active', () =>
      stack.sim.connectors().find((c) => c.id === adopted)?.state.stage === 'active' ? true : undefined,
    );

    const dir = await mkdtemp(join(tmpdir(), 'plan-'));
    file = join(dir, 'inventory.csv');
    defaultsFile = join(dir, 'defaults.json');
    await writeFile(file, `phoneNumberId\n${[1, 2, 3, 4, 5].map((i) => n[i]).join('\n')}\n`);
    const defaults = smsBulkDefaults(stack, { name: 'Team A' });
    await writeFile(defaultsFile, JSON.stringify(defaults));

    const before = stack.sim.calls().length;
    const { plan, invalid } = await planFromFile(
      stack.client,
      { file, defaults, inventory: 'team-a' },
      { taskQueue: stack.taskQueue },
    );
    assert.deepEqual(invalid, []);
    const actionOf = (i: number) => plan.entries.find((e) => e.phoneNumberId === n[i])?.action;
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(actionOf), [
      'create',
      'keep',
      'repair',
      'adopt',
      'foreign',
      'prune',
      'other',
      'other',
    ]);
    assert.equal(plan.entries.find((e) => e.phoneNumberId === n[1])?.line, 2);
    const writes = stack.sim
      .calls()
      .slice(before)
      .filter((c) => c.method !== 'GET');
    assert.deepEqual(writes, []);
  });

  /** `starter plan --json` of the inventory, with `extra` flags. */
  async function planByCli(...extra: string[]): Promise<Plan> {
    const run = await runStarter(stack, [
      'plan',
      ...['--file', file, '--defaults', defaultsFile, '--inventory', 'team-a', '--json'],
      ...extra,
    ]);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as Plan;
  }

  it('the CLI prints the plan as JSON', async () => {
    const plan = await planByCli();
    assert.deepEqual(plan.counts, { create: 1, keep: 1, repair: 1, adopt: 1, foreign: 1, prune: 1, other: 2 });
  });

  it('--no-refresh reads the list pages only, and so sees no status (a connector in error is planned keep)', async () => {
    const before = stack.sim.calls().length;
    const plan = await planByCli('--no-refresh');
    assert.deepEqual(plan.counts, { create: 1, keep: 2, repair: 0, adopt: 1, foreign: 1, prune: 1, other: 2 });
    assert.match(plan.entries.find((e) => e.phoneNumberId === n[3])?.reason ?? '', /status not read/);
    const calls = stack.sim.calls().slice(before);
    assert.ok(calls.length > 0);
    assert.deepEqual(
      calls.filter((c) => c.operationId !== 'listConnectors'),
      [],
      'only list pages',
    );
  });
});
