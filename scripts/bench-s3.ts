/**
 * `npm run bench:s3 [-- --numbers 1000]`: a bulk onboarding on two "hosts" sharing only an object store. SeaweedFS
 * (scripts/seaweedfs.sh) serves S3; two worker processes and the CLI each run in their own working directory with
 * BULK_STORE_URL=s3://… and no BULK_STORE_DIR; the dev server and the simulator (no activation delay, no rate limit)
 * are the rest of the world. Prints the wall time of `starter bulk --wait` and the rate, and checks every number has
 * exactly one connector.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BirdSimulator } from '../src/bird-sim';
import { startWorld } from '../test/chaos/world';
import { SeaweedFs } from '../test/s3/seaweedfs';

const ROOT = resolve(__dirname, '..');
const TSX_LOADER = resolve(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

async function readReport(path: string): Promise<Array<Record<string, string>>> {
  return parse(await readFile(path, 'utf8'), { columns: true });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--numbers');
  const n = at > 0 ? Number(process.argv[at + 1]) : 1_000;
  const accessKey = `bench-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const taskQueue = `bench-s3-${randomUUID()}`;
  const [weed, world, sim] = await Promise.all([
    SeaweedFs.start(),
    startWorld(),
    BirdSimulator.start({ accessKeys: [accessKey], workspaces: [{ id: workspaceId, organizationId }] }),
  ]);
  const workers: ChildProcess[] = [];
  try {
    const temporalEnv = {
      TEMPORAL_ADDRESS: world.server.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
    };
    const s3Env = { ...weed.env('bench'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    for (let i = 0; i < 2; i++) {
      const cwd = await mkdtemp(join(tmpdir(), `bench-host-${i}-`));
      const env = {
        PATH: process.env.PATH ?? '',
        ...temporalEnv,
        ...s3Env,
        BIRD_API_BASE_URL: sim.url,
        BIRD_ACCESS_KEY: accessKey,
        WORKFLOW_BUNDLE_PATH: world.bundlePath,
        WORKER_HEALTH_PORT: '0',
        WORKER_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      };
      workers.push(
        spawn(process.execPath, ['--import', TSX_LOADER, resolve(ROOT, 'src', 'worker.ts')], {
          cwd,
          env,
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    const cliDir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
    const numbers = Array.from({ length: n }, () => randomUUID());
    await writeFile(join(cliDir, 'numbers.csv'), `phoneNumberId\n${numbers.join('\n')}\n`);
    await writeFile(
      join(cliDir, 'defaults.json'),
      JSON.stringify({
        workspaceId,
        organizationId,
        connector: {
          connectorTemplateRef: 'sms-messagebird:1',
          name: 'Bench',
          arguments: { channelMessageType: 'transactional' },
        },
        readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '10m' },
      }),
    );
    const args = [
      '--import',
      TSX_LOADER,
      resolve(ROOT, 'src', 'starter.ts'),
      'bulk',
      '--file',
      'numbers.csv',
      '--defaults',
      'defaults.json',
      '--wait',
      '--report',
      'report.csv',
      '--concurrency',
      '200',
    ];
    const start = Date.now();
    const code = await new Promise<number>((res) =>
      execFile(
        process.execPath,
        args,
        { cwd: cliDir, env: { PATH: process.env.PATH ?? '', ...temporalEnv, ...s3Env }, maxBuffer: 64 << 20 },
        (err) => res(err ? ((err as { code?: number }).code ?? 1) : 0),
      ),
    );
    const wallS = (Date.now() - start) / 1000;
    const report = await readReport(join(cliDir, 'report.csv'));
    const live = new Map<string, number>();
    for (const c of sim.connectors())
      if (!c.deletedAt && c.number?.numberId) live.set(c.number.numberId, (live.get(c.number.numberId) ?? 0) + 1);
    console.log(
      JSON.stringify({
        numbers: n,
        hosts: 2,
        sharedOnly: 's3 (SeaweedFS)',
        cliExitCode: code,
        wallSeconds: Number(wallS.toFixed(1)),
        numbersPerSecond: Number((n / wallS).toFixed(2)),
        active: report.filter((r) => r.outcome === 'active').length,
        numbersWithOneConnector: numbers.filter((x) => live.get(x) === 1).length,
        duplicates: [...live.values()].filter((v) => v > 1).length,
      }),
    );
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all([weed.stop(), world.close(), sim.close()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
