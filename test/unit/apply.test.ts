import assert from 'node:assert/strict';
import {
  offboardedRow,
  expectedOfSavedPlan,
  formatApply,
  planDifferences,
  unchangedRow,
  withCreateOutcomes,
} from '../../src/domain/apply';
import { decideRow } from '../../src/domain/bulk-decision';
import { planWorkspace } from '../../src/domain/plan';

const plan = (connectors: Array<{ connectorId: string; name: string; numberId: string; status?: string }>) =>
  planWorkspace({
    inventory: 'team-a',
    workspaceId: 'ws',
    entries: [
      { phoneNumberId: 'n1', line: 2 },
      { phoneNumberId: 'n2', line: 3 },
    ],
    connectors,
  });

describe('apply (pure)', () => {
  it('a saved plan holds while its changing entries are the same, and lists what changed when not', () => {
    const saved = plan([{ connectorId: 'c2', name: 'A {inv:team-a} [prov-0000000000000001]', numberId: 'n2' }]);
    const expected = expectedOfSavedPlan(JSON.parse(JSON.stringify(saved)));
    assert.deepEqual(expected, [{ action: 'create', phoneNumberId: 'n1' }]);
    assert.deepEqual(planDifferences(expected, saved), []);
    const drifted = plan([
      { connectorId: 'c2', name: 'A {inv:team-a} [prov-0000000000000001]', numberId: 'n2', status: 'error' },
    ]);
    assert.deepEqual(planDifferences(expected, drifted), ['+ repair n2 connector c2']);
    assert.deepEqual(planDifferences([...expected, { action: 'prune', phoneNumberId: 'n9' }], saved), ['- prune n9']);
  });

  it('refuses a file that is not a saved plan', () => {
    assert.throws(() => expectedOfSavedPlan({ nope: 1 }), /no "entries" list/);
  });

  it('prune rows without --prune are skipped; adopt makes no write', () => {
    assert.equal(unchangedRow({ action: 'prune', phoneNumberId: 'n', reason: '' }, false).outcome, 'skipped');
    assert.equal(unchangedRow({ action: 'adopt', phoneNumberId: 'n', reason: '' }, false).outcome, 'unchanged');
  });

  it('create and repair rows take the create report outcome; a converged apply says "No changes."', () => {
    const rows = withCreateOutcomes(
      [
        { action: 'create', phoneNumberId: 'n1', outcome: 'not-started', reason: '' },
        { action: 'repair', phoneNumberId: 'n2', outcome: 'not-started', reason: '' },
        { action: 'keep', phoneNumberId: 'n3', outcome: 'unchanged', reason: '' },
      ],
      [
        { phoneNumberId: 'N1', outcome: 'active', connectorId: 'c1', reason: '' },
        { phoneNumberId: 'n2', outcome: 'failed', connectorId: '', reason: 'boom' },
      ],
    );
    assert.deepEqual(
      rows.map((r) => r.outcome),
      ['created', 'failed', 'unchanged'],
    );
    const counts = plan([]).counts;
    assert.match(formatApply({ inventory: 'i', workspaceId: 'w', counts, changed: false, rows }), /No changes\./);
  });

  it("an apply's create child provisions again a number whose completed run's connector is gone", () => {
    const known = {
      provisioning: { status: 'COMPLETED' as const, closedAt: '2026-01-01T00:00:00Z', connectorId: 'c' },
    };
    assert.equal(decideRow(known, '2026-02-01T00:00:00Z').action, 'done');
    assert.equal(decideRow(known, '2026-02-01T00:00:00Z', true).action, 'start');
    // Still there (by Bird's index) or closed after the index: already active, with or without it.
    const existing = { connectorId: 'c', name: 'x' };
    assert.equal(decideRow({ ...known, existing }, '2026-02-01T00:00:00Z', true).action, 'done');
  });

  it("a repair or prune row from its offboarding's outcome: pruned, to be created again, or failed with the reason", () => {
    const row = (action: 'repair' | 'prune') => ({
      action,
      phoneNumberId: 'n',
      outcome: 'not-started' as const,
      reason: '',
    });
    assert.equal(offboardedRow(row('prune'), { outcome: 'offboarded' }, true).outcome, 'pruned');
    const repaired = offboardedRow(row('repair'), { outcome: 'already-absent' }, false);
    assert.deepEqual(
      [repaired.outcome, repaired.reason],
      ['not-started', 'offboarded (already-absent); to be created again'],
    );
    const foreign = offboardedRow(row('repair'), { outcome: 'foreign-left-untouched' }, false);
    assert.deepEqual(
      [foreign.outcome, foreign.reason],
      ['failed', 'a connector without our tag holds the number: left untouched'],
    );
    const failed = offboardedRow(row('prune'), { outcome: 'failed', reason: 'Bird said 500' }, true);
    assert.deepEqual([failed.outcome, failed.reason], ['failed', 'offboarding failed: Bird said 500']);
    assert.equal(offboardedRow(row('prune'), undefined, true).reason, 'offboarding not recorded');
  });
});
