/**
 * The bulk-store activities' retry policy against the failures those activities raise: what no retry can fix (an
 * inventory object missing or altered) is in the policy's non-retryable list, so Temporal stops at once whatever
 * flag the failure carries; a store that did not answer stays retryable. Plain calls, no server.
 */
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulkActivities } from '../src/activities/bulk';
import type { BirdClient } from '../src/bird/client';
import { BulkStore, BulkStoreError } from '../src/bulk/store';
import { DirectoryBackend } from '../src/bulk/object-backend';
import { sampleInventory } from './helpers/inventory';
import { bulkStoreOptions } from '../src/workflows/activity-options';

const inventory = sampleInventory;

/** The activities on a store; no row is read past the store, so neither Bird nor Temporal is ever called. */
function activitiesOn(store: BulkStore) {
  return bulkActivities({ bird: {} as BirdClient, store, temporal: () => assert.fail('no Temporal lookup expected') });
}

async function failureOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  return assert.fail('the activity succeeded');
}

function retriedByPolicy(err: unknown): boolean {
  const type = err instanceof ApplicationFailure ? err.type : (err as Error).name;
  return !bulkStoreOptions.retry?.nonRetryableErrorTypes?.includes(type ?? '');
}

describe('bulk-store activity retries', () => {
  const page = { runKey: 'run1', offset: 0, limit: 10, maxBytes: 1_000_000 };

  it('does not retry reading an inventory that is not in the store', async () => {
    const store = new BulkStore(await mkdtemp(join(tmpdir(), 'bulk-retry-')));
    const bulkKey = `${randomUUID()}-0000000000000000`;
    const err = await failureOf(activitiesOn(store).readInventoryPage({ ...page, bulkKey }));
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.match(err.message, /is not in the bulk store/);
    assert.equal(retriedByPolicy(err), false, `${err.type} is not in bulkStoreOptions' nonRetryableErrorTypes`);
  });

  it('does not retry reading an inventory chunk that was altered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulk-retry-'));
    const manifest = await new BulkStore(dir).saveInventory(inventory(3), 'numbers.csv');
    const chunk = join(dir, manifest.bulkKey, 'rows', '000000.jsonl');
    await writeFile(chunk, (await readFile(chunk, 'utf8')).replace(/"line":(\d+)/, '"line":9$1'));
    const reader = activitiesOn(new BulkStore(dir));
    const err = await failureOf(reader.readInventoryPage({ ...page, bulkKey: manifest.bulkKey }));
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.match(err.message, /was altered/);
    assert.equal(retriedByPolicy(err), false, `${err.type} is not in bulkStoreOptions' nonRetryableErrorTypes`);
  });

  it('retries a store that did not answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulk-retry-'));
    const manifest = await new BulkStore(dir).saveInventory(inventory(3), 'numbers.csv');
    const down = new (class extends DirectoryBackend {
      override get(): Promise<string | undefined> {
        return Promise.reject(new BulkStoreError('the object store failed (HTTP 503)', 'unreachable'));
      }
    })(dir);
    const reader = activitiesOn(new BulkStore(down));
    const err = await failureOf(reader.readInventoryPage({ ...page, bulkKey: manifest.bulkKey }));
    assert.ok(err instanceof BulkStoreError && err.kind === 'unreachable', String(err));
    assert.equal(retriedByPolicy(err), true);
  });
});
