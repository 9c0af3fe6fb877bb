/**
 * How runs read in the Temporal UI and in their failure messages (src/workflows/describe.ts, bulk-describe.ts): pure
 * text from the run's progress, built here from inputs parsed as a caller's would be.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { parseProvisioningInput, type ProvisionChannelInput } from '../../src/domain/provisioning-input';
import type { BulkProgress } from '../../src/domain/bulk-onboarding';
import { describeBulk } from '../../src/workflows/bulk-describe';
import type { ProvisioningFailureDetails, ProvisioningProgress } from '../../src/domain/provisioning';
import { describeProgress, failureMessage } from '../../src/domain/describe';
import { outcomeOfCompensation as outcomeOf } from '../../src/domain/provisioning-outcome';

function input(args: Record<string, unknown>, readiness: Record<string, unknown> = {}): ProvisionChannelInput {
  return parseProvisioningInput({
    workspaceId: randomUUID(),
    organizationId: randomUUID(),
    connector: { connectorTemplateRef: 'sms-messagebird:1', name: 'Support line', arguments: args },
    readiness,
  });
}
const phoneNumberId = randomUUID();
const sms = input(
  { phoneNumberId, channelMessageType: 'transactional' },
  { mode: 'both', initialPollInterval: '2s', backoffCoefficient: 1.5, maxPollInterval: '90s', deadline: '2h' },
);
const progress = (overrides: Partial<ProvisioningProgress> = {}): ProvisioningProgress => ({
  stage: 'awaiting-readiness',
  adopted: false,
  statusPolls: 3,
  statusReports: 1,
  subscriptionIds: [],
  ...overrides,
});
const failure = (overrides: Partial<ProvisioningFailureDetails> = {}): ProvisioningFailureDetails => ({
  failedStep: 'awaiting-readiness',
  reason: 'channel status is error: number not verified',
  createOutcome: 'created',
  connectorId: 'conn-1',
  undone: ['deleted connector conn-1'],
  compensationFailures: [],
  leftBehind: [],
  ...overrides,
});
const lines = (markdown: string) => markdown.split('\n');

describe('describeProgress (a provisioning in the UI)', () => {
  it('is one markdown list item per line, naming the stage, channel, number and readiness settings', () => {
    const text = describeProgress(progress(), sms);
    assert.ok(
      lines(text).every((l) => l.startsWith('- **')),
      text,
    );
    assert.ok(lines(text).includes('- **Stage:** awaiting-readiness'));
    assert.ok(lines(text).includes('- **Channel:** Support line (sms-messagebird:1)'));
    assert.ok(lines(text).includes(`- **Phone number id:** ${phoneNumberId}`));
    assert.ok(lines(text).includes('- **Readiness:** both, polls every 2s ×1.5 up to 1m30s, deadline 2h'), text);
    assert.ok(lines(text).includes('- **Status polls:** 3 · **webhook reports:** 1'));
  });

  it('leaves out what the run does not know yet, and adds it as it learns it', () => {
    // A template whose connector has no phone number.
    const noNumber: ProvisionChannelInput = {
      ...sms,
      connector: { ...sms.connector, arguments: { channelMessageType: 'transactional' } },
    };
    const early = describeProgress(
      progress({ stage: 'creating-connector', statusPolls: 0, statusReports: 0 }),
      noNumber,
    );
    for (const absent of [
      'Phone number id',
      'Connector:',
      'Channel id',
      'Last status',
      'Subscriptions',
      'Failed at',
      'Undone',
      'Left behind',
    ]) {
      assert.ok(!early.includes(absent), `${absent} in:\n${early}`);
    }
    const later = describeProgress(
      progress({
        connectorId: 'conn-1',
        channelId: 'chan-1',
        lastStatus: { status: 'pending', stage: null, source: 'webhook', at: '2026-12-01T00:00:00Z' },
        subscriptionIds: ['s1', 's2'],
      }),
      sms,
    );
    assert.ok(lines(later).includes('- **Connector:** conn-1'));
    assert.ok(lines(later).includes('- **Channel id:** chan-1'));
    assert.ok(lines(later).includes('- **Last status:** pending/? (by webhook)'));
    assert.ok(lines(later).includes('- **Subscriptions:** s1, s2'));
  });

  it('after a failure: where it failed, what was undone and what was left behind', () => {
    const text = describeProgress(
      progress({
        stage: 'failed',
        compensation: failure({ leftBehind: ['webhook subscription s1', 'connector conn-1'] }),
      }),
      sms,
    );
    assert.ok(
      lines(text).includes('- **Failed at:** awaiting-readiness: channel status is error: number not verified'),
    );
    assert.ok(lines(text).includes('- **Undone:** deleted connector conn-1'));
    assert.ok(lines(text).includes('- **Left behind:** webhook subscription s1; connector conn-1'));
  });
});

describe('failureMessage and outcomeOf (how a failed provisioning reads)', () => {
  it('says what failed, why, and what was undone', () => {
    assert.equal(
      failureMessage(failure()),
      'awaiting-readiness failed: channel status is error: number not verified. Undone: deleted connector conn-1.',
    );
  });

  it('explains an empty undo list by what became of the create', () => {
    assert.match(
      failureMessage(failure({ undone: [], createOutcome: 'refused' })),
      /Undone: nothing to undo: Bird refused the create, no connector was made\.$/,
    );
    assert.match(
      failureMessage(failure({ undone: [], createOutcome: 'not-sent' })),
      /Undone: nothing to undo: no connector was requested\.$/,
    );
    assert.match(failureMessage(failure({ undone: [], createOutcome: 'unknown' })), /Undone: nothing to undo\.$/);
  });

  it('shouts a failed compensation and lists what is left', () => {
    const d = failure({
      undone: [],
      compensationFailures: ['delete connector: Bird answered 403'],
      leftBehind: ['connector conn-1 (its deletion failed)'],
    });
    const message = failureMessage(d);
    assert.ok(message.includes(' COMPENSATION FAILED: delete connector: Bird answered 403.'), message);
    assert.ok(message.endsWith(' Left: connector conn-1 (its deletion failed).'), message);
    assert.equal(outcomeOf(d, false), 'compensation-failed');
    assert.equal(outcomeOf(d, true), 'compensation-failed', 'a failed compensation outranks the cancellation');
  });

  it('a compensation that succeeded: cancelled or compensated', () => {
    assert.equal(outcomeOf(failure(), true), 'cancelled');
    assert.equal(outcomeOf(failure(), false), 'compensated');
  });
});

describe('describeBulk (a bulk run in the UI)', () => {
  const bulk = (overrides: Partial<BulkProgress> = {}): BulkProgress => ({
    stage: 'onboarding',
    bulkKey: 'bulk-1',
    runKey: 'run-1',
    workspaceId: 'ws-1',
    source: 'numbers.csv',
    total: 100,
    invalid: 0,
    pending: 60,
    running: 10,
    counts: { active: 20, alreadyActive: 5, failed: 3, compensated: 2, cancelled: 1, notStarted: 1 },
    startedAt: '2026-12-01T00:00:00Z',
    continuedAsNew: 0,
    ...overrides,
  });

  it('counts rows done from every final outcome, and says how many run and wait', () => {
    const text = describeBulk(bulk());
    const c = bulk().counts;
    const done = c.active + c.alreadyActive + c.failed + c.cancelled + c.notStarted;
    assert.ok(lines(text).includes(`- **Progress:** ${done} of 100 done · 10 running · 60 pending`), text);
    assert.ok(
      lines(text).includes(
        '- **Active:** 20 · **already active:** 5 · **failed:** 3 (compensated: 2) · **cancelled:** 1 · **not started:** 1',
      ),
      text,
    );
    assert.ok(lines(text).includes('- **Inventory:** 100 numbers from numbers.csv in workspace ws-1'), text);
  });

  it('mentions invalid rows, not-started rows, the finish and continue-as-new only when there are any', () => {
    const quiet = describeBulk(
      bulk({ counts: { active: 1, alreadyActive: 0, failed: 0, compensated: 0, cancelled: 0, notStarted: 0 } }),
    );
    for (const absent of ['invalid', 'not started', 'finished', 'continued as new'])
      assert.ok(!quiet.includes(absent), `${absent} in:\n${quiet}`);
    const busy = describeBulk(bulk({ invalid: 4, finishedAt: '2026-12-01T01:00:00Z', continuedAsNew: 3 }));
    assert.ok(busy.includes('numbers.csv (+4 invalid, not started)'), busy);
    assert.ok(
      lines(busy).includes(
        '- **Started:** 2026-12-01T00:00:00Z · **finished:** 2026-12-01T01:00:00Z · continued as new 3×',
      ),
      busy,
    );
  });
});
