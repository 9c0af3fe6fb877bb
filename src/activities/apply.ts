/**
 * Apply's activities, on the bulk store: the inventory of an apply's create child, saved from the apply's whole
 * inventory (already there, its connector names recording the inventory): only the numbers the plan creates or
 * repairs, with their lines; the child then runs over it as any bulk onboarding does. And the record of the
 * connectors an apply adopts (src/bulk/adoption-records.ts).
 */
import type { AdoptionRecords } from '../bulk/adoption-records';
import { OffboardStore } from '../bulk/offboard-store';
import type { BulkManifest, BulkStore } from '../bulk/store';
import type { BulkOffboardRowResult, StoredOffboardRows } from '../domain/bulk-offboarding';

export interface SaveCreateRowsInput {
  bulkKey: string;
  /** Numbers (lower-case) to create. */
  numbers: string[];
  source: string;
}

export interface RecordAdoptionsInput {
  workspaceId: string;
  inventory: string;
  /** The apply's first run id: a retry rewrites the same record. */
  runKey: string;
  connectorIds: string[];
}

export interface SaveOffboardRowsInput {
  workspaceId: string;
  /** Numbers (lower-case) to offboard, in the apply's row order. */
  numbers: string[];
  source: string;
}

/** A row's result as the apply reads it back: which row, and what became of it. */
export type OffboardRowOutcome = Pick<BulkOffboardRowResult, 'row' | 'outcome' | 'reason'>;

const NO_STORE = 'this worker has no bulk store (BULK_STORE_DIR or BULK_STORE_URL)';

export function applyActivities({ store, adoptions }: { store?: BulkStore; adoptions?: AdoptionRecords }) {
  return {
    /** The apply's repair and prune numbers, as the rows of its bulkOffboard child. */
    async saveOffboardRows(input: SaveOffboardRowsInput): Promise<StoredOffboardRows> {
      if (!store) throw new Error(NO_STORE);
      const rows = input.numbers.map((phoneNumberId, i) => ({ line: i + 1, phoneNumberId }));
      return new OffboardStore(store).saveRows(input.workspaceId, rows, input.source);
    },
    /** What the bulkOffboard child recorded for each row (only what the apply's rows need). */
    async readOffboardOutcomes(input: { bulkKey: string; runKey: string }): Promise<OffboardRowOutcome[]> {
      if (!store) throw new Error(NO_STORE);
      const results = await new OffboardStore(store).outcomes(input.bulkKey, input.runKey);
      return results.map(({ row, outcome, reason }) => ({ row, outcome, ...(reason ? { reason } : {}) }));
    },
    async recordAdoptions(input: RecordAdoptionsInput): Promise<void> {
      if (!adoptions) throw new Error(NO_STORE);
      await adoptions.record(input);
    },

    async saveCreateRows(input: SaveCreateRowsInput): Promise<BulkManifest> {
      if (!store) throw new Error(NO_STORE);
      const wanted = new Set(input.numbers);
      const manifest = await store.manifest(input.bulkKey);
      const valid = [];
      // An inventory is planned by number: rows identified by name (other templates) are not its to create.
      for await (const r of store.allRows(input.bulkKey))
        if (r.phoneNumberId !== undefined && wanted.has(r.phoneNumberId.toLowerCase()))
          valid.push({ line: r.line, phoneNumberId: r.phoneNumberId, workflowId: r.workflowId, input: r.input });
      return store.saveInventory({ workspaceId: manifest.workspaceId, valid, invalid: [] }, input.source);
    },
  };
}
