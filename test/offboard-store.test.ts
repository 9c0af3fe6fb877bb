/**
 * A bulk offboarding's rows and results in the bulk store, on the directory backend: pages read across chunks in
 * order, the same rows stored once under one key, an altered or missing chunk refused by name, results read back
 * whatever batch they came in, and every row of a cancelled run in the report (`not-started` where none was recorded).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OffboardStore } from '../src/bulk/offboard-store';
import { BulkStore, BulkStoreError } from '../src/bulk/store';
import { everyRowResult, type BulkOffboardRow } from '../src/domain/bulk-offboarding';

const WS = randomUUID();

function rowsOf(n: number): BulkOffboardRow[] {
  return Array.from({ length: n }, (_, i) =>
    i % 5 === 4
      ? { line: i + 2, connector: { connectorTemplateRef: 'whatsapp:1', name: `Shop ${i}` } }
      : { line: i + 2, phoneNumberId: randomUUID() },
  );
}

describe('bulk offboarding rows in the bulk store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'offboard-store-'));
  });

  it('reads any page across chunks in order; the same rows are stored once, under a key without a number', async () => {
    const store = new OffboardStore(new BulkStore(dir), { chunkRows: 4 });
    const rows = rowsOf(11);
    const stored = await store.saveRows(WS, rows, 'numbers.csv');
    assert.equal(stored.rowCount, 11);
    assert.match(stored.bulkKey, new RegExp(`^offboard-${WS}-[0-9a-f]{16}$`));
    assert.deepEqual(await readdir(join(dir, stored.bulkKey, 'rows')), [
      '000000.jsonl',
      '000001.jsonl',
      '000002.jsonl',
    ]);
    const reader = new OffboardStore(new BulkStore(dir)); // another process, its own chunk size: the manifest's wins
    assert.deepEqual(await reader.readRows(stored.bulkKey, 3, 6), rows.slice(3, 9));
    assert.deepEqual(await reader.readRows(stored.bulkKey, 8, 100), rows.slice(8));
    assert.deepEqual(await reader.allRows(stored.bulkKey), rows);
    assert.deepEqual(await store.saveRows(WS, rows, 'again.csv'), stored);
    const manifest = await readFile(join(dir, stored.bulkKey, 'manifest.json'), 'utf8');
    assert.match(manifest, /"source": "numbers.csv"/);
    for (const r of rows) if (r.phoneNumberId) assert.ok(!stored.bulkKey.includes(r.phoneNumberId));
  });

  it('refuses an altered chunk and a missing one, naming the object, as final errors', async () => {
    const store = new OffboardStore(new BulkStore(dir), { chunkRows: 4 });
    const { bulkKey } = await store.saveRows(WS, rowsOf(8), 'numbers.csv');
    const chunk = join(dir, bulkKey, 'rows', '000001.jsonl');
    await writeFile(chunk, (await readFile(chunk, 'utf8')).replace(/"line":(\d+)/, '"line":9$1'));
    assert.equal((await store.readRows(bulkKey, 0, 4)).length, 4);
    await assert.rejects(store.readRows(bulkKey, 4, 4), (err: unknown) => {
      assert.ok(err instanceof BulkStoreError && err.final && err.kind === 'corrupt');
      assert.equal(
        err.message,
        `bulk store object ${chunk} was altered: its SHA-256 is not the one recorded in the manifest`,
      );
      return true;
    });
    await rm(chunk);
    await assert.rejects(store.readRows(bulkKey, 4, 4), /000001\.jsonl is missing/);
    await assert.rejects(
      store.readRows(`offboard-${WS}-0000000000000000`, 0, 1),
      /are not in the bulk store at .*: the client that started the run and this worker must share BULK_STORE_DIR/,
    );
  });

  it('reads the results of every batch back; the report has every row, not-started where none was recorded', async () => {
    const store = new OffboardStore(new BulkStore(dir));
    const rows = rowsOf(5);
    const { bulkKey } = await store.saveRows(WS, rows, 'numbers.csv');
    const result = (row: number) => ({ row, outcome: 'already-absent' as const, workflowId: `w${row}` });
    await store.saveOutcomes(bulkKey, 'run-1', 1, [result(2)]);
    await store.saveOutcomes(bulkKey, 'run-1', 0, [result(1), result(0)]);
    await store.saveOutcomes(bulkKey, 'run-1', 0, [result(1), result(0)]); // a retried write: the same object
    await store.saveOutcomes(bulkKey, 'run-2', 0, [result(4)]);
    const recorded = await store.outcomes(bulkKey, 'run-1');
    assert.deepEqual(recorded.map((r) => r.row).sort(), [0, 1, 2]);
    const report = everyRowResult(WS, rows, recorded);
    assert.deepEqual(
      report.map((r) => [r.row, r.outcome]),
      [
        [0, 'already-absent'],
        [1, 'already-absent'],
        [2, 'already-absent'],
        [3, 'not-started'],
        [4, 'not-started'],
      ],
    );
    assert.equal(report[3]!.workflowId, `offboard/${WS}/${rows[3]!.phoneNumberId}`);
    assert.equal(report[4]!.workflowId, `offboard/${WS}/whatsapp:1/Shop%204`);
  });
});
