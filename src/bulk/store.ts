/**
 * The bulk store: where a bulk run's inventory, its index of what Bird already has, and its outcomes live, outside
 * Temporal. A bulk run of 10,000 numbers is never one payload (Temporal refuses payloads over 2 MB and a history
 * carries every input it was given): the CLI writes the validated inventory here, the workflow is handed only its
 * key, and an activity reads it a page at a time (the claim-check pattern). Outcomes come back the same way, in
 * batches, and the report is built from them.
 *
 * Shared by the CLI and the workers: a directory (BULK_STORE_DIR; a named volume in docker-compose.yml) or an
 * S3-compatible bucket (BULK_STORE_URL=s3://bucket/prefix; src/bulk/store-env.ts), so workers on other hosts read
 * what the CLI wrote. Every object is written once, whole, under a key that says what it holds, so a retried
 * activity rewrites the same object with the same content instead of appending twice. The manifest holds the
 * SHA-256 of every chunk and of the invalid rows: an object that went missing or was altered is refused by key.
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
import { LRUCache } from 'lru-cache';
import type { InvalidRow, ValidRow } from '../domain/bulk-input';
import { identityOf, type RowOutcome, type StoredRowRef } from '../domain/bulk-report';
import type { ProvisionChannelInput } from '../domain/provisioning-input';
import { BulkStoreError, DirectoryBackend, type ObjectBackend } from './object-backend';
import { chunkName, keyOf, parseJson, runOf, sha256 } from './object-names';

export { BulkStoreError } from './object-backend';

/** Rows per stored chunk: a page read loads one or two chunks, never the whole inventory. */
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
  /** Rows per chunk (CHUNK_ROWS unless the store was made with another size). */
  chunkRows?: number;
  /** SHA-256 of each chunk object and of invalid.json, checked on every read (absent in older manifests). */
  chunkDigests?: string[];
  invalidDigest?: string;
}

export interface StoredRow extends StoredRowRef {
  input: ProvisionChannelInput;
}

/** A connector Bird already has, as far as bulk onboarding cares (from the list endpoint). */
export interface ExistingConnector {
  connectorId: string;
  /** The number it is for (templates identified by number). */
  numberId?: string;
  /** Else its row key (src/domain/bulk-report.ts rowKey): template and name, for one of ours. */
  key?: string;
  channelId?: string;
  templateRef?: string;
  name: string;
}

export class BulkStore {
  readonly backend: ObjectBackend;
  readonly #chunkRows: number;
  readonly #chunks = new LRUCache<string, StoredRow[]>({ max: 32 });
  readonly #manifests = new LRUCache<string, BulkManifest>({ max: 32 });
  readonly #indexes = new LRUCache<string, Map<string, ExistingConnector>>({ max: 8 });

  /** A directory path, or any backend; `chunkRows` is for tests that need several chunks from a few rows. */
  constructor(where: string | ObjectBackend, opts: { chunkRows?: number } = {}) {
    this.backend = typeof where === 'string' ? new DirectoryBackend(where) : where;
    this.#chunkRows = opts.chunkRows ?? CHUNK_ROWS;
  }

  /** Where the objects are (a directory or s3://bucket/prefix), for messages and for sharing with a child process. */
  get dir(): string {
    return this.backend.location;
  }

