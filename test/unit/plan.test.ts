/** The plan's classification, pure: every kind of row, two teams sharing a workspace, and "no changes". */
import assert from 'node:assert/strict';
import {
  actionsToApply,
  formatPlan,
  inventoryNameProblem,
  nameWithInventory,
  parseInventoryName,
  planWorkspace,
  type WorkspaceConnector,
} from '../../src/domain/plan';
import { taggedConnectorName } from '../../src/domain/idempotency';

const WS = '8f0a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const n = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const tag = (i: number) => `prov-${String(i).padStart(16, '0')}`;
const ours = (i: number, inventory: string | undefined, state: [string, string], id = `c${i}`): WorkspaceConnector => ({
  connectorId: id,
  name: taggedConnectorName(inventory ? nameWithInventory(`SMS ${i}`, inventory) : `SMS ${i}`, tag(i)),
  numberId: n(i),
  status: state[0],
  stage: state[1],
});
const ACTIVE: [string, string] = ['ok', 'active'];

describe('plan', () => {
  const connectors: WorkspaceConnector[] = [
    ours(2, 'team-a', ACTIVE), // keep
    ours(3, 'team-a', ['error', 'inactive']), // repair
    ours(4, 'team-a', ['ok', 'deprovisioned']), // repair
    ours(5, undefined, ACTIVE), // adopt: ours, but no inventory's
    { connectorId: 'c6', name: 'Made in the dashboard', numberId: n(6), status: 'ok', stage: 'active' }, // foreign
    ours(7, 'team-a', ACTIVE), // prune: not in the file
    ours(8, 'team-b', ACTIVE), // other: another inventory, not in the file
    ours(9, undefined, ACTIVE), // other: a single provisioning, not in the file
    ours(10, 'team-b', ACTIVE), // other: in the file, made by another team
    { connectorId: 'c11', name: 'Someone else', numberId: n(11) }, // unrelated
  ];
  const plan = planWorkspace({
    inventory: 'team-a',
    workspaceId: WS,
    entries: [1, 2, 3, 4, 5, 6, 10].map((i, k) => ({ phoneNumberId: n(i).toUpperCase(), line: k + 2 })),
    connectors,
  });
  const actionOf = (i: number) => plan.entries.find((e) => e.phoneNumberId === n(i))?.action;

  it('classifies every kind of row', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(actionOf), [
      'create',
      'keep',
      'repair',
      'repair',
      'adopt',
      'foreign',
      'prune',
      'other',
      'other',
      'other',
    ]);
    assert.equal(plan.entries.find((e) => e.phoneNumberId === n(1))?.line, 2);
    assert.equal(plan.unrelated, 1);
    assert.deepEqual(plan.counts, { create: 1, keep: 1, repair: 2, adopt: 1, foreign: 1, prune: 1, other: 3 });
  });

  it('applies prune only when asked, and never foreign or other', () => {
    const without = actionsToApply(plan, { prune: false }).map((e) => e.action);
    assert.deepEqual(without.sort(), ['adopt', 'create', 'repair', 'repair']);
    const withPrune = actionsToApply(plan, { prune: true });
    assert.deepEqual(
      withPrune.filter((e) => e.action === 'prune').map((e) => e.connectorId),
      ['c7'],
    );
    assert.ok(!withPrune.some((e) => e.action === 'foreign' || e.action === 'other'));
  });

  it('says "no changes" for a workspace that matches', () => {
    const converged = planWorkspace({
      inventory: 'team-a',
      workspaceId: WS,
      entries: [{ phoneNumberId: n(2) }],
      connectors: [ours(2, 'team-a', ACTIVE), ours(8, 'team-b', ACTIVE)],
    });
    assert.deepEqual(actionsToApply(converged, { prune: true }), []);
    assert.match(formatPlan(converged), /no changes$/);
    assert.doesNotMatch(formatPlan(plan), /no changes/);
    assert.match(formatPlan(plan), /^create  0{8}-0000-4000-8000-000000000001 \(line 2\): no connector/m);
  });

  it("lists for people another team's connector for a number of the file, and only counts others' elsewhere", () => {
    const text = formatPlan(plan);
    assert.match(text, new RegExp(`^other   ${n(10)} \\(line 8\\) connector c10: made by inventory "team-b"`, 'm'));
    assert.doesNotMatch(text, new RegExp(`${n(8)}|${n(9)}`));
    assert.match(text, /^other   2 connector\(s\) of other inventories or single provisionings: never touched/m);
  });

  it("keeps an inventory's connectors by their names or adoption records alone, however old their runs", () => {
    const adopted = (i: number, by: string): WorkspaceConnector => ({ ...ours(i, undefined, ACTIVE), adoptedBy: by });
    const later = planWorkspace({
      inventory: 'team-a',
      workspaceId: WS,
      entries: [2, 5, 12].map((i) => ({ phoneNumberId: n(i) })),
      connectors: [ours(2, 'team-a', ACTIVE), adopted(5, 'team-a'), adopted(12, 'team-b'), adopted(13, 'team-a')],
    });
    const byNumber = new Map(later.entries.map((e) => [e.phoneNumberId, e]));
    assert.equal(byNumber.get(n(2))?.action, 'keep');
    assert.deepEqual(byNumber.get(n(5)), {
      phoneNumberId: n(5),
      connectorId: 'c5',
      madeBy: 'team-a',
      action: 'keep',
      reason: 'ours and ok/active',
    });
    assert.equal(byNumber.get(n(12))?.action, 'other');
    assert.match(byNumber.get(n(12))!.reason, /^adopted by inventory "team-b": never touched/);
    assert.equal(byNumber.get(n(13))?.action, 'prune');
    assert.equal(byNumber.get(n(13))?.reason, 'adopted by inventory "team-a", no longer in it');
    // A name that records an inventory wins over an adoption record.
    const named = planWorkspace({
      inventory: 'team-a',
      workspaceId: WS,
      entries: [{ phoneNumberId: n(2) }],
      connectors: [{ ...ours(2, 'team-b', ACTIVE), adoptedBy: 'team-a' }],
    });
    assert.equal(named.entries[0]?.action, 'other');
  });

  it('reads the inventory back from a connector name, and checks inventory names', () => {
    const name = taggedConnectorName(nameWithInventory('Sales', 'team-a'), tag(1));
    assert.deepEqual(parseInventoryName(name), { inventory: 'team-a', name: 'Sales' });
    assert.deepEqual(parseInventoryName('Sales [prov-0000000000000001]'), { name: 'Sales' });
    assert.equal(inventoryNameProblem('team-a'), undefined);
    assert.match(inventoryNameProblem('team a') ?? '', /letters, digits/);
    assert.match(inventoryNameProblem('') ?? '', /letters, digits/);
  });
});
