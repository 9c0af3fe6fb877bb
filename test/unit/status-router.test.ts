/**
 * The receiver's routing decision against a visibility store that lags: a run that becomes visible between two
 * lookups is reported to, never taken for a finished one (which would settle the delivery and drop the report).
 * A fake client stands in for Temporal's list and update calls.
 */
import type { Client } from '@temporalio/client';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ChannelEvent } from '../../src/bird/events';
import { temporalStatusRouter } from '../../src/webhook-receiver/status-router';

type Status = 'RUNNING' | 'COMPLETED';

/** list() answers the i-th lookup with visible[i] (the last entry from then on); updates are counted. */
function fakeClient(visible: Array<Array<{ workflowId: string; status: Status }>>) {
  const lookups: string[] = [];
  const updates: string[] = [];
  const client = {
    workflow: {
      list: ({ query }: { query: string }) => {
        lookups.push(query);
        const rows = visible[Math.min(lookups.length - 1, visible.length - 1)] ?? [];
        return (async function* () {
          for (const r of rows) yield { workflowId: r.workflowId, status: { name: r.status } };
        })();
      },
      getHandle: (workflowId: string) => ({
        executeUpdate: async () => {
          updates.push(workflowId);
          return 'accepted';
        },
      }),
    },
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
  } as unknown as Client;
  return { client, lookups, updates };
}

const event = (): ChannelEvent =>
  ({
    service: 'channels',
    event: 'channel.updated',
    payload: { channelId: randomUUID(), connectorId: randomUUID(), status: 'ok', stage: 'active' },
  }) as ChannelEvent;
// Sent just now (a fresh timestamp per call: mocha may load this file minutes before it runs).
const delivery = () => ({ deliveryKey: 'k', sentAtMs: Date.now() });

describe('status router', () => {
  it('a run that becomes visible between lookups gets the report (not "no-run")', async () => {
    const running = [{ workflowId: 'provision/w/n', status: 'RUNNING' as const }];
    const { client, lookups, updates } = fakeClient([[], running]);
    const outcome = await temporalStatusRouter(client, { lookupRetryDelaysMs: [1] })(event(), delivery());
    assert.deepEqual(outcome, { outcome: 'accepted', workflowId: 'provision/w/n' });
    assert.deepEqual(updates, ['provision/w/n']);
    assert.equal(lookups.length, 2);
    // With no lookup left, the run just made visible is still "not yet" (Bird sends it again), never "no-run".
    const late = fakeClient([[], running]);
    assert.deepEqual(await temporalStatusRouter(late.client, { lookupRetryDelaysMs: [] })(event(), delivery()), {
      outcome: 'not-yet',
    });
  });

  it('nothing visible yet: "not-yet" (Bird retries), within the window; a finished run: "no-run"', async () => {
    const none = fakeClient([[]]);
    assert.deepEqual(await temporalStatusRouter(none.client, { lookupRetryDelaysMs: [1, 1] })(event(), delivery()), {
      outcome: 'not-yet',
    });
    assert.equal(none.lookups.length, 3);
    const old = { deliveryKey: 'k', sentAtMs: Date.now() - 10 * 60_000 };
    assert.deepEqual(await temporalStatusRouter(none.client, { lookupRetryDelaysMs: [] })(event(), old), {
      outcome: 'no-run',
    });
    const finished = fakeClient([[{ workflowId: 'provision/w/n', status: 'COMPLETED' }]]);
    assert.deepEqual(await temporalStatusRouter(finished.client)(event(), delivery()), { outcome: 'no-run' });
    assert.deepEqual(finished.updates, []);
  });

  it('a running run is chosen over a finished attempt for the same channel', async () => {
    const { client, updates } = fakeClient([
      [
        { workflowId: 'provision/w/n-first', status: 'COMPLETED' },
        { workflowId: 'provision/w/n', status: 'RUNNING' },
      ],
    ]);
    assert.deepEqual(await temporalStatusRouter(client)(event(), delivery()), {
      outcome: 'accepted',
      workflowId: 'provision/w/n',
    });
    assert.deepEqual(updates, ['provision/w/n']);
  });
});
