/**
 * The billable-action count (src/domain/billable-actions.ts) on recorded histories: exact on one recorded before
 * the merged upserts, and a bound on those recorded since, per provisioned number of a bulk run (the child's own
 * actions plus the two its bulk run spends on it: the child-start intent and its report signal).
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { billableActions } from '../src/domain/billable-actions';

const load = (name: string) =>
  historyFromJSON(JSON.parse(readFileSync(resolve(__dirname, 'histories', `${name}.json`), 'utf8')));

/** What a bulk run spends on each child beside the child's own history: the start intent and the report signal. */
const BULK_SIDE_PER_CHILD = 2;

describe('billable actions of a history', () => {
  it('counts by Temporal Cloud’s rules: upserts, activity attempts, one per workflow task with markers', () => {
    // Before the change: 7 upserts, 3 activities (the poll retried once), one local-activity marker.
    assert.deepEqual(billableActions(load('poll-ready-with-subscription')), {
      total: 13,
      byKind: { workflowStarted: 1, searchAttributeUpsert: 7, activityScheduled: 3, activityRetry: 1, markers: 1 },
    });
    // A bulk run: every child-start intent and every report signal it received.
    const bulk = billableActions(load('bulk-learns-poll-schedule'));
    assert.equal(bulk.byKind.childStartIntent, 10);
    assert.equal(bulk.byKind.signalReceived, 10);
  });

  it('a provisioning of a bulk run costs at most 9 actions of its own, 11 per number with its bulk run’s share (was 15)', () => {
    const child = billableActions(load('child-of-bulk-learned-schedule'));
    // The patch's TemporalChangeVersion upsert is exempt; the tag goes with the first stage, the ids with the second.
    assert.equal(child.byKind.searchAttributeUpsert, 3, JSON.stringify(child));
    assert.equal(child.byKind.markers, 1, 'the patch marker shares the local activity’s workflow task');
    assert.ok(child.total <= 9, JSON.stringify(child));
    assert.ok(child.total + BULK_SIDE_PER_CHILD <= 11, JSON.stringify(child));
  });

  it('a run whose starter set its tag at start upserts nothing before the create: 8 actions with a subscription', () => {
    const run = billableActions(load('poll-ready-tag-set-at-start'));
    // The ids with the awaiting-readiness stage, and the outcome with the final stage: nothing before the create.
    assert.equal(run.byKind.searchAttributeUpsert, 2, JSON.stringify(run));
    assert.equal(run.byKind.markers, 1, 'both patch markers share the local activity’s workflow task');
    assert.ok(run.total <= 8, JSON.stringify(run));
    // Started by a bulk run: its own actions and the two the bulk run spends on it (start intent, report signal).
    assert.ok(run.total + BULK_SIDE_PER_CHILD <= 10, JSON.stringify(run));
  });

  it('a run that checks its secrets in the create records no marker: 7 actions with a subscription, 9 per number', () => {
    const run = billableActions(load('poll-ready-secrets-checked-in-create'));
    assert.equal(run.byKind.markers ?? 0, 0, 'no local activity and no patch marker');
    assert.equal(run.byKind.searchAttributeUpsert, 2, JSON.stringify(run));
    assert.ok(run.total <= 7, JSON.stringify(run));
    assert.ok(run.total + BULK_SIDE_PER_CHILD <= 9, JSON.stringify(run));
    // A bulk run's child (no subscription): the starter sets the tag and the secret check for it, too.
    const child = billableActions(load('child-of-bulk-secrets-checked-in-create'));
    assert.equal(child.byKind.markers ?? 0, 0, JSON.stringify(child));
    assert.ok(child.total + BULK_SIDE_PER_CHILD <= 8, JSON.stringify(child));
  });

  it('a webhook report before the first poll costs the report, not a status read', () => {
    const run = billableActions(load('both-webhook-before-first-poll'));
    assert.equal(run.byKind.updateAccepted, 1);
    assert.equal(run.byKind.activityRetry ?? 0, 0, 'the poll never retried: the report came before its first read');
    assert.ok(run.total <= 9, JSON.stringify(run));
  });
});
