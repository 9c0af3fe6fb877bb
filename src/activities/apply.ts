/**
 * Apply's activity: the inventory of an apply's create child, saved in the bulk store from the apply's whole
 * inventory (already there, its connector names recording the inventory): only the numbers the plan creates or
 * repairs, with their lines. The child then runs over it as any bulk onboarding does.
 */
import type { BulkManifest, BulkStore } from '../bulk/store';

export interface SaveCreateRowsInput {
  bulkKey: string;
  /** Numbers (lower-case) to create. */
  numbers: string[];
  source: string;
}

export function applyActivities({ store }: { store?: BulkStore }) {
  return {
    async saveCreateRows(input: SaveCreateRowsInput): Promise<BulkManifest> {
      if (!store) throw new Error('this worker has no bulk store (BULK_STORE_DIR or BULK_STORE_URL)');
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
