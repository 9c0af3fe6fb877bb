/**
 * The pure decisions the workflows carry out: what a channel's status means for readiness (src/domain/readiness.ts)
 * and what a bulk run does with a number (src/domain/bulk-decision.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ComponentStage, ComponentStatus } from '../../src/bird/schemas';
import {
  decideKnownConnector,
  decideRow,
  type KnownConnector,
  type ProvisioningSnapshot,
} from '../../src/domain/bulk-decision';
import { classifyChannelState } from '../../src/domain/readiness';

const statuses = [...ComponentStatus.options, null, undefined];
const stages = [...ComponentStage.options, null, undefined];

describe('readiness: what a channel status means', () => {
  it('ok/active is ready, and nothing else is', () => {
    for (const status of statuses) {
      for (const stage of stages) {
        const verdict = classifyChannelState({ status, stage });
        assert.equal(
          verdict.kind === 'ready',
          status === 'ok' && stage === 'active',
          `${status}/${stage}: ${verdict.kind}`,
        );
      }
    }
  });

  it("an error status fails at once, with Bird's message when it gave one", () => {
    assert.deepEqual(classifyChannelState({ status: 'error', stage: 'active', errorMessage: 'number not verified' }), {
      kind: 'failed',
      reason: 'channel status is error: number not verified',
    });
    assert.deepEqual(classifyChannelState({ status: 'error', stage: null, errorMessage: null }), {
      kind: 'failed',
      reason: 'channel status is error',
    });
  });

  it('a channel being taken down fails, whatever its status says', () => {
    for (const stage of ['deprovisioning', 'deprovisioned'] as const) {
      for (const status of ['ok', 'pending', 'unknown', null] as const) {
        assert.deepEqual(classifyChannelState({ status, stage }), { kind: 'failed', reason: `channel is ${stage}` });
      }
    }
  });

  it('anything else is still pending: keep waiting', () => {
    for (const [status, stage] of [
      ['pending', 'provisioning'],
      ['ok', 'inactive'],
      ['unknown', 'active'],
      [null, null],
      [undefined, undefined],
    ] as const) {
      assert.deepEqual(classifyChannelState({ status, stage }), { kind: 'pending' });
    }
  });
});

describe('bulk decision: what a bulk run does with a number', () => {
  const INDEXED = '2026-12-01T12:00:00.000Z';
  const BEFORE = '2026-12-01T11:00:00.000Z';
  const AFTER = '2026-12-01T13:00:00.000Z';
  const bird: KnownConnector = { connectorId: 'bird-1', channelId: 'bird-chan', name: 'SMS +1' };
  const closedStatuses = ['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW', 'UNKNOWN'] as const;

  it('starts a number neither Temporal nor Bird knows, or whose earlier run ended without a channel', () => {
    assert.deepEqual(decideRow({}, INDEXED), { action: 'start' });
    for (const status of closedStatuses)
      assert.deepEqual(decideRow({ provisioning: { status } }, INDEXED), { action: 'start' }, status);
  });

  it('attaches to a provisioning already running, even when Bird has its connector', () => {
    assert.deepEqual(decideRow({ provisioning: { status: 'RUNNING' } }, INDEXED), { action: 'attach' });
    assert.deepEqual(decideRow({ provisioning: { status: 'RUNNING' }, existing: bird }, INDEXED), { action: 'attach' });
  });

  it('a completed run is already active when Bird still has the connector, or when it closed after the index was taken', () => {
    const completed: ProvisioningSnapshot = {
      status: 'COMPLETED',
      closedAt: BEFORE,
      connectorId: 'run-conn',
      channelId: 'run-chan',
    };
    assert.deepEqual(decideRow({ provisioning: completed, existing: bird }, INDEXED), {
      action: 'done',
      outcome: 'already-active',
      connectorId: 'run-conn',
      channelId: 'run-chan',
      reason: 'provisioned earlier (its provisioning run completed)',
    });
    // Closed after the index: the index cannot have seen its connector, so its absence there proves nothing.
    assert.equal(
      (decideRow({ provisioning: { ...completed, closedAt: AFTER } }, INDEXED) as { outcome: string }).outcome,
      'already-active',
    );
    assert.equal(
      (decideRow({ provisioning: { ...completed, closedAt: undefined } }, INDEXED) as { outcome: string }).outcome,
      'already-active',
    );
    assert.equal((decideRow({ provisioning: completed }, undefined) as { outcome: string }).outcome, 'already-active');
    // The run's ids are missing: Bird's stand in.
    const fromBird = decideRow({ provisioning: { status: 'COMPLETED', closedAt: BEFORE }, existing: bird }, INDEXED);
    assert.deepEqual(
      [(fromBird as { connectorId?: string }).connectorId, (fromBird as { channelId?: string }).channelId],
      ['bird-1', 'bird-chan'],
    );
  });

  it('a completed run whose connector Bird no longer has (per an index taken after it closed) fails, saying how to redo it', () => {
    const decision = decideRow(
      { provisioning: { status: 'COMPLETED', closedAt: BEFORE, connectorId: 'gone-1' } },
      INDEXED,
    );
    assert.equal(decision.action, 'done');
    assert.equal((decision as { outcome: string }).outcome, 'failed');
    assert.match(
      (decision as { reason: string }).reason,
      /connector gone-1\), but Bird no longer has a connector for this number; delete that completed run/,
    );
  });

  it('a connector in Bird that no run of ours explains is checked in Bird before anything is decided', () => {
    assert.deepEqual(decideRow({ existing: bird }, INDEXED), { action: 'check-bird', connector: bird });
    assert.deepEqual(decideRow({ provisioning: { status: 'FAILED' }, existing: bird }, INDEXED), {
      action: 'check-bird',
      connector: bird,
    });
  });

  it('never starts a number that a running or completed run, or a connector in Bird, accounts for', () => {
    const status = fc.constantFrom<ProvisioningSnapshot['status']>('RUNNING', 'COMPLETED', ...closedStatuses);
    const iso = fc
      .integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-01-01') })
      .map((t) => new Date(t).toISOString());
    fc.assert(
      fc.property(
        fc.option(fc.record({ status, closedAt: fc.option(iso, { nil: undefined }) }), { nil: undefined }),
        fc.boolean(),
        fc.option(iso, { nil: undefined }),
        (provisioning, inBird, indexedAt) => {
          const decision = decideRow({ provisioning, existing: inBird ? bird : undefined }, indexedAt);
          const accounted = inBird || provisioning?.status === 'RUNNING' || provisioning?.status === 'COMPLETED';
          assert.equal(decision.action === 'start', !accounted);
        },
      ),
    );
  });

  it("Bird's own connector: already active only if its channel is ok/active, otherwise left untouched and reported", () => {
    assert.deepEqual(decideKnownConnector(bird, { status: 'ok', stage: 'active', channelId: 'fresh-chan' }), {
      action: 'done',
      outcome: 'already-active',
      connectorId: 'bird-1',
      channelId: 'fresh-chan',
      reason: 'Bird already has an active connector for this number',
    });
    assert.equal(
      (decideKnownConnector(bird, { status: 'ok', stage: 'active' }) as { channelId?: string }).channelId,
      'bird-chan',
    );
    for (const [status, stage] of [
      ['pending', 'provisioning'],
      ['ok', 'inactive'],
      ['error', 'active'],
      [null, null],
    ] as const) {
      const decision = decideKnownConnector(bird, { status, stage });
      assert.equal((decision as { outcome: string }).outcome, 'failed', `${status}/${stage}`);
      assert.ok(
        (decision as { reason: string }).reason.includes(
          `("SMS +1", ${status ?? '?'}/${stage ?? '?'}) that no provisioning of this tool explains; left untouched`,
        ),
      );
    }
  });
});
