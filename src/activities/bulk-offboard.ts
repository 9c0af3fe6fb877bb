/**
 * Bulk offboarding's activities: read the stored rows a page at a time and record the rows' results in batches
 * (src/bulk/offboard-store.ts). A missing or altered object fails the run; an unreachable store is retried.
 */
import { OffboardStore } from '../bulk/offboard-store';
import type { BulkStore } from '../bulk/store';
import type { BulkOffboardRow, BulkOffboardRowResult } from '../domain/bulk-offboarding';
import { rethrowStoreError } from './bulk';

export interface ReadOffboardRowsInput {
  bulkKey: string;
  offset: number;
  limit: number;
}

export interface RecordOffboardOutcomesInput {
  bulkKey: string;
  runKey: string;
  seq: number;
  results: BulkOffboardRowResult[];
}

export function bulkOffboardActivities({ store }: { store?: BulkStore }) {
  const rowsOf = (): OffboardStore => {
    if (!store) throw new Error('this worker has no bulk store (BULK_STORE_DIR or BULK_STORE_URL)');
    return new OffboardStore(store);
  };
  return {
    readOffboardRows: ({ bulkKey, offset, limit }: ReadOffboardRowsInput): Promise<BulkOffboardRow[]> =>
      rowsOf().readRows(bulkKey, offset, limit).catch(rethrowStoreError),
    recordOffboardOutcomes: ({ bulkKey, runKey, seq, results }: RecordOffboardOutcomesInput): Promise<void> =>
      rowsOf().saveOutcomes(bulkKey, runKey, seq, results),
  };
}
