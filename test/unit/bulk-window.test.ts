/** The bulk run's sliding window as plain state (src/workflows/bulk-window.ts): no server, no workflow context. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RowOutcome } from '../../src/domain/bulk-report';
import type { BulkCounts, BulkWindowState } from '../../src/domain/bulk-onboarding';
import { BulkWindow, emptyWindow } from '../../src/workflows/bulk-window';

const STARTED = '2026-12-01T00:00:00.000Z';
const fresh = () => new BulkWindow(emptyWindow(STARTED));

describe('bulk window', () => {
  it('starts empty, with every count at zero and the given start time', () => {
    const w = fresh();
    assert.equal(w.running, 0);
    assert.deepEqual(w.inFlight(), []);
    assert.ok(Object.values(w.state.counts).every((n) => n === 0));
    assert.equal(w.state.startedAt, STARTED);
    assert.deepEqual(w.takeUnflushed(), { seq: 0, outcomes: [] });
  });

  it('a tracked provisioning is in flight until it finishes, then its outcome is recorded against its row', () => {
    const w = fresh();
    w.track('wf-7', 7, false, 1_000);
    w.track('wf-8', 8, true, 2_000);
    assert.equal(w.running, 2);
    assert.deepEqual(w.state.inFlight['wf-8'], { row: 8, since: 2_000, attached: true });

    assert.equal(w.finish('wf-7', { outcome: 'active', connectorId: 'c7' }), true);
    assert.equal(w.running, 1);
    assert.deepEqual(w.state.unflushed, [{ outcome: 'active', connectorId: 'c7', row: 7, workflowId: 'wf-7' }]);
    assert.equal(w.state.counts.active, 1);
  });

  it('an outcome for a provisioning not (or no longer) in the window is ignored: a late or repeated report counts once', () => {
    const w = fresh();
    w.track('wf-1', 1, false, 0);
    assert.equal(w.finish('wf-1', { outcome: 'failed', compensated: true }), true);
    assert.equal(w.finish('wf-1', { outcome: 'failed', compensated: true }), false);
    assert.equal(w.finish('never-tracked', { outcome: 'active' }), false);
    assert.equal(w.state.counts.failed, 1);
    assert.equal(w.state.counts.compensated, 1);
    assert.equal(w.state.unflushed.length, 1);
  });

  it('counts compensated only for failed and cancelled rows', () => {
    const w = fresh();
    w.record({ row: 0, workflowId: 'a', outcome: 'failed', compensated: true });
    w.record({ row: 1, workflowId: 'b', outcome: 'cancelled', compensated: true });
    w.record({ row: 2, workflowId: 'c', outcome: 'failed', compensated: false });
    w.record({ row: 3, workflowId: 'd', outcome: 'active', compensated: true });
    assert.deepEqual(w.state.counts, {
      active: 1,
      alreadyActive: 0,
      failed: 2,
      compensated: 2,
      cancelled: 1,
      notStarted: 0,
    });
  });

  it('hands out unflushed outcomes once, in batches numbered without gaps', () => {
    const w = fresh();
    w.record({ row: 0, workflowId: 'a', outcome: 'not-started' });
    w.record({ row: 1, workflowId: 'b', outcome: 'already-active' });
    const first = w.takeUnflushed();
    assert.equal(first.seq, 0);
    assert.deepEqual(
      first.outcomes.map((o) => o.row),
      [0, 1],
    );
    // Nothing new: no batch number is used up.
    assert.deepEqual(w.takeUnflushed(), { seq: 1, outcomes: [] });
    w.record({ row: 2, workflowId: 'c', outcome: 'active' });
    const second = w.takeUnflushed();
    assert.equal(second.seq, 1);
    assert.deepEqual(
      second.outcomes.map((o) => o.row),
      [2],
    );
    assert.equal(w.state.nextBatch, 2);
  });

  it('finds the provisionings that have waited at least a given time', () => {
    const w = fresh();
    w.track('old', 0, false, 1_000);
    w.track('edge', 1, false, 5_000);
    w.track('new', 2, false, 9_000);
    assert.deepEqual(w.waitingLongerThan(5_000, 10_000).sort(), ['edge', 'old']);
    assert.deepEqual(w.waitingLongerThan(60_000, 10_000), []);
  });

  it('keeps the count of scouts running when the run learns its schedule', () => {
    const w = fresh();
    w.state.learning = { samples: { waitsMs: [], sources: [] }, scouts: 2, scoutsRunning: 0 };
    w.track('s1', 0, false, 0, true);
    w.track('s2', 1, false, 0, true);
    w.track('plain', 2, false, 0);
    assert.equal(w.state.learning.scoutsRunning, 2);
    assert.equal(w.state.inFlight.s1!.scout, true);
    assert.equal('scout' in w.state.inFlight.plain!, false);
    w.finish('s1', { outcome: 'active' });
    w.finish('plain', { outcome: 'active' });
    assert.equal(w.state.learning.scoutsRunning, 1);
  });

  it('survives continue-as-new: a window rebuilt from its state (as JSON) goes on where it was', () => {
    const w = fresh();
    w.track('wf-3', 3, false, 100);
    w.record({ row: 0, workflowId: 'a', outcome: 'active' });
    w.takeUnflushed();
    const next = new BulkWindow(JSON.parse(JSON.stringify(w.state)) as BulkWindowState);
    assert.equal(next.finish('wf-3', { outcome: 'failed', compensated: false }), true);
    assert.deepEqual(next.takeUnflushed(), {
      seq: 1,
      outcomes: [{ outcome: 'failed', compensated: false, row: 3, workflowId: 'wf-3' }],
    });
    assert.equal(next.state.counts.active + next.state.counts.failed, 2);
  });

  it('any sequence of starts and reports: counts match the outcomes handed out, nothing is lost or counted twice', () => {
    const outcome = fc.constantFrom<RowOutcome['outcome']>(
      'active',
      'already-active',
      'failed',
      'cancelled',
      'not-started',
    );
    const op = fc.oneof(
      fc.record({ kind: fc.constant('track' as const), id: fc.integer({ min: 0, max: 15 }) }),
      fc.record({
        kind: fc.constant('finish' as const),
        id: fc.integer({ min: 0, max: 15 }),
        outcome,
        compensated: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('record' as const), outcome, compensated: fc.boolean() }),
      fc.record({ kind: fc.constant('flush' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const w = fresh();
        const handedOut: RowOutcome[] = [];
        const inFlight = new Set<string>();
        let row = 0;
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'track') {
            if (inFlight.has(`wf-${o.id}`)) continue;
            inFlight.add(`wf-${o.id}`);
            w.track(`wf-${o.id}`, row++, false, 0);
          } else if (o.kind === 'finish') {
            assert.equal(
              w.finish(`wf-${o.id}`, { outcome: o.outcome, compensated: o.compensated }),
              inFlight.delete(`wf-${o.id}`),
            );
          } else if (o.kind === 'record') {
            w.record({ row: row++, workflowId: `decided-${row}`, outcome: o.outcome, compensated: o.compensated });
          } else {
            const batch = w.takeUnflushed();
            assert.equal(batch.seq, seq);
            if (batch.outcomes.length) seq++;
            handedOut.push(...batch.outcomes);
          }
        }
        handedOut.push(...w.takeUnflushed().outcomes);
        assert.equal(w.running, inFlight.size);
        assert.deepEqual(w.state.counts, countsOf(handedOut));
        assert.equal(new Set(handedOut.map((o) => o.row)).size, handedOut.length, 'each row handed out once');
      }),
    );
  });
});

/** The counts, recomputed from the outcomes themselves. */
function countsOf(outcomes: RowOutcome[]): BulkCounts {
  const n = (o: RowOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
  return {
    active: n('active'),
    alreadyActive: n('already-active'),
    failed: n('failed'),
    compensated: outcomes.filter((x) => (x.outcome === 'failed' || x.outcome === 'cancelled') && x.compensated).length,
    cancelled: n('cancelled'),
    notStarted: n('not-started'),
  };
}