  /** Writes a validated inventory (once: the same content is the same key) and returns its manifest. */
  async saveInventory(
    inventory: { workspaceId: string; valid: ValidRow[]; invalid: InvalidRow[] },
    source: string,
  ): Promise<BulkManifest> {
    const lines = inventory.valid.map((r, row): StoredRow => ({
      row,
      line: r.line,
      ...identityOf(r),
      workflowId: r.workflowId,
      input: r.input,
    }));
    const hash = createHash('sha256');
    for (const r of lines) hash.update(JSON.stringify(r.input)).update('\n');
    for (const r of inventory.invalid) hash.update(JSON.stringify(r)).update('\n');
    const digest = hash.digest('hex');
    const bulkKey = `${inventory.workspaceId}-${digest.slice(0, 16)}`;
    // Missing (or damaged): write it; any other failure (unreachable, denied) stops here with its own message.
    const existing = await this.manifest(bulkKey).catch((err: unknown) => {
      if (err instanceof BulkStoreError && err.final) return undefined;
      throw err;
    });
    if (existing?.digest === digest) return existing;

    const base = keyOf(bulkKey);
    const chunkDigests: string[] = [];
    for (let start = 0; start < lines.length; start += this.#chunkRows) {
      const text =
        lines
          .slice(start, start + this.#chunkRows)
          .map((r) => JSON.stringify(r))
          .join('\n') + '\n';
      chunkDigests.push(sha256(text));
      await this.backend.put(`${base}/rows/${chunkName(start / this.#chunkRows)}`, text);
    }
    const invalidText = JSON.stringify(inventory.invalid);
    await this.backend.put(`${base}/invalid.json`, invalidText);
    const manifest: BulkManifest = {
      bulkKey,
      workspaceId: inventory.workspaceId,
      source,
      rows: lines.length,
      invalid: inventory.invalid.length,
      templateRefs: [...new Set(lines.map((r) => r.input.connector.connectorTemplateRef))].sort(),
      digest,
      createdAt: new Date().toISOString(),
      chunkRows: this.#chunkRows,
      chunkDigests,
      invalidDigest: sha256(invalidText),
    };
    // The manifest last: its presence says the inventory is complete.
    await this.backend.put(`${base}/manifest.json`, JSON.stringify(manifest, null, 2));
    return manifest;
  }

  async manifest(bulkKey: string): Promise<BulkManifest> {
    const cached = this.#manifests.get(bulkKey);
    if (cached) return cached;
    const key = `${keyOf(bulkKey)}/manifest.json`;
    const text = await this.backend.get(key);
    if (text === undefined) {
      throw new BulkStoreError(
        `bulk inventory ${bulkKey} is not in the bulk store at ${this.dir}: the CLI that started the run and this worker must share BULK_STORE_DIR (or BULK_STORE_URL)`,
        'missing',
      );
    }
    const manifest = parseJson<BulkManifest>(text, this.backend.describe(key));
    if (manifest.bulkKey !== bulkKey || !manifest.digest?.startsWith(bulkKey.slice(-16))) {
      throw new BulkStoreError(
        `bulk store object ${this.backend.describe(key)} was altered: it does not describe inventory ${bulkKey}`,
        'corrupt',
      );
    }
    this.#manifests.set(bulkKey, manifest);
    return manifest;
  }

  /** Rows [offset, offset+limit), stopping early once `maxBytes` of inputs are gathered (payloads stay small). */
  async readRows(
    bulkKey: string,
    offset: number,
    limit: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<StoredRow[]> {
    const { chunkRows = CHUNK_ROWS } = await this.manifest(bulkKey);
    const out: StoredRow[] = [];
    let bytes = 0;
    for (let row = offset; out.length < limit;) {
      const chunk = await this.#chunk(bulkKey, Math.floor(row / chunkRows));
      if (!chunk) break;
      const r = chunk[row % chunkRows];
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
    const manifest = await this.manifest(bulkKey);
    return parseJson<InvalidRow[]>(
      await this.#verified(`${keyOf(bulkKey)}/invalid.json`, manifest.invalidDigest),
      this.backend.describe(`${keyOf(bulkKey)}/invalid.json`),
    );
  }

  async saveIndexPage(bulkKey: string, runKey: string, page: number, connectors: ExistingConnector[]): Promise<void> {
    await this.backend.put(
      `${runOf(bulkKey, runKey)}/index/${String(page).padStart(6, '0')}.json`,
      JSON.stringify(connectors),
    );
    this.#indexes.delete(`${bulkKey}/${runKey}`);
  }

  /** Bird's connectors by row key (the lower-case number id, or template and name), as indexed at the run's start. */
  async index(bulkKey: string, runKey: string): Promise<Map<string, ExistingConnector>> {
    const cacheKey = `${bulkKey}/${runKey}`;
    const cached = this.#indexes.get(cacheKey);
    if (cached) return cached;
    const byKey = new Map<string, ExistingConnector>();
    for (const connectors of await this.#readAll<ExistingConnector[]>(`${runOf(bulkKey, runKey)}/index`)) {
      for (const c of connectors) {
        const key = c.key ?? c.numberId?.toLowerCase();
        if (key) byKey.set(key, c);
      }
    }
    this.#indexes.set(cacheKey, byKey);
    return byKey;
  }

  async saveOutcomes(bulkKey: string, runKey: string, seq: number, outcomes: RowOutcome[]): Promise<void> {
    await this.backend.put(
      `${runOf(bulkKey, runKey)}/outcomes/${String(seq).padStart(6, '0')}.json`,
      JSON.stringify(outcomes),
    );
  }

  /** Every outcome recorded for a run, in the order they were flushed. */
  async outcomes(bulkKey: string, runKey: string): Promise<RowOutcome[]> {
    return (await this.#readAll<RowOutcome[]>(`${runOf(bulkKey, runKey)}/outcomes`)).flat();
  }

  /** Chunk n, checked against the manifest; undefined past the last one. */
  async #chunk(bulkKey: string, n: number): Promise<StoredRow[] | undefined> {
    const cacheKey = `${bulkKey}/${n}`;
    const cached = this.#chunks.get(cacheKey);
    if (cached) return cached;
    const manifest = await this.manifest(bulkKey);
    const key = `${keyOf(bulkKey)}/rows/${chunkName(n)}`;
    const expected = manifest.chunkDigests?.[n];
    if (manifest.chunkDigests && expected === undefined) return undefined;
    const text = expected ? await this.#verified(key, expected) : await this.backend.get(key);
    if (text === undefined) return undefined; // an older manifest without digests: the chunks end here
    const rows = text
      .split('\n')
      .filter(Boolean)
      .map((l) => parseJson<StoredRow>(l, this.backend.describe(key)));
    this.#chunks.set(cacheKey, rows);
    return rows;
  }

  /** The object at `key`, refused by name if it is gone or its SHA-256 is not the one the manifest recorded. */
  async #verified(key: string, digest: string | undefined): Promise<string> {
    const text = await this.backend.get(key);
    if (text === undefined)
      throw new BulkStoreError(
        `bulk store object ${this.backend.describe(key)} is missing (the inventory's manifest lists it)`,
        'missing',
      );
    if (digest && sha256(text) !== digest) {
      throw new BulkStoreError(
        `bulk store object ${this.backend.describe(key)} was altered: its SHA-256 is not the one recorded in the inventory's manifest`,
        'corrupt',
      );
    }
    return text;
  }

  async #readAll<T>(prefix: string): Promise<T[]> {
    const keys = (await this.backend.list(prefix)).filter((k) => k.endsWith('.json'));
    return Promise.all(
      keys.map(async (k) => {
        const text = await this.backend.get(k);
        if (text === undefined)
          throw new BulkStoreError(
            `bulk store object ${this.backend.describe(k)} vanished while being read`,
            'missing',
          );
        return parseJson<T>(text, this.backend.describe(k));
      }),
    );
  }
}
