/**
 * The subscription client refuses a bad webhook subscription input before it reaches Temporal, with an error that
 * names a subscription input (not a provisioning one), each bad field in it.
 */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { ensureWorkspaceSubscription, InvalidSubscriptionInput } from '../../src/client/subscriptions-client';
import { InvalidProvisioningInput } from '../../src/domain/provisioning-input';

describe('ensureWorkspaceSubscription input', () => {
  it('refuses a bad input as InvalidSubscriptionInput naming each field, before any call to Temporal', async () => {
    const untouchable = new Proxy({}, { get: () => assert.fail('the client was used') }) as Client;
    const bad = { organizationId: 'not-a-uuid', workspaceId: 'also-not', event: 'channel.deleted', url: 'ftp://x' };
    await assert.rejects(ensureWorkspaceSubscription(untouchable, bad as never, { taskQueue: 'q' }), (err: unknown) => {
      assert.ok(err instanceof InvalidSubscriptionInput, `got ${String(err)}`);
      assert.ok(!(err instanceof InvalidProvisioningInput));
      assert.match(err.message, /^invalid webhook subscription input/);
      for (const field of ['organizationId', 'workspaceId', 'event', 'url'])
        assert.ok(
          err.problems.some((p) => p.field === field),
          field,
        );
      return true;
    });
  });
});
