/**
 * The bulk store: where a bulk run's inventory, its index of what Bird already has, and its outcomes live, outside
 * Temporal. A bulk run of 10,000 numbers is never one payload (Temporal refuses payloads over 2 MB and a history
 * carries every input it was given): the CLI writes the validated inventory here, the workflow is handed only its
 * key, and an activity reads it a page at a time (the claim-check pattern). Outcomes come back the same way, in
 * batches, and the report is built from them.
 *
 * A directory shared by the CLI and the workers (BULK_STORE_DIR; a named volume in docker-compose.yml). Every file
 * is written once, atomically (write then rename), under a name that says what it holds, so a retried activity
 * rewrites the same file with the same content instead of appending twice.
 *
 *   <dir>/<bulkKey>/manifest.json                        what the inventory is (rows, workspace, templates, digest)
 *   <dir>/<bulkKey>/rows/<chunk>.jsonl                   the valid rows, CHUNK_ROWS per file, as resolved inputs
 *   <dir>/<bulkKey>/invalid.json                         rows refused at validation (kept for the report)
 *   <dir>/<bulkKey>/runs/<runKey>/index/<n>.json         Bird's connectors for the inventory's templates, a page each
 *   <dir>/<bulkKey>/runs/<runKey>/outcomes/<seq>.json    outcomes, one batch per file
 *
 * The bulk key is the workspace plus a digest of the content, so the same file run twice is the same inventory.
 * A run key (the bulk workflow's first run id) keeps the outcomes of two runs over one inventory apart.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { InvalidRow, ValidRow } from '../domain/bulk-input';
import type { RowOutcome, StoredRowRef } from '../domain/bulk-report';
import type { ProvisionChannelInput } from '../domain/provisioning-input';

/** Rows per stored chunk file: a page read loads one or two chunks, never the whole inventory. */
export const CHUNK_ROWS = 1_000;

export interface BulkManifest {
  bulkKey: string;
  workspaceId: string;
  /** The file it was read from, for people (never used to find anything). */
  source: string;
  rows: number;
  invalid: number;
  templateRefs: string[];
  digest: string;
  createdAt: string;
}

export interface StoredRow extends StoredRowRef {
  input: ProvisionChannelInput;
}

/** A connector Bird already has, as far as bulk onboarding cares (from the list endpoint). */
export interface ExistingConnector {
  connectorId: string;
  numberId: string;
  channelId?: string;
  templateRef?: string;
  name: string;
}

export class BulkStoreError extends Error {
  override readonly name = 'BulkStoreError';
}

export class BulkStore {
  readonly dir: string;
  readonly #chunks = new LRUCache<string, StoredRow[]>({ max: 32 });
  readonly #indexes = new LRUCache<string, Map<string, ExistingConnector>>({ max: 8 });

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Writes a validated inventory (once: the same content is the same key) and returns its manifest. */
  async saveInventory(inventory: { workspaceId: string; valid: ValidRow[]; invalid: InvalidRow[] }, source: string): Promise<BulkManifest> {
    const lines = inventory.valid.map((r, row): StoredRow => ({ row, line: r.line, phoneNumberId: r.phoneNumberId, workflowId: r.workflowId, input: r.input }));
    const hash = createHash('sha256');
    for (const r of lines) hash.update(JSON.stringify(r.input)).update('\n');
    for (const r of inventory.invalid) hash.update(JSON.stringify(r)).update('\n');
    const digest = hash.digest('hex');
    const bulkKey = `${inventory.workspaceId}-${digest.slice(0, 16)}`;
    const existing = await this.manifest(bulkKey).catch(() => undefined);
    if (existing?.digest === digest) return existing;

    const base = this.#base(bulkKey);
    await mkdir(join(base, 'rows'), { recursive: true });
    for (let start = 0; start < lines.length; start += CHUNK_ROWS) {
      const chunk = lines.slice(start, start + CHUNK_ROWS);
      await atomicWrite(join(base, 'rows', chunkName(start / CHUNK_ROWS)), chunk.map((r) => JSON.stringify(r)).join('\n') + '\n');
    }
    await atomicWrite(join(base, 'invalid.json'), JSON.stringify(inventory.invalid));
    const manifest: BulkManifest = {
      bulkKey,
      workspaceId: inventory.workspaceId,
      source,
      rows: lines.length,
      invalid: inventory.invalid.length,
      templateRefs: [...new Set(lines.map((r) => r.input.connector.connectorTemplateRef))].sort(),
      digest,
      createdAt: new Date().toISOString(),
    };
    // The manifest last: its presence says the inventory is complete.
    await atomicWrite(join(base, 'manifest.json'), JSON.stringify(manifest, null, 2));
    return manifest;
  }

