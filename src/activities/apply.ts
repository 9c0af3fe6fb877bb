/**
 * Apply's activities, on the bulk store: the inventory of an apply's create child, saved from the apply's whole
 * inventory (already there, its connector names recording the inventory): only the numbers the plan creates or
 * repairs, with their lines; the child then runs over it as any bulk onboarding does. And the record of the
 * connectors an apply adopts (src/bulk/adoption-records.ts).
 */
import type { AdoptionRecords } from '../bulk/adoption-records';
import type { BulkManifest, BulkStore } from '../bulk/store';

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

const NO_STORE = 'this worker has no bulk store (BULK_STORE_DIR or BULK_STORE_URL)';

export function applyActivities({ store, adoptions }: { store?: BulkStore; adoptions?: AdoptionRecords }) {
  return {
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
