/**
 * Reading and validating a bulk inventory, as people write them: spreadsheets saved as CSV (BOM, CRLF, quoted
 * commas, empty cells), JSON Lines, one channel name for every number, the same number twice in two cases.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryFileError, parseCsv, parseJsonLines, readInventoryFile } from '../src/bulk/inventory-file';
import { BulkStore } from '../src/bulk/store';
import { prepareInventory } from '../src/client/bulk-client';
import { buildInventory, InvalidBulkDefaults, mergeOver, parseBulkDefaults } from '../src/domain/bulk-input';
import { decideKnownConnector, decideRow } from '../src/domain/bulk-decision';
import { allSuccessful, buildReport, countOutcomes } from '../src/domain/bulk-report';

const WS = '8f0a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const ORG = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const DEFAULTS = {
  workspaceId: WS,
  organizationId: ORG,
  connector: {
    connectorTemplateRef: 'sms-messagebird:1',
    name: 'Acme Support',
    arguments: { channelMessageType: 'transactional' },
    channelConversationalStatusEnabled: true,
  },
  readiness: { mode: 'webhook', deadline: '30m' },
  subscriptions: [
    {
      service: 'channels',
      event: 'channel.updated',
      url: 'https://hooks.example.com/bird',
      signingKeyRef: 'WEBHOOK_SIGNING_KEY',
    },
  ],
};

describe('bulk inventory files', () => {
  it('reads a spreadsheet CSV: BOM, CRLF, quoted commas and line breaks, empty cells, with the line each row starts on', () => {
    const a = randomUUID();
    const b = randomUUID();
    const c = randomUUID();
    const text = `\uFEFFphoneNumberId,name,channelMessageType\r\n${a},"Support, EMEA",\r\n\r\n${b},"Two\r\nlines",promotional\r\n${c},,\r\n`;
    const { rows, unreadable } = parseCsv(text);
    assert.deepEqual(unreadable, []);
    assert.deepEqual(
      rows.map((r) => [r.line, r.kind === 'columns' ? r.columns : undefined]),
      [
        [2, { phoneNumberId: a, name: 'Support, EMEA', channelMessageType: '' }],
        [4, { phoneNumberId: b, name: 'Two\nlines', channelMessageType: 'promotional' }],
        [6, { phoneNumberId: c, name: '', channelMessageType: '' }],
      ],
    );
  });

  it('refuses a header with an unknown or missing column, naming it and line 1', () => {
    assert.throws(
      () => parseCsv('phoneNumberId,nmae\nx,y\n'),
      (e: Error) => e instanceof InventoryFileError && /^line 1: unknown column "nmae"/.test(e.message),
    );
    // The problem is data: the line, then the reason (what the HTTP API's body and the CLI's message are made of).
    assert.throws(
      () => parseCsv('useCaseId\nx\n'),
      (e: InventoryFileError) => {
        assert.equal(e.problems.length, 1);
        assert.equal((e.problems[0] as { line?: number }).line, 1);
        assert.match(e.problems[0]!.reason, /^the phoneNumberId column is required \(or the name column/);
        return true;
      },
    );
    assert.throws(
      () => parseCsv(''),
      (e: InventoryFileError) => {
        assert.deepEqual(e.problems, [{ field: 'inventory', reason: e.message }]);
        return true;
      },
    );
    assert.throws(() => parseCsv(''), /the file is empty/);
    assert.throws(() => parseCsv('phoneNumberId,name\n"x,y\n'), /line 2: not valid CSV: Quote Not Closed/);
  });

  it('reports a row with the wrong number of fields by its line, and goes on', () => {
    const { rows, unreadable } = parseCsv(`phoneNumberId,name\n${randomUUID()},a\nx,b,c\n${randomUUID()},d\n`);
    assert.equal(rows.length, 2);
    assert.deepEqual(unreadable, [
      { line: 3, phoneNumberId: 'x', problems: [{ line: 3, reason: 'has 3 fields; the header has 2' }] },
    ]);
  });

  it('reads JSON Lines: partial inputs or the CSV column names; a bad line is reported by number', () => {
    const a = randomUUID();
    const text = [
      JSON.stringify({ connector: { name: 'Nested', arguments: { phoneNumberId: a } } }),
      '',
      JSON.stringify({ phoneNumberId: randomUUID(), name: 'Flat' }),
      '{"phoneNumberId": ',
      JSON.stringify({ phoneNumberId: 42 }),
      '[1,2]',
    ].join('\n');
    const { rows, unreadable } = parseJsonLines(text);
    assert.deepEqual(
      rows.map((r) => [r.line, r.kind]),
      [
        [1, 'partial'],
        [3, 'columns'],
      ],
    );
    assert.deepEqual(
      unreadable.map((u) => u.line),
      [4, 5, 6],
    );
    assert.match(unreadable[0]!.problems[0]!.reason, /^not valid JSON/);
    assert.deepEqual(unreadable[1]!.problems, [{ line: 5, field: 'phoneNumberId', reason: 'must be a string' }]);
  });

  it('the examples in the README are valid: examples/numbers.csv over examples/bulk-defaults.json', async () => {
    const defaults = JSON.parse(
      await readFile(join(__dirname, '..', 'examples', 'bulk-defaults.json'), 'utf8'),
    ) as unknown;
    const inventory = await prepareInventory(join(__dirname, '..', 'examples', 'numbers.csv'), defaults);
    assert.deepEqual(inventory.invalid, []);
    assert.equal(inventory.valid.length, 3);
    assert.equal(inventory.valid[1]!.input.connector.name, 'Acme Support, EMEA');
    assert.equal(inventory.valid[2]!.input.connector.arguments?.['channelMessageType'], 'promotional');
  });

  it('says "no such file" for a missing file', async () => {
    await assert.rejects(readInventoryFile('/nonexistent/numbers.csv'), /no such file: \/nonexistent\/numbers.csv/);
  });
});

describe('bulk inventory validation', () => {
  const defaults = parseBulkDefaults(DEFAULTS);

  it('merges each row over the defaults into the same input a single provision takes', () => {
    const n = randomUUID();
    const { valid, invalid } = buildInventory(defaults, [
      { line: 2, kind: 'columns', columns: { phoneNumberId: n, name: 'Sales, EMEA', useCaseId: 'uc-1' } },
    ]);
    assert.deepEqual(invalid, []);
    const input = valid[0]!.input;
    assert.equal(input.connector.name, 'Sales, EMEA');
    assert.deepEqual(input.connector.arguments, {
      channelMessageType: 'transactional',
      phoneNumberId: n,
      useCaseId: 'uc-1',
    });
    assert.equal(input.readiness.mode, 'webhook');
    assert.equal(input.readiness.deadline, 30 * 60_000);
    assert.equal(input.subscriptions.length, 1);
    assert.equal(valid[0]!.workflowId, `provision/${WS}/${n}`);
  });

  it('names the line and the CSV column of every bad row, and both lines of a duplicate (one UUID in two cases)', () => {
    const n = randomUUID();
    const { valid, invalid } = buildInventory(defaults, [
      { line: 2, kind: 'columns', columns: { phoneNumberId: n } },
      { line: 3, kind: 'columns', columns: { phoneNumberId: 'not-a-uuid' } },
      { line: 4, kind: 'columns', columns: { phoneNumberId: randomUUID(), channelMessageType: 'marketing' } },
      { line: 5, kind: 'columns', columns: { phoneNumberId: n.toUpperCase() } },
      { line: 6, kind: 'columns', columns: { phoneNumberId: randomUUID(), connectorTemplateRef: 'fax:1' } },
    ]);
    assert.equal(valid.length, 1);
    assert.deepEqual(
      invalid.map((r) => r.line),
      [3, 4, 5, 6],
    );
    assert.deepEqual(
      invalid.map((r) => r.problems.map((p) => `${p.line}:${p.field}`)),
      [['3:phoneNumberId'], ['4:channelMessageType'], ['5:phoneNumberId'], ['6:connectorTemplateRef']],
    );
    assert.deepEqual(invalid[2], {
      line: 5,
      phoneNumberId: n.toUpperCase(),
      problems: [{ line: 5, field: 'phoneNumberId', reason: 'duplicate of line 2 (the same number once per file)' }],
    });
  });

  it('refuses a JSON line for another workspace (one bulk run per workspace)', () => {
    const { invalid } = buildInventory(defaults, [
      {
        line: 1,
        kind: 'partial',
        input: { workspaceId: randomUUID(), connector: { arguments: { phoneNumberId: randomUUID() } } },
      },
    ]);
    assert.equal(invalid[0]!.problems[0]!.field, 'workspaceId');
    assert.match(invalid[0]!.problems[0]!.reason, /^must be the bulk run's workspace/);
  });

  it("refuses a row filling a column that is not its template's, naming the column", () => {
    const { valid, invalid } = buildInventory(defaults, [
      { line: 2, kind: 'columns', columns: { phoneNumberId: randomUUID(), connectorTemplateRef: 'whatsapp:1' } },
    ]);
    assert.deepEqual(valid, []);
    assert.deepEqual(
      { line: invalid[0]!.problems[0]!.line, field: invalid[0]!.problems[0]!.field },
      {
        line: 2,
        field: 'phoneNumberId',
      },
    );
    assert.match(
      invalid[0]!.problems[0]!.reason,
      /^not a column of whatsapp:1, which is identified by its connector name/,
    );
  });

  it('checks the defaults once: unknown fields, per-number fields, bad values, a missing workspace', () => {
    assert.throws(
      () => parseBulkDefaults({ ...DEFAULTS, conector: {} }),
      (e: Error) => e instanceof InvalidBulkDefaults && /conector: unknown field/.test(e.message),
    );
    assert.throws(
      () =>
        parseBulkDefaults({
          ...DEFAULTS,
          connector: { ...DEFAULTS.connector, arguments: { phoneNumberId: randomUUID() } },
        }),
      /connector.arguments.phoneNumberId: is per number/,
    );
    assert.throws(() => parseBulkDefaults({ ...DEFAULTS, readiness: { mode: 'sometimes' } }), /readiness.mode: /);
    assert.throws(
      () => parseBulkDefaults({ ...DEFAULTS, workspaceId: undefined }),
      /workspaceId: required \(in the defaults or with --workspace-id\)/,
    );
    assert.equal(parseBulkDefaults({ ...DEFAULTS, workspaceId: undefined }, { workspaceId: WS }).workspaceId, WS);
  });

  it('blank names: a cell of spaces means the default; a blank name in a JSON line or in the defaults is refused, naming it', () => {
    const csv = parseCsv(`phoneNumberId,name\n${randomUUID()},"  "\n${randomUUID()},\n`);
    const { valid, invalid } = buildInventory(defaults, csv.rows);
    assert.deepEqual(invalid, []);
    assert.deepEqual(
      valid.map((r) => r.input.connector.name),
      ['Acme Support', 'Acme Support'],
    );
    const jsonl = parseJsonLines(
      JSON.stringify({ connector: { name: ' ', arguments: { phoneNumberId: randomUUID() } } }),
    );
    assert.deepEqual(buildInventory(defaults, jsonl.rows).invalid[0]!.problems, [
      { line: 1, field: 'connector.name', reason: 'must not be empty or only spaces' },
    ]);
    assert.throws(
      () => parseBulkDefaults({ ...DEFAULTS, connector: { ...DEFAULTS.connector, name: ' ' } }),
      (e: Error) =>
        e instanceof InvalidBulkDefaults && /connector\.name: must not be empty or only spaces/.test(e.message),
    );
    // A bad value the defaults set is theirs to fix, reported once, not once per row.
    assert.throws(
      () =>
        parseBulkDefaults({
          ...DEFAULTS,
          connector: { ...DEFAULTS.connector, arguments: { channelMessageType: 'marketing' } },
        }),
      /connector\.arguments\.channelMessageType: /,
    );
  });

  it('merges objects key by key and replaces arrays', () => {
    assert.deepEqual(mergeOver({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] }), {
      a: { b: 1, c: 3 },
      l: [9],
    });
  });
});

describe('bulk decisions and reports', () => {
  const at = '2026-12-01T10:00:00.000Z';
  it('decides by workflow identity first, then by what Bird has', () => {
    assert.deepEqual(decideRow({}, at), { action: 'start' });
    assert.deepEqual(decideRow({ provisioning: { status: 'RUNNING' } }, at), { action: 'attach' });
    assert.equal(decideRow({ provisioning: { status: 'FAILED' } }, at).action, 'start');
    const done = decideRow(
      {
        provisioning: { status: 'COMPLETED', closedAt: '2026-11-30T00:00:00Z', connectorId: 'c1' },
        existing: { connectorId: 'c1', name: 'x' },
      },
      at,
    );
    assert.equal(done.action === 'done' && done.outcome, 'already-active');
    const gone = decideRow(
      { provisioning: { status: 'COMPLETED', closedAt: '2026-11-30T00:00:00Z', connectorId: 'c1' } },
      at,
    );
    assert.equal(
      gone.action === 'done' && gone.outcome,
      'failed',
      'completed before the index, yet Bird no longer has it',
    );
    assert.equal(
      decideRow({ provisioning: { status: 'COMPLETED', closedAt: '2026-12-01T11:00:00Z' } }, at).action,
      'done',
    );
    assert.equal(
      decideRow({ provisioning: { status: 'CANCELLED' }, existing: { connectorId: 'c2', name: 'y' } }, at).action,
      'check-bird',
    );
    assert.equal(
      (decideKnownConnector({ connectorId: 'c2', name: 'y' }, { status: 'ok', stage: 'active' }) as { outcome: string })
        .outcome,
      'already-active',
    );
    assert.equal(
      (
        decideKnownConnector({ connectorId: 'c2', name: 'y' }, { status: 'pending', stage: 'provisioning' }) as {
          outcome: string;
        }
      ).outcome,
      'failed',
    );
  });

  it('builds one report row per line, in file order; rows without an outcome were not started', () => {
    const report = buildReport(
      [
        { row: 0, line: 2, phoneNumberId: 'a', workflowId: 'w-a' },
        { row: 1, line: 4, phoneNumberId: 'b', workflowId: 'w-b' },
      ],
      [
        { line: 3, phoneNumberId: 'x', problems: [{ line: 3, field: 'phoneNumberId', reason: 'must be a UUID' }] },
        // Stored before problems were data: their text is kept as it was.
        { line: 5, problems: ['name: too long', { line: 5, reason: 'has 3 fields; the header has 2' }] },
      ],
      [{ row: 0, workflowId: 'w-a', outcome: 'active', connectorId: 'c', channelId: 'ch' }],
    );
    assert.deepEqual(
      report.filter((r) => r.outcome === 'invalid').map((r) => r.reason),
      ['phoneNumberId: must be a UUID', 'name: too long; has 3 fields; the header has 2'],
    );
    assert.deepEqual(
      report.map((r) => [r.line, r.outcome]),
      [
        [2, 'active'],
        [3, 'invalid'],
        [4, 'not-started'],
        [5, 'invalid'],
      ],
    );
    assert.deepEqual(countOutcomes(report), {
      active: 1,
      'already-active': 0,
      failed: 0,
      cancelled: 0,
      'not-started': 1,
      invalid: 2,
    });
    assert.equal(allSuccessful(report), false);
    assert.equal(allSuccessful(report.slice(0, 1)), true);
  });
});

describe('bulk store', () => {
  it('stores an inventory once per content, reads it in pages bounded by bytes, and keeps outcomes per run', async () => {
    const store = new BulkStore(await mkdtemp(join(tmpdir(), 'bulk-store-')));
    const defaults = parseBulkDefaults(DEFAULTS);
    const rows = Array.from({ length: 2_500 }, (_, i) => ({
      line: i + 2,
      kind: 'columns' as const,
      columns: { phoneNumberId: randomUUID() },
    }));
    const inventory = buildInventory(defaults, rows);
    const m1 = await store.saveInventory(inventory, 'numbers.csv');
    const m2 = await store.saveInventory(inventory, 'numbers.csv');
    assert.equal(m1.bulkKey, m2.bulkKey);
    assert.equal(m1.createdAt, m2.createdAt, 'the same content is stored once');
    assert.equal(m1.rows, 2_500);
    const page = await store.readRows(m1.bulkKey, 995, 10);
    assert.deepEqual(
      page.map((r) => r.row),
      [995, 996, 997, 998, 999, 1000, 1001, 1002, 1003, 1004],
      'pages cross chunk files',
    );
    const bounded = await store.readRows(m1.bulkKey, 0, 100, 2_000);
    assert.ok(bounded.length >= 1 && bounded.length < 10, `a byte bound cuts the page (${bounded.length} rows)`);
    assert.equal((await store.readRows(m1.bulkKey, 2_499, 10)).length, 1);
    await store.saveOutcomes(m1.bulkKey, 'run-1', 0, [{ row: 0, workflowId: 'w', outcome: 'active' }]);
    await store.saveOutcomes(m1.bulkKey, 'run-1', 0, [{ row: 0, workflowId: 'w', outcome: 'active' }]);
    assert.equal((await store.outcomes(m1.bulkKey, 'run-1')).length, 1, 'a retried batch rewrites its file');
    assert.deepEqual(await store.outcomes(m1.bulkKey, 'run-2'), []);
    await assert.rejects(
      store.manifest('nope-0000'),
      /is not in the bulk store at .*: the CLI that started the run and this worker must share BULK_STORE_DIR/,
    );
  });

  it('writes a file it can read back (CSV with CRLF written by a spreadsheet)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inv-'));
    const path = join(dir, 'numbers.csv');
    await writeFile(path, `phoneNumberId\r\n${randomUUID()}\r\n`);
    assert.equal((await readInventoryFile(path)).rows.length, 1);
  });
});
