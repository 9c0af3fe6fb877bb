/**
 * Adoption records: which inventory adopted which of our connectors, kept in the bulk store (directory or S3) because
 * nothing else lasts. A connector an inventory makes records the inventory in its name (`{inv:NAME}`), but Bird's
 * API cannot rename a connector, and Temporal forgets a provisioning run after the namespace's retention: without a
 * record of its own, an adopted connector would be planned `adopt` again by every plan, and nothing would stop a
 * second inventory from adopting it too. Terraform keeps the same fact in its state (`terraform import`).
 *
 *   <dir>/adoptions/<workspaceId>/<runKey>.json    { workspaceId, inventory, connectorIds, adoptedAt }
 *
 * One object per apply run (its first run id), written whole: a retried activity rewrites the same object. Every
 * inventory of a workspace reads all of them, so a connector one inventory adopted is `other` to the rest; should two
 * applies of different inventories adopt one connector at the same moment, the earlier record wins.
 */
import { LRUCache } from 'lru-cache';
import { BulkStoreError, type ObjectBackend } from './object-backend';
import { parseJson } from './object-names';

export interface AdoptionRecord {
  workspaceId: string;
  inventory: string;
  connectorIds: string[];
  adoptedAt: string;
}

const KEY = /^[A-Za-z0-9-]{1,100}$/;

function folderOf(workspaceId: string): string {
  if (!KEY.test(workspaceId)) throw new BulkStoreError(`not a workspace id: ${JSON.stringify(workspaceId)}`);
  return `adoptions/${workspaceId.toLowerCase()}`;
}

function checked(r: AdoptionRecord, key: string): AdoptionRecord {
  if (typeof r?.inventory === 'string' && typeof r.adoptedAt === 'string' && Array.isArray(r.connectorIds)) return r;
  throw new BulkStoreError(`bulk store object ${key} was altered: it is not an adoption record`, 'corrupt');
}

export class AdoptionRecords {
  readonly #backend: ObjectBackend;
  /** A plan reads the records once per list page that holds an unmarked connector of ours: a few seconds' reuse. */
  readonly #byWorkspace: LRUCache<string, Map<string, string>>;

  constructor(backend: ObjectBackend, opts: { cacheMs?: number } = {}) {
    this.#backend = backend;
    this.#byWorkspace = new LRUCache({ max: 16, ttl: opts.cacheMs ?? 5_000 });
  }

  /** Records that `inventory` adopted these connectors (no-op for none). */
  async record(r: { workspaceId: string; inventory: string; runKey: string; connectorIds: string[] }): Promise<void> {
    if (!r.connectorIds.length) return;
    if (!KEY.test(r.runKey)) throw new BulkStoreError(`not a run key: ${JSON.stringify(r.runKey)}`);
    const folder = folderOf(r.workspaceId);
    const body: AdoptionRecord = {
      workspaceId: r.workspaceId.toLowerCase(),
      inventory: r.inventory,
      connectorIds: [...new Set(r.connectorIds)].sort(),
      adoptedAt: new Date().toISOString(),
    };
    await this.#backend.put(`${folder}/${r.runKey}.json`, JSON.stringify(body));
    this.#byWorkspace.delete(body.workspaceId);
  }

  /** Each adopted connector of the workspace and the inventory that adopted it (the earliest record). */
  async byConnector(workspaceId: string): Promise<Map<string, string>> {
    const ws = workspaceId.toLowerCase();
    const cached = this.#byWorkspace.get(ws);
    if (cached) return cached;
    const folder = folderOf(ws);
    const records: AdoptionRecord[] = [];
    for (const key of await this.#backend.list(folder)) {
      if (!key.endsWith('.json')) continue;
      const text = await this.#backend.get(key);
      if (text !== undefined) records.push(checked(parseJson<AdoptionRecord>(text, this.#backend.describe(key)), key));
    }
    records.sort((a, b) => a.adoptedAt.localeCompare(b.adoptedAt) || a.inventory.localeCompare(b.inventory));
    const owners = new Map<string, string>();
    for (const r of records) for (const id of r.connectorIds) if (!owners.has(id)) owners.set(id, r.inventory);
    this.#byWorkspace.set(ws, owners);
    return owners;
  }
}
