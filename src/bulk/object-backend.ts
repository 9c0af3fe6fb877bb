/**
 * Where the bulk store keeps its objects: a local directory (the embedded default) or an S3-compatible bucket
 * (src/bulk/s3-backend.ts). The store only ever writes a whole object under a key that says what it holds and reads
 * it back whole, so both backends need nothing more than get, put and list.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * missing: an object the store wrote is gone; corrupt: its content is not what was written (both final: no retry
 * brings it back); denied: the credentials may not use the bucket; unreachable: the service did not answer (worth
 * retrying); invalid: anything else the service refused.
 */
export type BulkStoreErrorKind = 'missing' | 'corrupt' | 'denied' | 'unreachable' | 'invalid';

export class BulkStoreError extends Error {
  override readonly name = 'BulkStoreError';
  constructor(
    message: string,
    readonly kind: BulkStoreErrorKind = 'invalid',
  ) {
    super(message);
  }

  /** No retry can fix it: the run must stop rather than start rows from a store it cannot trust. */
  get final(): boolean {
    return this.kind === 'missing' || this.kind === 'corrupt';
  }
}

export interface ObjectBackend {
  /** A directory or s3://bucket/prefix, for messages. Never holds a credential. */
  readonly location: string;
  /** The full name of one object, for messages. */
  describe(key: string): string;
  /** The object's content, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  /** Writes the whole object at once: a reader sees the old content or the new, never part of it. */
  put(key: string, body: string): Promise<void>;
  /** Keys of the objects directly under `prefix` (a key without the trailing slash), sorted. */
  list(prefix: string): Promise<string[]>;
}

export class DirectoryBackend implements ObjectBackend {
  readonly location: string;

  constructor(dir: string) {
    this.location = resolve(dir);
  }

  describe(key: string): string {
    return join(this.location, key);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.describe(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async put(key: string, body: string): Promise<void> {
    const path = this.describe(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: atomic on one filesystem, so a crash never leaves half an object behind.
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const names = await readdir(this.describe(prefix));
      return names
        .filter((n) => !n.endsWith('.tmp'))
        .sort()
        .map((n) => `${prefix}/${n}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
