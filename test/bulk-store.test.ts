/**
 * The bulk store's integrity and configuration, on the directory backend (the same code paths the S3 backend takes:
 * test/s3/*.s3.ts runs them against a real SeaweedFS): a chunk that went missing or was altered is refused by key,
 * and BULK_STORE_URL / BULK_STORE_S3_* parse with errors that name the field and never a credential.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BulkStore, BulkStoreError } from '../src/bulk/store';
import { bulkStoreFromEnv } from '../src/bulk/store-env';
import { sampleInventory } from './helpers/inventory';

const inventory = sampleInventory;

describe('bulk store integrity', () => {
  it('records each chunk digest and refuses an altered chunk or a missing one, naming its key; other chunks still read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulk-store-'));
    const m = await new BulkStore(dir, { chunkRows: 5 }).saveInventory(inventory(15), 'numbers.csv');
    assert.equal(m.chunkRows, 5);
    assert.equal(m.chunkDigests?.length, 3);
    const chunk1 = join(dir, m.bulkKey, 'rows', '000001.jsonl');
    await writeFile(chunk1, (await readFile(chunk1, 'utf8')).replace(/"line":(\d+)/, '"line":9$1'));
    const reader = new BulkStore(dir); // another process: its own default chunk size, the manifest's wins
    assert.equal((await reader.readRows(m.bulkKey, 0, 5)).length, 5);
    await assert.rejects(reader.readRows(m.bulkKey, 5, 5), (err: unknown) => {
      assert.ok(err instanceof BulkStoreError && err.final && err.kind === 'corrupt');
      assert.equal(
        err.message,
        `bulk store object ${chunk1} was altered: its SHA-256 is not the one recorded in the inventory's manifest`,
      );
      return true;
    });
    await rm(join(dir, m.bulkKey, 'rows', '000002.jsonl'));
    await assert.rejects(reader.readRows(m.bulkKey, 10, 5), (err: unknown) => {
      assert.ok(err instanceof BulkStoreError && err.kind === 'missing');
      assert.match(err.message, new RegExp(`${join(dir, m.bulkKey, 'rows', '000002.jsonl')} is missing`));
      return true;
    });
    await writeFile(join(dir, m.bulkKey, 'invalid.json'), '[{"line": 1}]');
    await assert.rejects(reader.invalidRows(m.bulkKey), /invalid\.json was altered/);
  });

  it('refuses a manifest that does not describe its key, and an outcome batch that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulk-store-'));
    const m = await new BulkStore(dir).saveInventory(inventory(3), 'numbers.csv');
    const path = join(dir, m.bulkKey, 'manifest.json');
    await writeFile(path, JSON.stringify({ ...m, digest: 'f'.repeat(64) }));
    await assert.rejects(
      new BulkStore(dir).manifest(m.bulkKey),
      new RegExp(`${path} was altered: it does not describe inventory ${m.bulkKey}`),
    );
    const store = new BulkStore(dir);
    await store.saveOutcomes(m.bulkKey, 'run-1', 0, [{ row: 0, workflowId: 'w', outcome: 'active' }]);
    await writeFile(join(dir, m.bulkKey, 'runs', 'run-1', 'outcomes', '000000.json'), '[{"row": 0,');
    await assert.rejects(
      store.outcomes(m.bulkKey, 'run-1'),
      /outcomes\/000000\.json was altered: it is not the JSON the store wrote/,
    );
  });

  it('still reads an inventory stored before chunk digests existed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulk-store-'));
    const m = await new BulkStore(dir).saveInventory(inventory(4), 'numbers.csv');
    const legacy: Record<string, unknown> = { ...m };
    delete legacy.chunkDigests;
    delete legacy.chunkRows;
    delete legacy.invalidDigest;
    await writeFile(join(dir, m.bulkKey, 'manifest.json'), JSON.stringify(legacy));
    const store = new BulkStore(dir);
    assert.equal((await store.readRows(m.bulkKey, 0, 10)).length, 4);
    let n = 0;
    for await (const _ of store.allRows(m.bulkKey)) n++;
    assert.equal(n, 4);
    assert.deepEqual(await store.invalidRows(m.bulkKey), []);
  });
});

describe('bulk store configuration (BULK_STORE_URL)', () => {
  it('a directory by default, by BULK_STORE_DIR or by a file:// URL', () => {
    assert.equal(bulkStoreFromEnv({}).dir, join(process.cwd(), '.data', 'bulk'));
    assert.equal(bulkStoreFromEnv({ BULK_STORE_DIR: '/var/lib/bulk' }).dir, '/var/lib/bulk');
    assert.equal(
      bulkStoreFromEnv({ BULK_STORE_URL: pathToFileURL('/var/lib/bulk store').href }).dir,
      '/var/lib/bulk store',
    );
  });

  it('an S3 bucket and prefix, with credentials by reference', () => {
    const store = bulkStoreFromEnv({
      BULK_STORE_URL: 's3://my-bucket/bulk/prod/',
      BULK_STORE_S3_ENDPOINT: 'http://127.0.0.1:8333',
      BULK_STORE_S3_FORCE_PATH_STYLE: 'true',
      BULK_STORE_S3_CREDENTIALS: 'BULK',
      BIRD_SECRET_BULK_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      BIRD_SECRET_BULK_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-very-secret',
    });
    assert.equal(store.dir, 's3://my-bucket/bulk/prod');
    assert.doesNotMatch(JSON.stringify(store) + String(Object.values(store)), /wJalrXUtnFEMI/);
  });

  it('refuses bad settings naming the field, and a missing credential naming the variable, never a value', () => {
    const problem = (env: NodeJS.ProcessEnv) => {
      try {
        bulkStoreFromEnv(env);
      } catch (err) {
        return (err as Error).message;
      }
      assert.fail('refused');
    };
    assert.match(
      problem({ BULK_STORE_URL: 'http://bucket/x' }),
      /BULK_STORE_URL: must be s3:\/\/bucket\/prefix or file:\/\/\/absolute\/dir/,
    );
    assert.match(
      problem({ BULK_STORE_URL: 's3://b-1/x', BULK_STORE_DIR: '/tmp/x' }),
      /BULK_STORE_DIR: set BULK_STORE_URL or BULK_STORE_DIR, not both/,
    );
    assert.match(
      problem({ BULK_STORE_URL: 's3://b-1/x', BULK_STORE_S3_FORCE_PATH_STYLE: 'yes' }),
      /BULK_STORE_S3_FORCE_PATH_STYLE/,
    );
    const missing = problem({
      BULK_STORE_URL: 's3://b-1/x',
      BULK_STORE_S3_CREDENTIALS: 'BULK',
      BIRD_SECRET_BULK_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    });
    assert.match(
      missing,
      /BULK_STORE_S3_CREDENTIALS: secret reference "BULK_SECRET_ACCESS_KEY" is not configured on the worker \(expected environment variable BIRD_SECRET_BULK_SECRET_ACCESS_KEY\)/,
    );
    assert.doesNotMatch(missing, /AKIDEXAMPLE/);
  });
});