  async manifest(bulkKey: string): Promise<BulkManifest> {
    try {
      return JSON.parse(await readFile(join(this.#base(bulkKey), 'manifest.json'), 'utf8')) as BulkManifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new BulkStoreError(
          `bulk inventory ${bulkKey} is not in the bulk store at ${this.dir}: the CLI that started the run and this worker must share BULK_STORE_DIR`,
        );
      }
      throw err;
    }
  }

  /** Rows [offset, offset+limit), stopping early once `maxBytes` of inputs are gathered (payloads stay small). */
  async readRows(bulkKey: string, offset: number, limit: number, maxBytes = Number.POSITIVE_INFINITY): Promise<StoredRow[]> {
    const out: StoredRow[] = [];
    let bytes = 0;
    for (let row = offset; out.length < limit; ) {
      const chunk = await this.#chunk(bulkKey, Math.floor(row / CHUNK_ROWS));
      if (!chunk) break;
      const r = chunk[row % CHUNK_ROWS];
      if (!r) break;
      bytes += JSON.stringify(r.input).length;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(r);
      row++;
    }
    return out;
  }

  /** Every stored row, in order (the report). */
  async *allRows(bulkKey: string): AsyncGenerator<StoredRow> {
    for (let n = 0; ; n++) {
      const chunk = await this.#chunk(bulkKey, n);
      if (!chunk) return;
      yield* chunk;
    }
  }

  async invalidRows(bulkKey: string): Promise<InvalidRow[]> {
    return JSON.parse(await readFile(join(this.#base(bulkKey), 'invalid.json'), 'utf8')) as InvalidRow[];
  }

  async saveIndexPage(bulkKey: string, runKey: string, page: number, connectors: ExistingConnector[]): Promise<void> {
    const dir = join(this.#run(bulkKey, runKey), 'index');
    await mkdir(dir, { recursive: true });
    await atomicWrite(join(dir, `${String(page).padStart(6, '0')}.json`), JSON.stringify(connectors));
    this.#indexes.delete(`${bulkKey}/${runKey}`);
  }

  /** Bird's connectors by (lower-case) number id, as indexed at the start of the run. */
  async index(bulkKey: string, runKey: string): Promise<Map<string, ExistingConnector>> {
    const cacheKey = `${bulkKey}/${runKey}`;
    const cached = this.#indexes.get(cacheKey);
    if (cached) return cached;
    const byNumber = new Map<string, ExistingConnector>();
    for (const connectors of await this.#readAll<ExistingConnector[]>(join(this.#run(bulkKey, runKey), 'index'))) {
      for (const c of connectors) byNumber.set(c.numberId.toLowerCase(), c);
    }
    this.#indexes.set(cacheKey, byNumber);
    return byNumber;
  }

  async saveOutcomes(bulkKey: string, runKey: string, seq: number, outcomes: RowOutcome[]): Promise<void> {
    const dir = join(this.#run(bulkKey, runKey), 'outcomes');
    await mkdir(dir, { recursive: true });
    await atomicWrite(join(dir, `${String(seq).padStart(6, '0')}.json`), JSON.stringify(outcomes));
  }

  /** Every outcome recorded for a run, in the order they were flushed. */
  async outcomes(bulkKey: string, runKey: string): Promise<RowOutcome[]> {
    return (await this.#readAll<RowOutcome[]>(join(this.#run(bulkKey, runKey), 'outcomes'))).flat();
  }

  async #chunk(bulkKey: string, n: number): Promise<StoredRow[] | undefined> {
    const key = `${bulkKey}/${n}`;
    const cached = this.#chunks.get(key);
    if (cached) return cached;
    let text: string;
    try {
      text = await readFile(join(this.#base(bulkKey), 'rows', chunkName(n)), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (n === 0) await this.manifest(bulkKey); // a missing inventory says so, naming the store
        return undefined;
      }
      throw err;
    }
    const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as StoredRow);
    this.#chunks.set(key, rows);
    return rows;
  }

  async #readAll<T>(dir: string): Promise<T[]> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as T));
  }

  #base(bulkKey: string): string {
    if (!/^[A-Za-z0-9-]{1,100}$/.test(bulkKey)) throw new BulkStoreError(`not a bulk key: ${JSON.stringify(bulkKey)}`);
    return join(this.dir, bulkKey);
  }

  #run(bulkKey: string, runKey: string): string {
    if (!/^[A-Za-z0-9-]{1,100}$/.test(runKey)) throw new BulkStoreError(`not a run key: ${JSON.stringify(runKey)}`);
    return join(this.#base(bulkKey), 'runs', runKey);
  }
}

function chunkName(n: number): string {
  return `${String(n).padStart(6, '0')}.jsonl`;
}

async function atomicWrite(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/** BULK_STORE_DIR, or .data/bulk under the working directory (where `npm run worker` and the CLI both run). */
export function bulkStoreFromEnv(env: NodeJS.ProcessEnv = process.env): BulkStore {
  return new BulkStore(env.BULK_STORE_DIR || resolve('.data', 'bulk'));
}
