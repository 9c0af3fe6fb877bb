/**
 * How a bulk run learns when its rows should poll (ScheduleLearner, src/workflows/bulk-learning.ts): scouts first,
 * the others held until enough scouts have reported, then started with the learned schedule. Plain state on the
 * window: no server, no workflow context.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { InventoryPageRow } from '../../src/activities';
import { parseProvisioningInput } from '../../src/domain/provisioning-input';
import { learnedSchedule, MIN_ACTIVATION_SAMPLES } from '../../src/domain/readiness';
import { ScheduleLearner, SCOUT_EVERY } from '../../src/workflows/bulk-learning';
import { BulkWindow, emptyWindow } from '../../src/workflows/bulk-window';

function row(i: number, readiness: Record<string, unknown> = { mode: 'poll' }): InventoryPageRow {
  const phoneNumberId = randomUUID();
  const input = parseProvisioningInput({
    workspaceId: randomUUID(),
    organizationId: randomUUID(),
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: `SMS ${i}`,
      arguments: { phoneNumberId, channelMessageType: 'transactional' },
    },
    readiness,
  });
  return { row: i, line: i + 2, phoneNumberId, workflowId: `provision/${phoneNumberId}`, input };
}
const active = (waitMs: number, source: 'poll' | 'webhook' = 'poll') => ({
  workflowId: randomUUID(),
  outcome: 'active' as const,
  readinessWaitMs: waitMs,
  readinessSource: source,
});

describe('schedule learner (bulk runs)', () => {
  it(`sends ${MIN_ACTIVATION_SAMPLES} scouts with their own schedule, then holds the other rows while scouts run`, () => {
    const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
    const learner = new ScheduleLearner(window, true);
    assert.equal(learner.startable(), MIN_ACTIVATION_SAMPLES);
    for (let i = 0; i < MIN_ACTIVATION_SAMPLES; i++) {
      const r = row(i);
      const { input, scout } = learner.prepare(r);
      assert.equal(scout, true);
      assert.deepEqual(input, r.input, 'a scout keeps its own readiness settings');
      window.track(r.workflowId, i, false, 0, scout);
    }
    assert.equal(learner.startable(), 0, 'nothing more starts while scouts run and too few have reported');
    assert.equal(window.state.learning?.scoutsRunning, MIN_ACTIVATION_SAMPLES);
  });

  it('once enough waits are reported, rows start with the schedule learned from them', () => {
    const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
    const learner = new ScheduleLearner(window, true);
    const waits = Array.from({ length: MIN_ACTIVATION_SAMPLES }, (_, i) => 30_000 + i * 10_000);
    for (let i = 0; i < MIN_ACTIVATION_SAMPLES; i++) learner.prepare(row(i));
    for (const w of waits) learner.observe(active(w));
    assert.equal(learner.startable(), Number.POSITIVE_INFINITY);
    const r = row(99);
    const { input, scout } = learner.prepare(r);
    assert.equal(scout, false);
    const expected = learnedSchedule({ waitsMs: waits, sources: waits.map(() => 'poll') }, r.input.readiness);
    assert.ok(expected);
    assert.deepEqual(input.readiness, { ...r.input.readiness, ...expected });
    assert.deepEqual({ ...input, readiness: r.input.readiness }, r.input, 'only the readiness settings change');
  });

  it('learns only from active rows that say how long they waited', () => {
    const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
    const learner = new ScheduleLearner(window, true);
    learner.observe({ workflowId: 'a', outcome: 'failed', readinessWaitMs: 1_000, readinessSource: 'poll' });
    learner.observe({ workflowId: 'b', outcome: 'active' });
    learner.observe({ workflowId: 'c', outcome: 'active', readinessWaitMs: 1_000 });
    assert.deepEqual(window.state.learning?.samples, { waitsMs: [], sources: [] });
    learner.observe(active(42_000, 'webhook'));
    assert.deepEqual(window.state.learning?.samples, { waitsMs: [42_000], sources: ['webhook'] });
  });

  it('a row polled on the learned schedule is no sample of the activation time (the schedule would ratchet up)', () => {
    const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
    const learner = new ScheduleLearner(window, true);
    for (let i = 0; i < MIN_ACTIVATION_SAMPLES; i++) learner.prepare(row(i));
    for (let i = 0; i < MIN_ACTIVATION_SAMPLES; i++) learner.observe(active(3_000 + i * 100));
    const first = learner.prepare(row(100));
    assert.equal(first.learned, true);
    // Found ready at its first read, after the learned wait and a wait in the reads queue: 4.5 s says nothing more
    // than "ready by then". Many such reports must leave the learned wait where the measured ones put it.
    for (let i = 0; i < 200; i++) learner.observe(active(first.input.readiness.firstPollAfter! + 1_500), true);
    const later = learner.prepare(row(101));
    assert.equal(later.input.readiness.firstPollAfter, first.input.readiness.firstPollAfter);
    // A webhook's report is a measurement whatever the schedule; its source always counts.
    learner.observe(active(3_500, 'webhook'), true);
    assert.equal(window.state.learning!.samples.waitsMs.length, MIN_ACTIVATION_SAMPLES + 1);
    assert.equal(window.state.learning!.samples.sources.at(-1), 'webhook');
  });

  it(`keeps measuring in poll mode: one row in ${SCOUT_EVERY} after learning is a scout with its own schedule`, () => {
    const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
    const learner = new ScheduleLearner(window, true);
    for (let i = 0; i < MIN_ACTIVATION_SAMPLES; i++) learner.prepare(row(i));
    for (let i = 0; i < MIN_ACTIVATION_SAMPLES; i++) learner.observe(active(3_000));
    const kinds = Array.from({ length: 2 * SCOUT_EVERY }, (_, i) => learner.prepare(row(10 + i)));
    assert.equal(kinds.filter((k) => k.scout).length, 2);
    assert.equal(kinds.filter((k) => k.learned).length, 2 * SCOUT_EVERY - 2);
    for (const k of kinds.filter((k) => k.scout)) assert.equal(k.input.readiness.firstPollAfter, undefined);
  });

  it('scouts that all failed leave nothing to learn from: once none runs, the rows keep their own schedule', () => {
    const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
    const learner = new ScheduleLearner(window, true);
    for (let i = 0; i < MIN_ACTIVATION_SAMPLES; i++) {
      const r = row(i);
      window.track(r.workflowId, i, false, 0, learner.prepare(r).scout);
    }
    for (const [id] of window.inFlight()) window.finish(id, { outcome: 'failed', compensated: true });
    assert.equal(learner.startable(), Number.POSITIVE_INFINITY);
    const r = row(50);
    assert.deepEqual(learner.prepare(r), { input: r.input, scout: false, learned: false });
  });

  it('rows that bring their own schedule, or read by webhook only, turn learning off for the run', () => {
    for (const readiness of [{ mode: 'webhook' }, { mode: 'poll', firstPollAfter: '90s' }]) {
      const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
      const learner = new ScheduleLearner(window, true);
      const first = row(0, readiness);
      assert.deepEqual(learner.prepare(first), { input: first.input, scout: false, learned: false });
      assert.equal(window.state.learning?.off, true);
      assert.equal(learner.startable(), Number.POSITIVE_INFINITY);
      const next = row(1);
      assert.deepEqual(learner.prepare(next), { input: next.input, scout: false, learned: false });
    }
  });

  it('runs started before learning existed start every row as it is, and carry no learning state', () => {
    const window = new BulkWindow(emptyWindow('2026-12-01T00:00:00Z'));
    const learner = new ScheduleLearner(window, false);
    assert.equal(window.state.learning, undefined);
    learner.observe(active(1_000));
    assert.equal(learner.startable(), Number.POSITIVE_INFINITY);
    const r = row(0);
    assert.deepEqual(learner.prepare(r), { input: r.input, scout: false, learned: false });
    assert.equal(window.state.learning, undefined);
  });
});
