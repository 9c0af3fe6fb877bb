/** The orphan audit's verdict on a tagged connector no run records: an inventory's is apply's to decide, never deleted. */
import assert from 'node:assert/strict';
import { taggedConnectorName } from '../../src/domain/idempotency';
import { nameWithInventory } from '../../src/domain/plan';
import { judgeConnector, type TaggedConnector } from '../../src/domain/reconcile';

const WS = '8f0a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const TAG = 'prov-00000000000000aa';
const HOUR = 3_600_000;
const ctx = {
  workspaceId: WS,
  nowMs: Date.parse('2026-12-05T12:00:00Z'),
  graceMs: 10 * 60_000,
  retentionMs: 72 * HOUR,
};

function tagged(baseName: string): TaggedConnector {
  return {
    connectorId: 'c1',
    name: taggedConnectorName(baseName, TAG),
    tag: TAG,
    baseName,
    templateRef: 'sms-messagebird:1',
    numberId: '00000000-0000-4000-8000-000000000001',
    createdAt: new Date(ctx.nowMs - HOUR).toISOString(),
  };
}

describe('orphan audit verdicts', () => {
  it('a connector no run records is an orphan, unless its name records an inventory (apply keeps or prunes it)', () => {
    assert.deepEqual(judgeConnector(tagged('Support'), undefined, ctx), {
      kind: 'orphan',
      reason: 'no-run',
      detail: 'no provisioning run records it (neither its id nor its tag)',
    });
    const verdict = judgeConnector(tagged(nameWithInventory('Support', 'team-a')), undefined, ctx);
    assert.equal(verdict.kind, 'unverifiable');
    assert.match((verdict as { detail: string }).detail, /records inventory "team-a".*never this audit/);
  });

  it('a connector an inventory adopted is never an orphan, whatever became of its run', () => {
    const adopted = { ...tagged('Support'), adoptedBy: 'team-a' };
    const noRun = judgeConnector(adopted, undefined, ctx);
    assert.equal(noRun.kind, 'unverifiable');
    assert.match(
      (noRun as { detail: string }).detail,
      /^no provisioning run records it.*inventory "team-a" adopted it/,
    );
    const failedRun = { workflowId: 'w', runId: 'r', status: 'FAILED', matchedBy: 'connector' as const };
    assert.equal(judgeConnector(adopted, failedRun, ctx).kind, 'unverifiable');
    assert.equal(judgeConnector(tagged('Support'), failedRun, ctx).kind, 'orphan');
  });
});
