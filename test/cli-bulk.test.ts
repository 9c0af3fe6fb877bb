/**
 * `starter bulk`, `bulk-status` and `bulk-cancel` as an operator meets them: real child processes, real exit codes
 * and output, against the test dev server and the simulator, with a spreadsheet-made CSV whose numbers share one
 * channel name, invalid and duplicate rows, numbers Bird refuses, a re-run, a retry of the failures, Ctrl-C.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readReport, spreadsheetCsv } from './helpers/csv-files';
import { smsBulkDefaults } from './helpers/inventory';
import type { StarterRun } from './helpers/starter-process';
import { startStack, type Stack } from './helpers/stack';
import { temporal } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const ROOT = resolve(__dirname, '..');

describe('starter bulk commands', function () {
  this.timeout(180_000);
  let stack: Stack;
  let address: string;
  let dir: string;
  let defaultsFile: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ sim: { provisioningDelayMs: 300 } });
    address = (await temporal()).address;
    dir = await mkdtemp(join(tmpdir(), 'cli-bulk-'));
    defaultsFile = join(dir, 'defaults.json');
    await writeFile(
      defaultsFile,
      JSON.stringify(
        smsBulkDefaults(stack, {
          readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '1m' },
        }),
      ),
    );
  });
  after(() => stack?.closeCheckingHistories());

  const env = () => ({
    PATH: process.env.PATH ?? '',
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    BULK_STORE_DIR: stack.bulkStore.dir,
  });

  function starter(...args: string[]): Promise<StarterRun> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/starter.ts', ...args],
        { cwd: ROOT, env: env(), timeout: 150_000 },
        (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  const csv = (name: string, lines: string[]) => spreadsheetCsv(dir, name, lines);

  const bulkRuns = async () => {
    const ids: string[] = [];
    for await (const wf of stack.client.workflow.list({
      query: `WorkflowType = 'bulkOnboard' AND BirdWorkspaceId = '${stack.workspaceId}'`,
    }))
      ids.push(wf.workflowId);
    return ids;
  };
  const live = (n: string) => stack.sim.connectors().filter((c) => !c.deletedAt && c.number?.numberId === n).length;

  it('refuses a file with invalid rows before anything starts, naming each line and field (exit 2)', async () => {
    const n = randomUUID();
    const file = await csv('bad.csv', [
      'phoneNumberId,name,channelMessageType',
      `${n},"Support, EMEA",`,
      'not-a-uuid,,',
      `${randomUUID()},,marketing`,
      `${n.toUpperCase()},,`,
    ]);
    const run = await starter('bulk', '--file', file, '--defaults', defaultsFile);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /3 invalid row\(s\)/);
    assert.match(run.stderr, new RegExp(`${file}:3: phoneNumberId: `));
    assert.match(run.stderr, new RegExp(`${file}:4: channelMessageType: `));
    assert.match(run.stderr, new RegExp(`${file}:5: phoneNumberId: duplicate of line 2`));
    assert.match(run.stderr, /nothing was started/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await bulkRuns(), []);
  });

  it('--dry-run prints what would start and starts nothing; bad defaults, a missing file and a bad option are usage errors', async () => {
    const numbers = [randomUUID(), randomUUID()];
    const file = await csv('dry.csv', ['phoneNumberId', ...numbers]);
    const dry = await starter('bulk', '--file', file, '--defaults', defaultsFile, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    for (const n of numbers) assert.match(dry.stdout, new RegExp(`provision/${stack.workspaceId}/${n}`));
    assert.match(dry.stderr, /dry run: would start 2 provisioning\(s\)/);
    assert.deepEqual(await bulkRuns(), []);

    const badDefaults = join(dir, 'bad-defaults.json');
    await writeFile(badDefaults, '{\n  "workspaceId": "x",\n  "conector": {}\n}');
    const bad = await starter('bulk', '--file', file, '--defaults', badDefaults);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /conector: unknown field/);
    const brokenJson = join(dir, 'broken.json');
    await writeFile(brokenJson, '{\n  "workspaceId": \n}');
    assert.match((await starter('bulk', '--file', file, '--defaults', brokenJson)).stderr, /line 3, column 1/);
    const missing = await starter('bulk', '--file', join(dir, 'nope.csv'), '--defaults', defaultsFile);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file: .*nope\.csv/);
    assert.equal((await starter('bulk', '--file', file, '--defaults', defaultsFile, '--concurrency', '0')).code, 2);
  });

  let numbers: string[];
  let failing: string[];
  let file: string;

  it('onboards a CSV (one name for all, invalid rows skipped), shows progress and writes a complete report; exit 1 when some fail', async () => {
    numbers = Array.from({ length: 30 }, () => randomUUID());
    failing = numbers.slice(0, 3);
    for (const n of failing)
      stack.sim.configureNumber(n, { outcome: 'error', errorMessage: 'number not verified for A2P' });
    file = await csv('numbers.csv', [
      'phoneNumberId,name',
      ...numbers.map((n) => `${n},`),
      'oops,',
      `${numbers[7]},Acme Support`,
    ]);
    const report = join(dir, 'report.csv');
    const run = await starter(
      'bulk',
      '--file',
      file,
      '--defaults',
      defaultsFile,
      '--skip-invalid',
      '--concurrency',
      '8',
      '--report',
      report,
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /bulk run bulk\//);
    assert.match(
      run.stderr,
      /\d+\/30 done · pending \d+ · running \d+(?:\/\d+)? · active \d+ · failed \d+ · compensated \d+ · [\d.]+\/s · ETA /,
      'plain progress lines off a terminal',
    );
    assert.match(run.stderr, /outcome\s+rows\nactive\s+27\nfailed\s+3\ninvalid\s+2/);
    const rows = await readReport(report);
    assert.deepEqual(Object.keys(rows[0]!), [
      'phoneNumberId',
      'outcome',
      'connectorId',
      'channelId',
      'workflowId',
      'reason',
    ]);
    assert.equal(rows.length, 32);
    const by = new Map(rows.filter((r) => r.outcome !== 'invalid').map((r) => [r.phoneNumberId, r]));
    for (const n of numbers.slice(3)) {
      assert.equal(by.get(n)?.outcome, 'active');
      assert.equal(live(n), 1);
      assert.equal(
        stack.sim.connectors().find((c) => !c.deletedAt && c.number?.numberId === n)?.id,
        by.get(n)?.connectorId,
      );
    }
    for (const n of failing) {
      assert.equal(by.get(n)?.outcome, 'failed');
      assert.match(by.get(n)?.reason ?? '', /number not verified for A2P.*Undone: deleted connector/);
      assert.equal(live(n), 0);
    }
    assert.equal(rows.filter((r) => r.outcome === 'invalid').length, 2);
    assert.match(rows.find((r) => r.phoneNumberId === 'oops')?.reason ?? '', /^phoneNumberId: /);
  });

  it('--retry-failed runs only the failed rows again; the same file again provisions nothing twice', async () => {
    for (const n of failing) stack.sim.configureNumber(n, { outcome: 'active' });
    const report2 = join(dir, 'retry.json');
    const retry = await starter(
      'bulk',
      '--file',
      file,
      '--defaults',
      defaultsFile,
      '--skip-invalid',
      '--retry-failed',
      join(dir, 'report.csv'),
      '--report',
      report2,
    );
    assert.equal(retry.code, 0, retry.stderr);
    const rows = JSON.parse(await readFile(report2, 'utf8')) as Array<{ phoneNumberId: string; outcome: string }>;
    assert.deepEqual(rows.map((r) => r.phoneNumberId).sort(), [...failing].sort());
    assert.ok(rows.every((r) => r.outcome === 'active'));

    const creates = stack.sim.calls().filter((c) => c.operationId === 'createConnector').length;
    const again = await starter(
      'bulk',
      '--file',
      file,
      '--defaults',
      defaultsFile,
      '--skip-invalid',
      '--report',
      join(dir, 'again.csv'),
    );
    assert.equal(again.code, 1, 'the invalid rows are rows that are not active');
    assert.match(again.stderr, /2 row\(s\) are invalid/);
    const againRows = await readReport(join(dir, 'again.csv'));
    assert.equal(againRows.filter((r) => r.outcome === 'already-active').length, 30);
    assert.equal(
      stack.sim.calls().filter((c) => c.operationId === 'createConnector').length,
      creates,
      'no create was sent',
    );
  });

  it('Ctrl-C asks; "no" leaves the run going and bulk-status --wait follows it to the end; "yes" cancels and compensates', async () => {
    const slow = Array.from({ length: 12 }, () => randomUUID());
    for (const n of slow) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 4_000 });
    const slowFile = await csv('slow.csv', ['phoneNumberId', ...slow]);

    const interactive = async (answer: string) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/starter.ts',
          'bulk',
          '--file',
          slowFile,
          '--defaults',
          defaultsFile,
          '--concurrency',
          '4',
          '--wait',
        ],
        {
          cwd: ROOT,
          env: env(),
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
      await waitFor(
        'the bulk run to be followed',
        () => (/running [1-9]/.test(stderr) ? true : undefined),
        60_000,
        100,
      );
      child.kill('SIGINT');
      await waitFor(
        'the confirmation question',
        () => (/Cancel bulk run .*\[y\/N\]/.test(stderr) ? true : undefined),
        10_000,
        50,
      );
      child.stdin.write(`${answer}\n`);
      return { code: await exited, stderr: () => stderr };
    };

    const detached = await interactive('n');
    assert.equal(detached.code, 0, detached.stderr());
    const id = /stopped following; the bulk run goes on\. Follow it again with: starter bulk-status (\S+) --wait/.exec(
      detached.stderr(),
    )?.[1];
    assert.ok(id, detached.stderr());
    const followed = await starter('bulk-status', id, '--wait', '--report', join(dir, 'slow.csv.report.csv'));
    assert.equal(followed.code, 0, followed.stderr);
    const rows = await readReport(join(dir, 'slow.csv.report.csv'));
    assert.equal(rows.filter((r) => r.outcome === 'active').length, 12);

    const more = Array.from({ length: 12 }, () => randomUUID());
    for (const n of more) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 20_000 });
    await writeFile(slowFile, ['phoneNumberId', ...more].join('\n'));
    const cancelled = await interactive('y');
    assert.equal(cancelled.code, 1, 'not every number is active');
    assert.match(cancelled.stderr(), /cancellation requested/);
    assert.match(cancelled.stderr(), /outcome\s+rows\ncancelled\s+4\nnot-started\s+8/);
    for (const n of more) assert.equal(live(n), 0, 'cancelled runs compensated; rows not started untouched');

    const again = await starter('bulk-cancel', id);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /nothing to cancel: bulk run .* already ended \(completed/);
    assert.equal((await starter('bulk-status', 'bulk/no/such')).code, 2);
  });
});
