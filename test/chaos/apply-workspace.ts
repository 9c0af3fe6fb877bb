/**
 * A workspace holding every kind of row an apply meets, made the way it happens in production: an earlier apply of
 * the inventory (its keep, repair and prune numbers) and of another inventory, then drift: some of ours set to
 * Bird's error status through the simulator's /_sim control, connectors of ours that no run records (a tag in the
 * name, the inventory's marker), and foreign connectors made straight on the simulator, without our tag. Then what
 * the workspace must look like once the inventory is applied with prune, read from the simulator.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimConnector } from '../../src/bird-sim';
import { applyFromFile } from '../../src/client/apply-client';
import { parseTaggedName } from '../../src/domain/idempotency';
import type { PlanAction } from '../../src/domain/plan';
import { waitFor } from '../helpers/wait';
import { writeInventory } from './bulk';
import type { ChaosStack } from './stack';

export interface ApplyKinds {
  create: number;
  keep: number;
  repair: number;
  adopt: number;
  foreign: number;
  prune: number;
  /** Numbers of another inventory (their connectors must never be pruned). */
  other: number;
}

/** Each number's kind, and the connector each pre-existing number had when the apply started. */
export interface ApplyWorkspace {
  inventory: string;
  kinds: Map<string, PlanAction>;
  before: Map<string, SimConnector>;
  /** The new inventory: every number but the prune and other ones. */
  file: string;
  defaults: Record<string, unknown>;
}

const KINDS: PlanAction[] = ['create', 'keep', 'repair', 'adopt', 'foreign', 'prune', 'other'];

export async function prepareApplyWorkspace(
  stack: ChaosStack,
  size: ApplyKinds,
  bulk: { concurrency: number },
): Promise<ApplyWorkspace> {
  const inventory = `chaos-${randomUUID().slice(0, 8)}`;
  const kinds = new Map<string, PlanAction>();
  for (const kind of KINDS)
    for (let i = 0; i < size[kind as keyof ApplyKinds]; i++) {
      const n = randomUUID();
      kinds.set(n, kind);
      stack.sim.configureNumber(n, { outcome: 'active', delayMs: 1_000 + Math.round(Math.random() * 3_000) });
    }
  const of = (...want: PlanAction[]) => [...kinds].filter(([, k]) => want.includes(k)).map(([n]) => n);

  // The earlier applies: this inventory's keep, repair and prune numbers, and another inventory's.
  const opts = { taskQueue: stack.taskQueue, bulk: { ...bulk, sweepIntervalMs: 2_000 } };
  await Promise.all(
    [
      { inventory, numbers: of('keep', 'repair', 'prune') },
      { inventory: `${inventory}-other`, numbers: of('other') },
    ].map(async (e) => {
      const { file, defaults } = await writeInventory(stack, e.numbers);
      const { result } = await applyFromFile(stack.world.client, stack.store, { file, defaults, ...e }, opts);
      const failed = result.rows.filter((r) => r.outcome !== 'created');
      if (failed.length)
        throw new Error(`setting up: the earlier apply of ${e.inventory} left ${failed.length} row(s)`);
    }),
  );

  const live = (n: string) => stack.sim.connectors().find((c) => !c.deletedAt && c.number?.numberId === n);
  for (const n of of('repair')) await setStatus(stack, live(n)!.id, 'error', 'inactive');
  // Ours by tag, no inventory's by name (a single provisioning whose run is gone): the apply adopts them.
  of('adopt').forEach((n, i) => seed(stack, n, `Adopted ${i} [prov-${randomBytes(8).toString('hex')}]`));
  of('foreign').forEach((n, i) => seed(stack, n, `Made in the dashboard ${i}`));

  const settled = (n: string) => {
    const c = live(n);
    const want = kinds.get(n) === 'repair' ? 'error' : 'ok';
    return c?.state.status === want && (want === 'error' || c.state.stage === 'active') ? c : undefined;
  };
  const before = new Map<string, SimConnector>();
  for (const n of of('keep', 'repair', 'adopt', 'foreign', 'prune', 'other'))
    before.set(n, await waitFor(`the connector of ${n} to settle`, () => settled(n), 120_000, 200));
  const { file, defaults } = await writeInventory(stack, of('create', 'keep', 'repair', 'adopt', 'foreign'));
  return { inventory, kinds, before, file, defaults };
}

/** As Bird's dashboard user would see it: a connector's status set by hand through the simulator's control. */
async function setStatus(stack: ChaosStack, connectorId: string, status: string, stage: string): Promise<void> {
  const res = await fetch(`${stack.sim.url}/_sim/connectors/${connectorId}/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status, stage, errorMessage: 'drift made by hand (chaos)' }),
  });
  if (res.status !== 204) throw new Error(`/_sim refused the status of ${connectorId}: ${res.status}`);
}

function seed(stack: ChaosStack, number: string, name: string): void {
  stack.sim.seedConnector(stack.workspaceId, {
    name,
    connectorTemplateRef: 'sms-messagebird:1',
    arguments: { phoneNumberId: number, channelMessageType: 'transactional' },
  });
}

/**
 * What is wrong with each number once the apply is done: an inventory number has exactly one connector of ours,
 * active (the same one for keep and adopt, a new one for repair); a foreign or another inventory's connector is
 * still there, unchanged, and got no write; a pruned number has none.
 */
export function endStateProblems(stack: ChaosStack, ws: ApplyWorkspace): Map<string, string> {
  const all = stack.sim.connectors().filter((c) => c.workspaceId === stack.workspaceId);
  const writes = stack.sim.calls().filter((c) => c.method !== 'GET');
  const problems = new Map<string, string>();
  for (const [n, kind] of ws.kinds) {
    const live = all.filter((c) => !c.deletedAt && c.number?.numberId === n);
    const ours = live.filter((c) => parseTaggedName(c.name));
    const was = ws.before.get(n);
    const problem = (() => {
      if (kind === 'prune') return live.length ? `pruned, but ${live.length} connector(s) left` : undefined;
      if (kind === 'foreign' || kind === 'other') {
        const now = live.find((c) => c.id === was!.id);
        if (live.length !== 1 || !now) return `its ${kind} connector is gone or not alone (${live.length} live)`;
        if (now.name !== was!.name || now.state.status !== was!.state.status) return `its ${kind} connector changed`;
        const touched = writes.filter((w) => w.path.includes(was!.id));
        return touched.length ? `its ${kind} connector got ${touched.length} write(s)` : undefined;
      }
      if (live.length !== 1 || ours.length !== 1) return `${ours.length} of ours among ${live.length} live`;
      const c = ours[0]!;
      if (c.state.status !== 'ok' || c.state.stage !== 'active') return `ours is ${c.state.status}/${c.state.stage}`;
      if ((kind === 'keep' || kind === 'adopt') && c.id !== was!.id) return `kept ${was!.id}, but ${c.id} is live`;
      if (kind === 'repair' && c.id === was!.id) return `the broken connector ${c.id} is still there`;
      return undefined;
    })();
    if (problem) problems.set(n, `${kind} ${n}: ${problem}`);
  }
  return problems;
}
