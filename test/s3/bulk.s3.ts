/**
 * The bulk store in a real S3-compatible object store (SeaweedFS, test/s3/seaweedfs.ts), with the product as it runs
 * on several hosts: two worker processes and the CLI, each in its own working directory with no BULK_STORE_DIR, so
 * the object store is all they share. `npm run test:s3` (minutes: it builds and starts SeaweedFS).
 *  - a bulk onboarding completes, every number once, and nothing is written to a local directory;
 *  - the store stopped mid-run and started again: the run waits, then resumes; nothing lost or duplicated;
 *  - a chunk altered or deleted: the run fails with an error naming the object's key, and starts no more rows;
 *  - credentials with no permission on the bucket: the CLI stops with a clear error, no credential printed.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { BirdSimulator } from '../../src/bird-sim';
import { BulkStore } from '../../src/bulk/store';
import { bulkStoreFromEnv } from '../../src/bulk/store-env';
import { bulkWorkflowId, prepareInventory, startBulk } from '../../src/client/bulk-client';
import { startWorld, type ChaosWorld } from '../chaos/world';
import { waitFor } from '../helpers/wait';
import { SeaweedFs } from './seaweedfs';

const ROOT = resolve(__dirname, '..', '..');

async function readReport(path: string): Promise<Array<Record<string, string>>> {
  return parse(await readFile(path, 'utf8'), { columns: true });
}
const TSX_LOADER = resolve(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('bulk store on an S3-compatible object store (SeaweedFS), workers and CLI sharing nothing else', function () {
  this.timeout(900_000);
  let weed: SeaweedFs;
  let world: ChaosWorld;
  let sim: BirdSimulator;
  const accessKey = `s3-access-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const taskQueue = `s3-${randomUUID()}`;
  const prefix = `runs-${randomUUID().slice(0, 8)}`;
  const workers: ChildProcess[] = [];
  const workerDirs: string[] = [];
  let cliDir: string;
  let defaultsFile: string;
  const temporalEnv = () => ({
    TEMPORAL_ADDRESS: world.server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
  });

  before(async function () {
    this.timeout(1_800_000);
    [weed, world, sim] = await Promise.all([
      SeaweedFs.start(),
      startWorld(),
      BirdSimulator.start({
        provisioningDelayMs: 500,
        accessKeys: [accessKey],
        workspaces: [{ id: workspaceId, organizationId }],
      }),
    ]);
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(join(tmpdir(), `s3-host-${i}-`));
      workerDirs.push(dir);
      const env = {
        PATH: process.env.PATH ?? '',
        ...temporalEnv(),
        ...weed.env(prefix),
        BIRD_API_BASE_URL: sim.url,
        BIRD_ACCESS_KEY: accessKey,
        BIRD_SECRET_WEBHOOK_SIGNING_KEY: 'unused-signing-key-0123456789',
        WORKFLOW_BUNDLE_PATH: world.bundlePath,
        WORKER_HEALTH_PORT: '0',
        WORKER_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      const proc = spawn(process.execPath, ['--import', TSX_LOADER, resolve(ROOT, 'src', 'worker.ts')], {
        cwd: dir,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      workers.push(proc);
    }
    cliDir = await mkdtemp(join(tmpdir(), 's3-cli-'));
    defaultsFile = join(cliDir, 'defaults.json');
    await writeFile(
      defaultsFile,
      JSON.stringify({
        workspaceId,
        organizationId,
        connector: {
          connectorTemplateRef: 'sms-messagebird:1',
          name: 'Acme Support',
          arguments: { channelMessageType: 'transactional' },
        },
        readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '2m' },
      }),
    );
  });

  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all([weed?.stop(), world?.close(), sim?.close()]);
  });

  function cli(
    args: string[],
    env: Record<string, string> = weed.env(prefix),
  ): { done: Promise<Run>; child: ChildProcess } {
    let child!: ChildProcess;
    const done = new Promise<Run>((res) => {
      child = execFile(
        process.execPath,
        ['--import', TSX_LOADER, resolve(ROOT, 'src', 'starter.ts'), ...args],
        {
          cwd: cliDir,
          env: {
            PATH: process.env.PATH ?? '',
            ...temporalEnv(),
            ...env,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
          timeout: 600_000,
        },
        (err, stdout, stderr) => res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    return { done, child };
  }

  async function numbersFile(name: string, n: number): Promise<{ file: string; numbers: string[] }> {
    const numbers = Array.from({ length: n }, () => randomUUID());
    const file = join(cliDir, name);
    await writeFile(file, `phoneNumberId\n${numbers.join('\n')}\n`);
    return { file, numbers };
  }

  const live = (n: string) => sim.connectors().filter((c) => !c.deletedAt && c.number?.numberId === n).length;
  const store = () =>
    bulkStoreFromEnv({ ...weed.env(prefix), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

  async function checkReport(reportFile: string, numbers: string[]) {
    const report = await readReport(reportFile);
    assert.equal(report.length, numbers.length);
    assert.deepEqual(report.map((r) => r.phoneNumberId).sort(), [...numbers].sort(), 'every number once');
    assert.deepEqual([...new Set(report.map((r) => r.outcome))], ['active']);
    for (const n of numbers) assert.equal(live(n), 1, `${n} has exactly one connector`);
  }

  async function storedOutcomes(file: string) {
    const inventory = await prepareInventory(file, JSON.parse(await readFile(defaultsFile, 'utf8')));
    const s = store();
    const manifest = await s.saveInventory(inventory, file); // the same content: the stored manifest, unchanged
    const { runId } = await world.client.workflow.getHandle(bulkWorkflowId(manifest)).describe();
    return s.outcomes(manifest.bulkKey, runId);
  }

  it('onboards with the CLI and two workers in separate directories, the object store their only common ground', async () => {
    const { file, numbers } = await numbersFile('shared.csv', 40);
    const report = join(cliDir, 'shared-report.csv');
    const run = await cli(['bulk', '--file', file, '--defaults', defaultsFile, '--wait', '--report', report]).done;
    assert.equal(run.code, 0, run.stderr);
    await checkReport(report, numbers);
    for (const dir of [...workerDirs, cliDir])
      assert.equal(existsSync(join(dir, '.data')), false, `nothing stored locally in ${dir}`);
    const outcomes = await storedOutcomes(file);
    assert.equal(outcomes.length, 40);
    assert.equal(new Set(outcomes.map((o) => o.row)).size, 40);
  });

  it('waits out the object store going away mid-run and resumes: nothing lost, nothing duplicated', async () => {
    const { file, numbers } = await numbersFile('outage.csv', 40);
    const report = join(cliDir, 'outage-report.csv');
    const { done, child } = cli([
      'bulk',
      '--file',
      file,
      '--defaults',
      defaultsFile,
      '--wait',
      '--report',
      report,
      '--concurrency',
      '10',
    ]);
    await waitFor(
      'some provisionings to be under way',
      () => (numbers.filter((n) => live(n) > 0).length >= 5 ? true : undefined),
      180_000,
      100,
    );
    assert.equal(child.exitCode, null, 'the run had not finished when the store went away');
    await weed.stop();
    try {
      await new Promise((r) => setTimeout(r, 10_000));
      assert.equal(child.exitCode, null, 'the CLI is still waiting for the run');
    } finally {
      await weed.resume();
    }
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    await checkReport(report, numbers);
    const outcomes = await storedOutcomes(file);
    assert.equal(outcomes.length, 40, 'every outcome batch was written once');
    assert.equal(new Set(outcomes.map((o) => o.row)).size, 40);
  });

  for (const damage of ['altered', 'missing'] as const) {
    it(`fails the run when a chunk was ${damage}, naming its key, and starts no more rows`, async () => {
      const { file, numbers } = await numbersFile(`${damage}.csv`, 15);
      const inventory = await prepareInventory(file, JSON.parse(await readFile(defaultsFile, 'utf8')));
      const s = new BulkStore(store().backend, { chunkRows: 5 });
      const manifest = await s.saveInventory(inventory, file);
      const key = `${prefix}/${manifest.bulkKey}/rows/000001.jsonl`;
      const admin = weed.client(weed.admin);
      if (damage === 'altered')
        await admin.send(new PutObjectCommand({ Bucket: weed.bucket, Key: key, Body: '{"row":5}\n' }));
      else await admin.send(new DeleteObjectCommand({ Bucket: weed.bucket, Key: key }));
      admin.destroy();
      const started = await startBulk(world.client, s, inventory, { taskQueue, concurrency: 5, pageSize: 5 });
      const err = await started.handle.result().then(
        () => assert.fail('the run fails'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      const cause = err.cause as (Error & { cause?: Error }) | undefined; // ActivityFailure, then the ApplicationFailure
      const message = cause?.cause?.message ?? cause?.message ?? '';
      assert.ok(message.includes(`s3://${weed.bucket}/${key}`), message);
      assert.match(message, damage === 'altered' ? /was altered/ : /is missing/);
      await waitFor(
        "the first chunk's rows to be provisioned",
        () => (numbers.slice(0, 5).every((n) => live(n) === 1) ? true : undefined),
        120_000,
        100,
      );
      assert.deepEqual(
        numbers.slice(5).filter((n) => live(n) > 0),
        [],
        'no row after the damaged chunk was started',
      );
    });
  }

  it('stops the CLI with a clear error when the credentials have no permission on the bucket, printing no credential', async () => {
    const { file } = await numbersFile('denied.csv', 3);
    const run = await cli(['bulk', '--file', file, '--defaults', defaultsFile], weed.env(prefix, weed.outsider)).done;
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`could not (read|write) s3://${weed.bucket}/${prefix}/`));
    assert.match(run.stderr, /access denied by the object store/);
    assert.match(run.stderr, new RegExp(`BULK_STORE_S3_CREDENTIALS\\) may read, write and list bucket ${weed.bucket}`));
    for (const secret of [weed.outsider.secretAccessKey, weed.outsider.accessKeyId])
      assert.ok(!run.stderr.includes(secret) && !run.stdout.includes(secret), 'no credential printed');
  });
});
