/** The file of numbers bulk offboarding reads, its report's retry keys, and the counts of its outcomes. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryFileError } from '../../src/bulk/inventory-file';
import { offboardKeysToRetry, parseOffboardFile, rowsToRetry } from '../../src/bulk/offboard-file';
import { countOutcomes, parseBulkOffboardOptions } from '../../src/domain/bulk-offboarding';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('bulk offboarding files', () => {
  it('reads a plain list of numbers, one a line, lines numbered from 1', () => {
    assert.deepEqual(parseOffboardFile(`${A}\n\n${B}\n`, 'n.txt'), [
      { line: 1, phoneNumberId: A },
      { line: 2, phoneNumberId: B },
    ]);
  });

  it('reads a spreadsheet CSV (BOM, CRLF) with numbers and rows identified by template and name', () => {
    const text = `\uFEFFphoneNumberId,connectorTemplateRef,name\r\n${A},,\r\n,whatsapp:1,Support\r\n`;
    assert.deepEqual(parseOffboardFile(text, 'n.csv'), [
      { line: 2, phoneNumberId: A },
      { line: 3, connector: { connectorTemplateRef: 'whatsapp:1', name: 'Support' } },
    ]);
  });

  it('refuses a row that names nothing, naming its line, and a file without rows', () => {
    assert.throws(
      () => parseOffboardFile(`phoneNumberId,connectorTemplateRef,name\n${A},,\n,whatsapp:1,\n`, 'n.csv'),
      (err: unknown) =>
        err instanceof InventoryFileError &&
        JSON.stringify(err.problems) ===
          JSON.stringify([{ line: 3, reason: 'give a phoneNumberId, or a connectorTemplateRef and a name' }]),
    );
    assert.throws(() => parseOffboardFile('phoneNumberId\n', 'empty.csv'), /no rows to offboard/);
  });

  it('--retry-failed keeps only the rows a report lists as failed, cancelled or not started', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'offboard-file-'));
    const report = join(dir, 'r.csv');
    await writeFile(
      report,
      `line,phoneNumberId,connectorTemplateRef,name,outcome\n2,${A.toUpperCase()},,,failed\n3,${B},,,offboarded\n4,,whatsapp:1,Support,not-started\n`,
    );
    const rows = parseOffboardFile(
      `phoneNumberId,connectorTemplateRef,name\n${A},,\n${B},,\n,whatsapp:1,Support\n`,
      'f',
    );
    assert.deepEqual(
      rowsToRetry(rows, await offboardKeysToRetry(report)).map((r) => r.line),
      [2, 4],
    );
    await writeFile(report, `line,phoneNumberId,outcome\n2,${A},active\n`);
    await assert.rejects(offboardKeysToRetry(report), /line 2: outcome "active" is not a bulk offboarding outcome/);
  });

  it('counts outcomes, and validates the run input naming the field', () => {
    const c = countOutcomes([
      { row: 0, outcome: 'offboarded', workflowId: 'a' },
      { row: 1, outcome: 'failed', workflowId: 'b' },
      { row: 2, outcome: 'offboarded', workflowId: 'c' },
    ]);
    assert.deepEqual([c.offboarded, c.failed, c['not-started']], [2, 1, 0]);
    assert.throws(
      () => parseBulkOffboardOptions({ workspaceId: A, rows: [{ line: 1, phoneNumberId: A }], concurrency: 201 }),
      /concurrency/,
    );
    assert.equal(parseBulkOffboardOptions({ workspaceId: A, rows: [{ line: 1, phoneNumberId: A }] }).concurrency, 50);
  });
});
