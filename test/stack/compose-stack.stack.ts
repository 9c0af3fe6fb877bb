/**
 * The docker-compose.yml topology on a real Temporal Server 1.29.1 on PostgreSQL, without Docker (`npm run
 * test:stack`, docs/stack.md): the schema set up by temporal-sql-tool, the server configured as the auto-setup image
 * configures it with this repo's dynamic config file as Compose mounts it, the search attributes registered by the
 * Compose one-shot's own script, then the worker, the receiver, the simulator, the subscription one-shot and the CLI
 * from the production build with the environments docker-compose.yml gives them. One channel provisioned, 200
 * numbers onboarded in bulk, and per-workspace fairness seen in force on the server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { birdReadsQueue, birdWritesQueue } from '../../src/bird/rate-limits/queues';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { startNodeProcess, type NodeProcess } from '../helpers/processes';
import { BUILD_DIR, productionBuild } from '../helpers/production-build';
import { freePort, temporalCliPath } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { loadComposeServices, localCommand, localEnv, type Localizer } from './compose-services';
import { startComposeTemporal, type ComposeTemporal } from './compose-temporal';
import type { Postgres } from './postgres';
import type { TemporalServer } from './temporal-server';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');

describe('the Compose stack on Temporal Server 1.29.1 on PostgreSQL', function () {
  this.timeout(900_000);
  const services = loadComposeServices();
  const processes: NodeProcess[] = [];
  let stack: ComposeTemporal | undefined;
  let pg: Postgres;
  let server: TemporalServer;
  let local: Localizer;
  let work: string;
  const timings: string[] = [];
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    const value = await f();
    timings.push(`${what} ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return value;
  };

  /** `docker compose up <name>`, or with `runArgs` `docker compose run <name> <runArgs>`. */
  const startService = (name: string, runArgs?: string[]) => {
    const svc = services[name]!;
    const { entry, args } = localCommand(svc, local, runArgs);
    const p = startNodeProcess(
      entry,
      { NODE_ENV: 'production', ...localEnv(svc, local) },
      { node: process.execPath, args },
    );
    processes.push(p);
    return p;
  };
  const healthy = (what: string, url: string) =>
    waitFor(what, async () => ((await fetch(url).catch(() => undefined))?.ok ? true : undefined), 120_000, 250);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'compose-stack-'));
    // The server needs the credentials the postgres service is created with.
    const pgEnv = services.postgresql!.environment!;
    const temporalEnv = services.temporal!.environment!;
    assert.deepEqual(
      [temporalEnv.POSTGRES_USER, temporalEnv.POSTGRES_PWD],
      [pgEnv.POSTGRES_USER, pgEnv.POSTGRES_PASSWORD],
    );
    [stack] = await Promise.all([startComposeTemporal({ timed }), timed('production build', productionBuild)]);
    ({ pg, server } = stack);

    local = {
      hosts: {
        'temporal:7233': server.address,
        'bird-sim:8787': `127.0.0.1:${await freePort()}`,
        'webhook-receiver:8788': `127.0.0.1:${await freePort()}`,
      },
      ports: {},
      volumes: { 'bulk-store': mkdtempSync(join(work, 'bulk-store-')) },
      buildDir: BUILD_DIR,
    };
    local.ports = {
      '8787': Number(local.hosts['bird-sim:8787']!.split(':')[1]),
      '8788': Number(local.hosts['webhook-receiver:8788']!.split(':')[1]),
      '9464': await freePort(),
      '9465': await freePort(),
    };
  });

  after(async () => {
    for (const p of processes) p.kill();
    await Promise.all(processes.map((p) => p.exited));
    await stack?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (timings.length) console.log(`      timings: ${timings.join(', ')}`);
  });

  it("answers the temporal service's Compose health check (frontend serving, default namespace registered)", async () => {
    const test = services.temporal!.healthcheck!.test!;
    assert.equal(test[0], 'CMD-SHELL');
    const script = test[1]!.replaceAll('temporal:7233', server.address);
    await run('sh', ['-c', script], {
      env: { PATH: `${dirname(temporalCliPath())}:${process.env.PATH ?? ''}`, HOME: work },
    });
  });

  it('registers the search attributes with the Compose one-shot, on PostgreSQL visibility', async () => {
    await timed('search attributes', () => stack!.registerSearchAttributes());
    // Idempotent, as Compose may run it again on every `up` (the server accepts an attribute it has, same type).
    await stack!.registerSearchAttributes();
    const listed = await server.cli(['operator', 'search-attribute', 'list', '--namespace', 'default', '-o', 'json']);
    for (const sa of PROVISIONING_SEARCH_ATTRIBUTES)
      assert.ok(listed.includes(`"${sa.name}"`), `${sa.name} is registered`);
  });

  it('runs the simulator, the worker and the receiver from the production build; the subscription one-shot completes', async () => {
    startService('bird-sim');
    await healthy('the simulator', `http://${local.hosts['bird-sim:8787']}/_sim/faults`);
    startService('worker');
    startService('webhook-receiver');
    await timed('worker healthy', () => healthy('the worker', `http://127.0.0.1:${local.ports['9465']}/healthz`));
    await healthy('the receiver', `http://${local.hosts['webhook-receiver:8788']}/healthz`);
    const oneShot = startService('ensure-webhook-subscription');
    const { code } = await timed('ensure-webhook-subscription', () => oneShot.exited);
    assert.equal(code, 0, oneShot.lines.slice(-20).join('\n'));
  });

  it('provisions one channel with the CLI', async () => {
    const input = JSON.parse(readFileSync(join(ROOT, 'examples', 'provision-sms.json'), 'utf8')) as {
      connector: { arguments: Record<string, string> };
    };
    input.connector.arguments.phoneNumberId = randomUUID();
    const file = join(work, 'provision.json');
    writeFileSync(file, JSON.stringify(input));
    const cli = startService('starter', ['provision', '--input', file, '--wait']);
    const { code } = await timed('provision', () => cli.exited);
    assert.equal(code, 0, cli.lines.slice(-20).join('\n'));
    assert.match(
      cli.lines.join('\n'),
      new RegExp(input.connector.arguments.phoneNumberId),
      'the result names the number',
    );
  });

  it('onboards 200 numbers in bulk with the CLI: every row active', async () => {
    const file = join(work, 'numbers.csv');
    writeFileSync(file, ['phoneNumberId', ...Array.from({ length: 200 }, () => randomUUID())].join('\n'));
    const report = join(work, 'report.csv');
    const cli = startService('starter', [
      'bulk',
      '--file',
      file,
      '--defaults',
      join(ROOT, 'examples', 'bulk-defaults.json'),
      '--report',
      report,
    ]);
    const { code } = await timed('bulk of 200', () => cli.exited);
    assert.equal(code, 0, cli.lines.slice(-20).join('\n'));
    assert.ok(existsSync(report), `no report written; the CLI said:\n${cli.lines.slice(-20).join('\n')}`);
    const rows = readFileSync(report, 'utf8').trim().split('\n').slice(1);
    assert.equal(rows.length, 200);
    assert.equal(
      rows.filter((r) => r.includes(',active,')).length,
      200,
      rows
        .filter((r) => !r.includes(',active,'))
        .slice(0, 5)
        .join('\n'),
    );
  });

  it("holds per-workspace fairness: the worker's per-workspace rate on the Bird queues, matched by the fair matcher", async () => {
    const workerEnv = services.worker!.environment!;
    const queue = services.worker!.environment!.TEMPORAL_TASK_QUEUE!;
    for (const [tq, rate] of [
      [birdReadsQueue(queue), workerEnv.BIRD_RATE_LIMIT_GET_PER_SECOND],
      [birdWritesQueue(queue), workerEnv.BIRD_RATE_LIMIT_POST_PER_SECOND],
    ] as const) {
      const config = JSON.parse(
        await server.cli([
          'task-queue',
          'config',
          'get',
          '--namespace',
          'default',
          '--task-queue',
          tq,
          '--task-queue-type',
          'activity',
          '-o',
          'json',
        ]),
      ) as {
        fairnessKeysRateLimitDefault?: { rateLimit?: { requestsPerSecond?: number } };
      };
      assert.equal(
        config.fairnessKeysRateLimitDefault?.rateLimit?.requestsPerSecond,
        Number(rate),
        `${tq}: ${JSON.stringify(config)}`,
      );
    }
    // matching.enableFairness (from deploy/dynamicconfig.yaml) switches the server's task persistence to the fair
    // matcher's tables (tasks_v2, task_queues_v2); without it the queues would be in task_queues.
    const queuesIn = async (table: string) =>
      pg.query(
        'temporal',
        `SELECT count(*) FROM ${table} WHERE position(convert_to('${birdReadsQueue(queue)}', 'UTF8') IN task_queue_id) > 0`,
      );
    assert.ok(Number((await queuesIn('task_queues_v2'))[0]) > 0, 'the Bird reads queue is in the fair tables');
    assert.equal(Number((await queuesIn('task_queues'))[0]), 0, 'and not in the classic ones');
  });
});
