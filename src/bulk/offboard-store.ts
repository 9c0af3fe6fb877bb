/**
 * A bulk offboarding's rows and results in the bulk store (src/bulk/store.ts: the same backend, directory or S3, and
 * the same rules: every object written once, whole, under a key that says what it holds; the manifest last, with the
 * SHA-256 of every chunk, so a missing or altered object is refused by name).
 *
 *   <dir>/<bulkKey>/manifest.json                        what the rows are (workspace, count, digest, chunk digests)
 *   <dir>/<bulkKey>/rows/<chunk>.jsonl                   the rows, CHUNK_ROWS per file
 *   <dir>/<bulkKey>/runs/<runKey>/outcomes/<seq>.json    the rows' results, one batch per file
 *
 * The bulk key is `offboard-` plus the workspace and a digest of the rows: the same file is the same key, and never
 * an onboarding inventory's.
 */
import { createHash } from 'node:crypto';
import type { BulkOffboardRow, BulkOffboardRowResult, StoredOffboardRows } from '../domain/bulk-offboarding';
import { BulkStoreError, type ObjectBackend } from './object-backend';
import { chunkName, keyOf, parseJson, runOf, sha256 } from './object-names';
import { CHUNK_ROWS, type BulkStore } from './store';

interface OffboardManifest {
  bulkKey: string;
  workspaceId: string;
  /** The file it was read from, for people. */
  source: string;
  rows: number;
  digest: string;
  chunkRows: number;
  chunkDigests: string[];
  createdAt: string;
}

/** The digest of a file's rows: what they name, in order (numbers are personal data: never in a key). */
export function offboardRowsDigest(rows: readonly BulkOffboardRow[]): string {
  return createHash('sha256')
    .update(JSON.stringify(rows.map((r) => [r.phoneNumberId, r.connector])))
    .digest('hex');
}

export class OffboardStore {
  readonly #backend: ObjectBackend;
  readonly #chunkRows: number;

  /** `chunkRows` is for tests that need several chunks from a few rows. */
  constructor(store: BulkStore, opts: { chunkRows?: number } = {}) {
    this.#backend = store.backend;
    this.#chunkRows = opts.chunkRows ?? CHUNK_ROWS;
  }

  /** Writes the rows (once: the same rows are the same key) and says where they are. */
  async saveRows(workspaceId: string, rows: readonly BulkOffboardRow[], source: string): Promise<StoredOffboardRows> {
    const digest = offboardRowsDigest(rows);
    const bulkKey = `offboard-${workspaceId}-${digest.slice(0, 16)}`;
    const existing = await this.#manifest(bulkKey).catch((err: unknown) => {
      if (err instanceof BulkStoreError && err.final) return undefined;
      throw err;
    });
    if (existing?.digest === digest) return { bulkKey, rowCount: existing.rows };
    const chunkDigests: string[] = [];
    for (let start = 0; start < rows.length; start += this.#chunkRows) {
      const text = `${rows
        .slice(start, start + this.#chunkRows)
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`;
      chunkDigests.push(sha256(text));
      await this.#backend.put(`${keyOf(bulkKey)}/rows/${chunkName(start / this.#chunkRows)}`, text);
    }
    const manifest: OffboardManifest = {
      bulkKey,
      workspaceId,
      source,
      rows: rows.length,
      digest,
      chunkRows: this.#chunkRows,
      chunkDigests,
      createdAt: new Date().toISOString(),
    };
    // The manifest last: its presence says the rows are complete.
    await this.#backend.put(`${keyOf(bulkKey)}/manifest.json`, JSON.stringify(manifest, null, 2));
    return { bulkKey, rowCount: rows.length };
  }

  /** Rows [offset, offset + limit). */
  async readRows(bulkKey: string, offset: number, limit: number): Promise<BulkOffboardRow[]> {
    const { chunkRows, rows } = await this.#manifest(bulkKey);
    const out: BulkOffboardRow[] = [];
    for (let n = Math.floor(offset / chunkRows); n * chunkRows < Math.min(offset + limit, rows); n++) {
      const chunk = await this.#chunk(bulkKey, n);
      out.push(...chunk.slice(Math.max(0, offset - n * chunkRows), offset + limit - n * chunkRows));
    }
    return out;
  }

  /** Every row, in order (the report). */
  async allRows(bulkKey: string): Promise<BulkOffboardRow[]> {
    return this.readRows(bulkKey, 0, (await this.#manifest(bulkKey)).rows);
  }

  /** A batch of results under its sequence number: a retried call rewrites the same object. */
  async saveOutcomes(bulkKey: string, runKey: string, seq: number, results: BulkOffboardRowResult[]): Promise<void> {
    await this.#backend.put(
      `${runOf(bulkKey, runKey)}/outcomes/${String(seq).padStart(6, '0')}.json`,
      JSON.stringify(results),
    );
  }

  /** Every result recorded for a run. */
  async outcomes(bulkKey: string, runKey: string): Promise<BulkOffboardRowResult[]> {
    const prefix = `${runOf(bulkKey, runKey)}/outcomes`;
    const keys = (await this.#backend.list(prefix)).filter((k) => k.endsWith('.json'));
    const batches = await Promise.all(
      keys.map(async (k) => parseJson<BulkOffboardRowResult[]>(await this.#object(k), this.#backend.describe(k))),
    );
    return batches.flat();
  }

  async #manifest(bulkKey: string): Promise<OffboardManifest> {
    const key = `${keyOf(bulkKey)}/manifest.json`;
    const text = await this.#backend.get(key);
    if (text === undefined)
      throw new BulkStoreError(
        `bulk offboarding rows ${bulkKey} are not in the bulk store at ${this.#backend.location}: the client that started the run and this worker must share BULK_STORE_DIR (or BULK_STORE_URL)`,
        'missing',
      );
    const manifest = parseJson<OffboardManifest>(text, this.#backend.describe(key));
    if (manifest.bulkKey !== bulkKey || !manifest.digest?.startsWith(bulkKey.slice(-16)))
      throw new BulkStoreError(
        `bulk store object ${this.#backend.describe(key)} was altered: it does not describe rows ${bulkKey}`,
        'corrupt',
      );
    return manifest;
  }

  async #chunk(bulkKey: string, n: number): Promise<BulkOffboardRow[]> {
    const key = `${keyOf(bulkKey)}/rows/${chunkName(n)}`;
    const text = await this.#object(key);
    if (sha256(text) !== (await this.#manifest(bulkKey)).chunkDigests[n])
      throw new BulkStoreError(
        `bulk store object ${this.#backend.describe(key)} was altered: its SHA-256 is not the one recorded in the manifest`,
        'corrupt',
      );
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => parseJson<BulkOffboardRow>(l, this.#backend.describe(key)));
  }

  async #object(key: string): Promise<string> {
    const text = await this.#backend.get(key);
    if (text === undefined)
      throw new BulkStoreError(`bulk store object ${this.#backend.describe(key)} is missing`, 'missing');
    return text;
  }
}
