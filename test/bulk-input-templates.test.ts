/**
 * Bulk files of every template: a row's columns are its template's (src/domain/connector-templates.ts bulkColumns),
 * its key is its identity (the number, or template and name), and every problem names the line and the field.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, parseJsonLines } from '../src/bulk/inventory-file';
import { keysToRetry, writeReport } from '../src/bulk/report-file';
import { BulkStore } from '../src/bulk/store';
import { buildInventory, parseBulkDefaults, ROW_COLUMNS } from '../src/domain/bulk-input';
import { decideKnownConnector } from '../src/domain/bulk-decision';
import { buildReport, rowKey } from '../src/domain/bulk-report';
import { CONNECTOR_TEMPLATES, TEMPLATE_REFS } from '../src/domain/connector-templates';
import { provisioningWorkflowId } from '../src/domain/provisioning-identity';

const WS = '8f0a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const ORG = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const DEFAULTS = {
  workspaceId: WS,
  organizationId: ORG,
  connector: { connectorTemplateRef: 'sms-messagebird:1', arguments: { channelMessageType: 'transactional' } },
  readiness: { mode: 'poll', deadline: '30m' },
};

describe('bulk files of every template', () => {
  const defaults = parseBulkDefaults(DEFAULTS);

  it("takes every template's bulk columns, and one file may hold rows of all seven", () => {
    for (const t of Object.values(CONNECTOR_TEMPLATES))
      for (const c of Object.keys(t.bulkColumns)) assert.ok(ROW_COLUMNS.includes(c), `${t.ref}: ${c}`);
    const n = randomUUID();
    const header = 'phoneNumberId,name,connectorTemplateRef,securityArgumentsRef';
    const rows = TEMPLATE_REFS.map((t) =>
      t === 'sms-messagebird:1' ? `${n},SMS,${t},` : `,"Support, ${t}",${t},${t === 'line:1' ? 'LINE_TOKEN' : ''}`,
    );
    const read = parseCsv([header, ...rows].join('\n'));
    assert.deepEqual(read.unreadable, []);
    const { valid, invalid } = buildInventory(defaults, read.rows);
    assert.deepEqual(invalid, []);
    assert.deepEqual(
      valid.map((r) => r.input.connector.connectorTemplateRef),
      [...TEMPLATE_REFS],
    );
    const [sms, ...named] = valid;
    assert.deepEqual(
      { phoneNumberId: sms!.phoneNumberId, workflowId: sms!.workflowId },
      { phoneNumberId: n, workflowId: `provision/${WS}/${n}` },
    );
    assert.equal('connectorTemplateRef' in sms!, false, 'an SMS row keeps the fields it always had');
    for (const r of named) {
      const ref = r.input.connector.connectorTemplateRef;
      assert.equal(r.phoneNumberId, undefined);
      assert.deepEqual([r.connectorTemplateRef, r.name], [ref, `Support, ${ref}`]);
      assert.equal(r.workflowId, provisioningWorkflowId(r.input));
      assert.equal(r.workflowId, `provision/${WS}/${ref}/${encodeURIComponent(`Support, ${ref}`)}`);
      assert.equal(`provision/${WS}/${rowKey(r)}`, r.workflowId, 'the key is the identity part of the workflow id');
      // The defaults' arguments are the SMS template's: a row of another template does not take them.
      assert.equal(r.input.connector.arguments, undefined, ref);
    }
    assert.equal(
      named.find((r) => r.connectorTemplateRef === 'line:1')!.input.connector.securityArgumentsRef,
      'LINE_TOKEN',
    );
  });

  it("names the line and the column of a row filling another template's column, or without its name", () => {
    const { valid, invalid } = buildInventory(defaults, [
      { line: 2, kind: 'columns', columns: { name: 'Ok', connectorTemplateRef: 'telegram:1' } },
      {
        line: 3,
        kind: 'columns',
        columns: { name: 'A', connectorTemplateRef: 'instagram:1', channelMessageType: 'promotional' },
      },
      { line: 4, kind: 'columns', columns: { connectorTemplateRef: 'facebook:1' } },
      { line: 5, kind: 'columns', columns: { phoneNumberId: randomUUID(), securityArgumentsRef: 'X' } },
      { line: 6, kind: 'partial', input: { connector: { connectorTemplateRef: 'line:1' } } },
      {
        line: 7,
        kind: 'columns',
        columns: { name: 'B', connectorTemplateRef: 'whatsapp:1', securityArgumentsRef: 'not a ref!' },
      },
    ]);
    assert.deepEqual(
      valid.map((r) => r.line),
      [2],
    );
    assert.deepEqual(
      invalid.map((r) => [r.line, r.problems[0]!.field]),
      [
        [3, 'channelMessageType'],
        [4, 'name'],
        [5, 'securityArgumentsRef'],
        [6, 'connector.name'],
        [7, 'securityArgumentsRef'],
      ],
    );
    assert.match(
      invalid[0]!.problems[0]!.reason,
      /not a column of instagram:1, which is identified by its connector name/,
    );
    assert.deepEqual(
      invalid[0]!.connectorTemplateRef,
      'instagram:1',
      'a refused row keeps its identity for the report',
    );
    assert.deepEqual([invalid[1]!.problems[0]!.field, invalid[1]!.problems[0]!.line], ['name', 4]);
    assert.match(
      invalid[1]!.problems[0]!.reason,
      /^required in each row: facebook:1 is identified by its connector name/,
    );
    assert.match(
      invalid[2]!.problems[0]!.reason,
      /not a column of sms-messagebird:1, which is identified by its number/,
    );
  });

  it('refuses the same template and name twice, naming the first line; one name in two templates is two rows', () => {
    const { valid, invalid } = buildInventory(defaults, [
      { line: 2, kind: 'columns', columns: { name: 'Help', connectorTemplateRef: 'whatsapp:1' } },
      { line: 3, kind: 'columns', columns: { name: 'Help', connectorTemplateRef: 'telegram:1' } },
      { line: 4, kind: 'partial', input: { connector: { connectorTemplateRef: 'whatsapp:1', name: 'Help' } } },
    ]);
    assert.deepEqual(
      valid.map((r) => r.line),
      [2, 3],
    );
    assert.deepEqual(invalid, [
      {
        line: 4,
        connectorTemplateRef: 'whatsapp:1',
        name: 'Help',
        problems: [
          { line: 4, field: 'name', reason: 'duplicate of line 2 (the same whatsapp:1 connector name once per file)' },
        ],
      },
    ]);
  });

  it('reads JSON lines of any template: columns, or a partial input with its own arguments', () => {
    const read = parseJsonLines(
      [
        JSON.stringify({ name: 'Flat', connectorTemplateRef: 'email-messagebird:1' }),
        JSON.stringify({
          connector: { connectorTemplateRef: 'whatsapp:1', name: 'Nested', arguments: { locale: 'en' } },
        }),
        JSON.stringify({ name: 'Typo', connectorTemplateRef: 'whatsapp:1', secretRef: 'X' }),
      ].join('\n'),
    );
    assert.deepEqual(
      read.unreadable.map((r) => [r.line, r.problems]),
      [
        [
          3,
          [
            {
              line: 3,
              field: 'secretRef',
              reason: "unknown field (a line uses either the CSV's column names or the provisioning input's shape)",
            },
          ],
        ],
      ],
    );
    const { valid, invalid } = buildInventory(defaults, read.rows);
    assert.deepEqual(invalid, []);
    assert.deepEqual(valid[1]!.input.connector.arguments, { locale: 'en' });
    assert.deepEqual(
      valid.map((r) => r.name),
      ['Flat', 'Nested'],
    );
  });

  it('a file of one template identified by name: its defaults name the template, the header has no number', () => {
    const d = parseBulkDefaults({ ...DEFAULTS, connector: { connectorTemplateRef: 'line:1', arguments: { a: 1 } } });
    const { valid, invalid } = buildInventory(d, parseCsv('name\nOne\nTwo\n').rows);
    assert.deepEqual(invalid, []);
    assert.deepEqual(
      valid.map((r) => [r.line, r.connectorTemplateRef, r.name, r.input.connector.arguments]),
      [
        [2, 'line:1', 'One', { a: 1 }],
        [3, 'line:1', 'Two', { a: 1 }],
      ],
    );
  });

  it('reports rows by number or by template and name, and --retry-failed finds both again', async () => {
    const n = randomUUID();
    const rows = [
      { row: 0, line: 2, phoneNumberId: n, workflowId: `provision/${WS}/${n}` },
      { row: 1, line: 3, connectorTemplateRef: 'whatsapp:1', name: 'A, b', workflowId: 'w-a' },
      { row: 2, line: 4, connectorTemplateRef: 'line:1', name: 'ok', workflowId: 'w-ok' },
    ];
    const report = buildReport(
      rows,
      [{ line: 5, connectorTemplateRef: 'telegram:1', name: 'T', problems: ['x: y'] }],
      [
        { row: 0, outcome: 'failed', workflowId: rows[0]!.workflowId, reason: 'refused' },
        { row: 1, outcome: 'cancelled', workflowId: 'w-a' },
        { row: 2, outcome: 'active', workflowId: 'w-ok' },
      ],
    );
    const dir = await mkdtemp(join(tmpdir(), 'bulk-report-'));
    for (const file of ['r.csv', 'r.json']) {
      const path = join(dir, file);
      await writeReport(path, report);
      if (file === 'r.csv')
        assert.equal(
          (await readFile(path, 'utf8')).split('\n')[0],
          'phoneNumberId,connectorTemplateRef,name,outcome,connectorId,channelId,workflowId,reason',
        );
      assert.deepEqual([...(await keysToRetry(path))].sort(), [n, `whatsapp:1/${encodeURIComponent('A, b')}`].sort());
    }
    const numbersOnly = join(dir, 'n.csv');
    await writeReport(numbersOnly, report.slice(0, 1));
    assert.equal(
      (await readFile(numbersOnly, 'utf8')).split('\n')[0],
      'phoneNumberId,outcome,connectorId,channelId,workflowId,reason',
      'a report of numbers keeps its columns',
    );
  });

  it("keys Bird's connectors found already there by number, or by template and name (ours only)", async () => {
    const store = new BulkStore(await mkdtemp(join(tmpdir(), 'bulk-index-')));
    await store.saveIndexPage('k', 'r', 0, [
      { connectorId: 'c1', numberId: 'ABC', templateRef: 'sms-messagebird:1', name: 'x' },
      { connectorId: 'c2', key: 'whatsapp:1/Help', templateRef: 'whatsapp:1', name: 'Help [prov-0123456789abcdef]' },
    ]);
    const index = await store.index('k', 'r');
    assert.deepEqual(
      [...index.entries()].map(([k, c]) => [k, c.connectorId]),
      [
        ['abc', 'c1'],
        ['whatsapp:1/Help', 'c2'],
      ],
    );
    const known = { connectorId: 'c2', name: 'Help [prov-0123456789abcdef]', byName: true };
    assert.match(
      (decideKnownConnector(known, { status: 'ok', stage: 'active' }) as { reason: string }).reason,
      /active connector for this template and name/,
    );
  });
});
