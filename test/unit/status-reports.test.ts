/**
 * The provisioning's inbox of webhook status reports (src/workflows/status-reports.ts): which reports the update
 * validator refuses, and what reaches the readiness wait. Plain class: no server, no workflow context.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_STATUS_REPORTS_PER_RUN,
  type ChannelStatusReport,
  type ProvisioningProgress,
} from '../../src/domain/provisioning';
import { StatusReportInbox } from '../../src/workflows/status-reports';

function progress(overrides: Partial<ProvisioningProgress> = {}): ProvisioningProgress {
  return {
    stage: 'awaiting-readiness',
    adopted: false,
    statusPolls: 0,
    statusReports: 0,
    subscriptionIds: [],
    connectorId: 'Conn-1',
    channelId: 'Chan-1',
    ...overrides,
  };
}

let deliveries = 0;
function report(overrides: Partial<ChannelStatusReport> = {}): ChannelStatusReport {
  return {
    event: 'channel.updated',
    channelId: 'chan-1',
    connectorId: 'conn-1',
    status: 'ok',
    stage: 'active',
    deliveryKey: `delivery-${++deliveries}`,
    ...overrides,
  };
}

describe('status report inbox', () => {
  it("wants a report for its own connector while waiting for readiness, whatever the id's case", () => {
    const inbox = new StatusReportInbox(progress());
    assert.equal(inbox.refusal(report()), undefined);
    assert.equal(inbox.refusal(report({ connectorId: 'CONN-1' })), undefined);
  });

  it('refuses malformed reports before anything else', () => {
    const inbox = new StatusReportInbox(progress());
    for (const bad of [
      null,
      undefined,
      'text',
      {},
      { channelId: 'chan-1' },
      { deliveryKey: 'k' },
      { deliveryKey: 1, channelId: 'chan-1' },
    ]) {
      assert.equal(
        inbox.refusal(bad as unknown as ChannelStatusReport),
        'malformed status report',
        JSON.stringify(bad),
      );
    }
  });

  it('refuses every report outside the readiness wait, naming the stage', () => {
    for (const stage of [
      'validating',
      'creating-connector',
      'registering-subscriptions',
      'completed',
      'compensating',
      'failed',
      'cancelled',
    ] as const) {
      assert.equal(
        new StatusReportInbox(progress({ stage })).refusal(report()),
        `not waiting for readiness (stage: ${stage})`,
      );
    }
  });

  it("refuses reports for another connector; without a connector id, matches on the run's channel", () => {
    const inbox = new StatusReportInbox(progress());
    assert.equal(inbox.refusal(report({ connectorId: 'conn-2' })), 'the report is for another connector or channel');
    assert.equal(inbox.refusal(report({ connectorId: undefined, channelId: 'CHAN-1' })), undefined);
    assert.equal(
      inbox.refusal(report({ connectorId: undefined, channelId: 'chan-2' })),
      'the report is for another connector or channel',
    );
    // A run that has not learned its channel id cannot tell a channel-only report is its own.
    assert.equal(
      new StatusReportInbox(progress({ channelId: undefined })).refusal(report({ connectorId: undefined })),
      'the report is for another connector or channel',
    );
    // Before the connector exists, no report can be the run's.
    assert.equal(
      new StatusReportInbox(progress({ connectorId: undefined })).refusal(report()),
      'the report is for another connector or channel',
    );
  });

  it('refuses a delivery it has accepted before (a replayed webhook)', () => {
    const inbox = new StatusReportInbox(progress());
    const r = report();
    inbox.accept(r);
    assert.equal(inbox.refusal({ ...r }), 'duplicate delivery');
    assert.equal(inbox.refusal(report()), undefined);
  });

  it(`accepts at most ${MAX_STATUS_REPORTS_PER_RUN} reports per run, counted in the progress`, () => {
    const p = progress();
    const inbox = new StatusReportInbox(p);
    for (let i = 0; i < MAX_STATUS_REPORTS_PER_RUN; i++) {
      const r = report();
      assert.equal(inbox.refusal(r), undefined, `report ${i + 1}`);
      inbox.accept(r);
    }
    assert.equal(p.statusReports, MAX_STATUS_REPORTS_PER_RUN);
    assert.equal(inbox.refusal(report()), `this run accepts at most ${MAX_STATUS_REPORTS_PER_RUN} status reports`);
  });

  it('once closed (a run that only polls), refuses every well-formed report with the reason given', () => {
    const inbox = new StatusReportInbox(progress());
    inbox.close('polling only');
    assert.equal(inbox.refusal(report()), 'polling only');
    assert.equal(inbox.refusal({} as ChannelStatusReport), 'malformed status report');
  });

  it('hands accepted reports to the readiness wait once each, oldest first', () => {
    const inbox = new StatusReportInbox(progress());
    assert.equal(inbox.hasPending(), false);
    const [a, b, c] = [report({ stage: 'provisioning' }), report(), report()];
    inbox.accept(a);
    inbox.accept(b);
    assert.equal(inbox.hasPending(), true);
    assert.deepEqual(inbox.take(), [a, b]);
    assert.equal(inbox.hasPending(), false);
    assert.deepEqual(inbox.take(), []);
    inbox.accept(c);
    assert.deepEqual(inbox.take(), [c]);
  });

  it('whatever the deliveries, the run accepts each key once and never more than the cap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 30 }), own: fc.boolean() }), { maxLength: 100 }),
        (sent) => {
          const p = progress();
          const inbox = new StatusReportInbox(p);
          const accepted: string[] = [];
          for (const { key, own } of sent) {
            const r = report({ deliveryKey: `k${key}`, connectorId: own ? 'conn-1' : 'other' });
            if (inbox.refusal(r) === undefined) {
              inbox.accept(r);
              accepted.push(r.deliveryKey);
            }
          }
          const distinctOwn = new Set(sent.filter((s) => s.own).map((s) => `k${s.key}`)).size;
          assert.equal(accepted.length, Math.min(distinctOwn, MAX_STATUS_REPORTS_PER_RUN));
          assert.equal(new Set(accepted).size, accepted.length);
          assert.equal(p.statusReports, accepted.length);
          assert.deepEqual(
            inbox.take().map((r) => r.deliveryKey),
            accepted,
          );
        },
      ),
    );
  });
});
