/**
 * The starter CLI as another service or an operator meets it: real child processes against the test dev server
 * and the simulator stack, with their real exit codes (the table in src/cli/exit-codes.ts) and output. Figures
 * (time to fail, time to the no-worker warning) are printed, not asserted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_CODES, ExitCode } from '../src/cli/exit-codes';
import type { ProvisionChannelInputRaw } from '../src/domain/provisioning-input';
import { staticSecretStore } from '../src/config/secrets';
import { createProvisioningWorker, type ProvisioningWorker } from '../src/worker/factory';
import { terminateLeftoverRuns } from './helpers/cleanup';
import { startNodeProcess, type NodeProcess } from './helpers/processes';
import { SIGNING_KEY_REF, smsInput, startStack, type Stack } from './helpers/stack';
import { freePort, temporal, type TemporalHarness } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const ROOT = resolve(__dirname, '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const NO_STACK = /^\s+at .+\(.*:\d+:\d+\)$|TransportError|\n\s+at /m;

describe('starter CLI', function () {
  this.timeout(120_000);
  let stack: Stack;
  let harness: TemporalHarness;
  let address: string;
  let dir: string;
  const started: string[] = [];
  const processes: NodeProcess[] = [];

  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
    harness = await temporal();
    address = harness.address;
    dir = await mkdtemp(join(tmpdir(), 'starter-'));
  });
  after(async () => {
    for (const p of processes) p.kill();
    await terminateLeftoverRuns(harness.env.client, started);
    await stack?.closeCheckingHistories();
  });

  const cliEnv = (extra: Record<string, string> = {}) => ({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    ...extra,
  });

  function starterWith(env: Record<string, string>, ...args: string[]): Promise<Run> {
    const t0 = Date.now();
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/starter.ts', ...args],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 90_000 },
        (err, stdout, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - t0 }),
      );
    });
  }
  const starter = (...args: string[]) => starterWith(cliEnv(), ...args);

  async function inputFile(input: unknown): Promise<string> {
    const path = join(dir, `${randomUUID()}.json`);
    await writeFile(path, typeof input === 'string' ? input : JSON.stringify(input, null, 2));
    return path;
  }
  const phoneOf = (input: ProvisionChannelInputRaw) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  const withPhone = (input: ProvisionChannelInputRaw, phoneNumberId: string): ProvisionChannelInputRaw => ({
    ...input,
    connector: { ...input.connector, arguments: { ...(input.connector.arguments as object), phoneNumberId } },
  });
  const workflowIdOf = (input: ProvisionChannelInputRaw) =>
    `provision/${input.workspaceId}/${phoneOf(input).toLowerCase()}`;
  const connectorsOf = (phone: string) =>
    stack.sim.connectors().filter((c) => c.number?.numberId === phone.toLowerCase());
  const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

  /** A worker of our own on its own task queue, for tests that must stop it (the stack's keeps serving the rest). */
  async function privateWorker(taskQueue: string): Promise<{ worker: ProvisioningWorker; running: Promise<void> }> {
    const worker = await createProvisioningWorker({
      connection: harness.env.nativeConnection,
      namespace: 'default',
      taskQueue,
      bird: stack.bird,
      secrets: staticSecretStore({ [SIGNING_KEY_REF]: stack.secrets.signingKey }),
      workflowBundle: harness.workflowBundle,
    });
    return { worker, running: worker.run() };
  }

  async function stageOf(workflowId: string): Promise<string | undefined> {
    const status = await starter('status', workflowId);
    return status.code === 0 ? (JSON.parse(status.stdout) as { stage?: string }).stage : undefined;
  }

  describe('provisioning', () => {
    it('provision --wait prints the result as JSON', async () => {
      const input = smsInput(stack);
      const run = await starter('provision', '--input', await inputFile(input), '--wait');
      assert.equal(run.code, ExitCode.ok, run.stderr);
      const result = JSON.parse(run.stdout) as { connectorId: string; finalStatus: { status: string } };
      assert.equal(result.finalStatus.status, 'ok');
      assert.ok(stack.sim.connectors().some((c) => c.id === result.connectorId && !c.deletedAt));
      assert.match(run.stderr, new RegExp(`^started ${workflowIdOf(input)} \\(run `));
    });

    it('provision --wait exits 1 with a one-line reason on failure', async () => {
      const input = smsInput(stack);
      stack.sim.configureNumber(phoneOf(input), { outcome: 'error', errorMessage: 'number blocked' });
      const run = await starter('provision', '--input', await inputFile(input), '--wait');
      assert.equal(run.code, ExitCode.provisioningFailed);
      assert.equal(run.stdout, '');
      assert.match(
        lastLine(run.stderr),
        /^awaiting-readiness failed: channel status is error: number blocked .*Undone: deleted connector/,
      );
    });

    it('provision of a number already provisioned is idempotent: says so, prints the existing result, exit 0, even with its UUID in upper case', async () => {
      const input = smsInput(stack);
      const first = await starter('provision', '--input', await inputFile(input), '--wait');
      assert.equal(first.code, ExitCode.ok, first.stderr);
      const result = JSON.parse(first.stdout) as { connectorId: string; workflowId: string };

      const upper = withPhone(input, phoneOf(input).toUpperCase());
      for (const args of [['--wait'], []]) {
        const again = await starter('provision', '--input', await inputFile(upper), ...args);
        assert.equal(again.code, ExitCode.ok, again.stderr);
        assert.deepEqual(JSON.parse(again.stdout), JSON.parse(first.stdout), 'the existing result, unchanged');
        assert.match(
          again.stderr,
          new RegExp(
            `^already provisioned: ${result.workflowId} completed .*connector ${result.connectorId}.*Nothing was started`,
          ),
        );
        assert.doesNotMatch(again.stderr, /already started|Workflow execution/);
      }
      assert.equal(connectorsOf(phoneOf(input)).length, 1, 'one connector for the number');
    });

    it('starts for one number in the same instant (two cases of its UUID): one run and one connector, every caller gets its result', async () => {
      const input = smsInput(stack);
      stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 1_500 });
      const files = await Promise.all(
        [
          input,
          withPhone(input, phoneOf(input).toUpperCase()),
          input,
          withPhone(input, phoneOf(input).toUpperCase()),
        ].map(inputFile),
      );
      const runs = await Promise.all(files.map((f) => starter('provision', '--input', f, '--wait')));
      for (const run of runs) assert.equal(run.code, ExitCode.ok, run.stderr);
      const connectorIds = new Set(runs.map((r) => (JSON.parse(r.stdout) as { connectorId: string }).connectorId));
      assert.equal(connectorIds.size, 1);
      assert.equal(connectorsOf(phoneOf(input)).length, 1);
      const ways = runs.map((r) => r.stderr.split(' ')[0]);
      assert.equal(ways.filter((w) => w === 'started').length, 1, ways.join(', '));
      console.log(`      4 starts of one number at once: ${ways.join(', ')}`);
    });
  });

  describe('cancel, result and status of finished runs', () => {
    it('after a cancel, cancel, result and status say what was undone (from the worker)', async () => {
      const input = smsInput(stack);
      stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 60_000 });
      const start = await starter('provision', '--input', await inputFile(input));
      assert.equal(start.code, ExitCode.ok, start.stderr);
      const { workflowId } = JSON.parse(start.stdout) as { workflowId: string };
      await waitFor(
        'awaiting-readiness',
        async () => ((await stageOf(workflowId)) === 'awaiting-readiness' ? true : undefined),
        30_000,
        200,
      );

      const cancel = await starter('cancel', workflowId);
      assert.equal(cancel.code, ExitCode.ok, cancel.stderr);
      const connectorId = connectorsOf(phoneOf(input))[0]!.id;
      assert.match(cancel.stderr, new RegExp(`^cancellation requested for ${workflowId}`));
      assert.equal(
        lastLine(cancel.stderr),
        `cancelled while awaiting-readiness. Undone: deleted connector ${connectorId}.`,
      );
      assert.deepEqual((JSON.parse(cancel.stdout) as { compensation: { undone: string[] } }).compensation.undone, [
        `deleted connector ${connectorId}`,
      ]);
      assert.ok(connectorsOf(phoneOf(input)).every((c) => c.deletedAt));

      const result = await starter('result', workflowId);
      assert.equal(result.code, ExitCode.provisioningFailed);
      assert.equal(
        lastLine(result.stderr),
        `cancelled while awaiting-readiness. Undone: deleted connector ${connectorId}.`,
      );
      const status = await starter('status', workflowId);
      assert.equal(status.code, ExitCode.ok, status.stderr);
      const shown = JSON.parse(status.stdout) as {
        status: string;
        source: string;
        compensation: { undone: string[]; leftBehind: string[] };
      };
      assert.equal(shown.status, 'CANCELLED');
      assert.equal(shown.source, 'worker');
      assert.deepEqual(shown.compensation.undone, [`deleted connector ${connectorId}`]);
      assert.deepEqual(shown.compensation.leftBehind, []);
      assert.match(status.stderr, /cancelled while awaiting-readiness\. Undone: deleted connector/);
    });

    it('after a cancel with no worker left to answer, result and status read what was undone from the history', async () => {
      const taskQueue = `cli-private-${randomUUID()}`;
      const own = await privateWorker(taskQueue);
      const input = smsInput(stack);
      stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 60_000 });
      const start = await starter('--task-queue', taskQueue, 'provision', '--input', await inputFile(input));
      const { workflowId } = JSON.parse(start.stdout) as { workflowId: string };
      await waitFor(
        'awaiting-readiness',
        async () => ((await stageOf(workflowId)) === 'awaiting-readiness' ? true : undefined),
        30_000,
        200,
      );
      assert.equal((await starter('cancel', workflowId)).code, ExitCode.ok);
      own.worker.shutdown();
      await own.running;
      const connectorId = connectorsOf(phoneOf(input))[0]!.id;

      const status = await starter('status', workflowId);
      assert.equal(status.code, ExitCode.ok, status.stderr);
      const shown = JSON.parse(status.stdout) as {
        source: string;
        compensation: { undone: string[]; failedStep: string };
      };
      assert.equal(shown.source, 'history');
      assert.deepEqual(shown.compensation.undone, [`deleted connector ${connectorId}`]);
      assert.equal(shown.compensation.failedStep, 'awaiting-readiness');
      const result = await starter('result', workflowId);
      assert.equal(result.code, ExitCode.provisioningFailed);
      assert.equal(
        lastLine(result.stderr),
        `cancelled while awaiting-readiness. Undone: deleted connector ${connectorId}. (read from the history: no worker answered)`,
      );
      console.log(
        `      status of a cancelled run with no worker: ${status.ms} ms, result: ${result.ms} ms (one query attempt, then the history)`,
      );
    });

    it('cancel of a finished run says how it ended, cancels nothing and exits 2', async () => {
      const done = smsInput(stack);
      const provisioned = await starter('provision', '--input', await inputFile(done), '--wait');
      const result = JSON.parse(provisioned.stdout) as { workflowId: string; connectorId: string; channelId: string };
      const cancel = await starter('cancel', result.workflowId);
      assert.equal(cancel.code, ExitCode.usage);
      assert.equal(cancel.stdout, '');
      assert.match(
        cancel.stderr,
        new RegExp(
          `^nothing to cancel: ${result.workflowId} already finished .*: it completed: connector ${result.connectorId} and channel ${result.channelId} are active`,
        ),
      );
      assert.ok(
        connectorsOf(phoneOf(done)).every((c) => !c.deletedAt),
        'the completed provisioning was left alone',
      );

      const failed = smsInput(stack);
      stack.sim.configureNumber(phoneOf(failed), { outcome: 'error', errorMessage: 'number blocked' });
      assert.equal(
        (await starter('provision', '--input', await inputFile(failed), '--wait')).code,
        ExitCode.provisioningFailed,
      );
      const again = await starter('cancel', workflowIdOf(failed));
      assert.equal(again.code, ExitCode.usage);
      assert.match(
        again.stderr,
        /^nothing to cancel: .* already finished .*: awaiting-readiness failed: channel status is error: number blocked/,
      );
    });

    it('status, result and cancel of an unknown workflow id exit 2 naming it', async () => {
      const id = `provision/${stack.workspaceId}/${randomUUID()}`;
      for (const command of ['status', 'result', 'cancel']) {
        const run = await starter(command, id);
        assert.equal(run.code, ExitCode.usage, `${command}: ${run.stderr}`);
        assert.match(run.stderr, new RegExp(`^no provisioning with workflow id "${id}" in namespace "default"`));
      }
    });
  });

  describe('Temporal unreachable, no worker', () => {
    it('Temporal unreachable: every command fails fast with exit 3, naming the address, the namespace and how to change them', async () => {
      const closed = `127.0.0.1:${await freePort()}`;
      const file = await inputFile(smsInput(stack));
      const id = `provision/${stack.workspaceId}/${randomUUID()}`;
      const commands = [
        ['provision', '--input', file, '--wait'],
        ['status', id],
        ['result', id],
        ['cancel', id],
        ['list', '--workspace', stack.workspaceId],
        [
          'ensure-webhook-subscription',
          '--organization',
          stack.organizationId,
          '--workspace',
          stack.workspaceId,
          '--url',
          'https://hooks.example.com/bird',
        ],
      ];
      const figures: string[] = [];
      for (const args of commands) {
        const run = await starterWith(cliEnv({ TEMPORAL_ADDRESS: closed }), ...args);
        assert.equal(run.code, ExitCode.unavailable, `${args[0]}: ${run.stderr}`);
        assert.equal(run.stdout, '');
        assert.match(
          run.stderr,
          new RegExp(
            `^cannot reach Temporal at ${closed} \\(TEMPORAL_ADDRESS\\), namespace "default": connection refused`,
          ),
        );
        assert.match(run.stderr, /--address host:port and --namespace \(or TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE/);
        assert.doesNotMatch(run.stderr, NO_STACK);
        figures.push(`${args[0]} ${run.ms} ms`);
      }
      console.log(`      time to exit 3 with Temporal unreachable (process start included): ${figures.join(', ')}`);
    });

    it('the global flags win over the environment: --address, --namespace, --task-queue', async () => {
      const closed = `127.0.0.1:${await freePort()}`;
      const input = smsInput(stack);
      const file = await inputFile(input);
      const viaFlag = await starterWith(
        cliEnv({ TEMPORAL_ADDRESS: closed }),
        '--address',
        address,
        'provision',
        '--input',
        file,
        '--wait',
      );
      assert.equal(viaFlag.code, ExitCode.ok, viaFlag.stderr);

      const badFlag = await starter('status', workflowIdOf(input), '--address', closed);
      assert.equal(badFlag.code, ExitCode.unavailable);
      assert.match(badFlag.stderr, new RegExp(`^cannot reach Temporal at ${closed} \\(--address\\)`));

      const namespace = `nope-${randomUUID().slice(0, 8)}`;
      const noNamespace = await starter('--namespace', namespace, 'status', workflowIdOf(input));
      assert.equal(noNamespace.code, ExitCode.unavailable);
      assert.match(
        noNamespace.stderr,
        new RegExp(
          `^Temporal at ${address} \\(TEMPORAL_ADDRESS\\) has no namespace "${namespace}"\\n  change them with --address`,
        ),
      );

      const badAddress = await starter('--address', 'no-port-here', 'list', '--workspace', stack.workspaceId);
      assert.equal(badAddress.code, ExitCode.usage);
      assert.match(
        badAddress.stderr,
        /option '--address <host:port>' argument 'no-port-here' is invalid\. must be host:port/,
      );
    });

    it('no worker on the task queue: provision --wait warns after a few seconds naming the task queue, keeps waiting, and finishes once a worker comes', async () => {
      const taskQueue = `nobody-polls-${randomUUID()}`;
      const input = smsInput(stack);
      const cli = startNodeProcess('src/starter.ts', cliEnv({ TEMPORAL_TASK_QUEUE: taskQueue }), {
        args: ['provision', '--input', await inputFile(input), '--wait'],
        node: process.execPath,
        execArgv: ['--import', 'tsx'],
      });
      processes.push(cli);
      started.push(workflowIdOf(input));
      const t0 = Date.now();
      await cli.waitForLine('started', (l) => l.startsWith('started '), 30_000);
      const tStarted = Date.now();
      const warning = await cli.waitForLine('the no-worker warning', (l) => l.startsWith('warning: no worker'), 30_000);
      const tWarned = Date.now();
      assert.equal(
        warning,
        `warning: no worker is polling task queue "${taskQueue}" in namespace "default" (no poll seen), so the run cannot make progress.`,
      );
      assert.ok(cli.lines.some((l) => l.includes(`TEMPORAL_TASK_QUEUE=${taskQueue} npm run worker`)));
      assert.ok(cli.lines.some((l) => l.includes('Still waiting')));

      // status meanwhile: what the search attributes know, the same warning, exit 3.
      const status = await starter('status', workflowIdOf(input));
      assert.equal(status.code, ExitCode.unavailable);
      const shown = JSON.parse(status.stdout) as { status: string; stage: string; source: string; taskQueue: string };
      // The starter sets the creating-connector stage at start, with the run's tag (docs/budgets.md).
      assert.deepEqual(
        [shown.status, shown.stage, shown.source, shown.taskQueue],
        ['RUNNING', 'creating-connector', 'search attributes', taskQueue],
      );
      assert.match(status.stderr, new RegExp(`^warning: no worker is polling task queue "${taskQueue}"`));

      const own = await privateWorker(taskQueue);
      try {
        const exit = await cli.exited;
        assert.deepEqual(exit, { code: ExitCode.ok, signal: null }, cli.lines.join('\n'));
        assert.ok(
          cli.lines.some((l) => l.includes('"finalStatus"')),
          'the result, once a worker came',
        );
      } finally {
        own.worker.shutdown();
        await own.running;
      }
      console.log(
        `      no-worker warning ${tWarned - tStarted} ms after the run started (${tWarned - t0} ms after the process started); status with no worker: ${status.ms} ms`,
      );
    });

    it('provision without --wait says at once when no worker polls the task queue; the run is put there', async () => {
      const taskQueue = `nobody-polls-${randomUUID()}`;
      const input = smsInput(stack);
      const run = await starter('--task-queue', taskQueue, 'provision', '--input', await inputFile(input));
      started.push(workflowIdOf(input));
      assert.equal(run.code, ExitCode.ok, run.stderr);
      assert.match(run.stderr, new RegExp(`warning: no worker is polling task queue "${taskQueue}"`));
      const description = await harness.env.client.workflow.getHandle(workflowIdOf(input)).describe();
      assert.equal(description.taskQueue, taskQueue);
    });

    it('ensure-webhook-subscription: idempotent with a worker; with none, warns and exits 3 at its --timeout', async () => {
      const args = [
        'ensure-webhook-subscription',
        '--organization',
        stack.organizationId,
        '--workspace',
        stack.workspaceId,
        '--url',
        `https://hooks.example.com/bird/${randomUUID()}`,
      ];
      const first = await starter(...args, '--events', 'channel.updated');
      assert.equal(first.code, ExitCode.ok, first.stderr);
      const again = await starter(...args, '--events', 'channel.updated');
      const [a] = JSON.parse(first.stdout) as Array<{ subscriptionId: string; workflowId: string }>;
      const [b] = JSON.parse(again.stdout) as Array<{ subscriptionId: string; workflowId: string }>;
      assert.equal(b!.subscriptionId, a!.subscriptionId);
      started.push(a!.workflowId);

      const taskQueue = `nobody-polls-${randomUUID()}`;
      const lonelyArgs = [
        'ensure-webhook-subscription',
        '--organization',
        stack.organizationId,
        '--workspace',
        stack.workspaceId,
        '--url',
        `https://hooks.example.com/bird/${randomUUID()}`,
      ];
      const lonely = await starter(
        '--task-queue',
        taskQueue,
        ...lonelyArgs,
        '--events',
        'channel.created',
        '--timeout',
        '6',
      );
      assert.equal(lonely.code, ExitCode.unavailable, lonely.stderr);
      assert.match(lonely.stderr, new RegExp(`warning: no worker is polling task queue "${taskQueue}"`));
      assert.match(lonely.stderr, /not registered within 6 s/);
      const entity = lonely.stderr.match(/subscription (webhook-subscription\/\S+) not registered/)?.[1];
      assert.ok(entity);
      started.push(entity);
    });
  });

  describe('usage, input and help', () => {
    it("usage errors exit 2 like every bad input (commander's own too), --help and help exit 0", async () => {
      const cases: Array<[string[], RegExp]> = [
        [[], /^Usage: starter/],
        [['bogus'], /^error: unknown command 'bogus'/],
        [['provision'], /^error: required option '-i, --input <file>' not specified/],
        [['provision', '--input'], /^error: option '-i, --input <file>' argument missing/],
        [['status'], /^error: missing required argument 'workflowId'/],
        [['status', 'a', 'b'], /^error: too many arguments for 'status'/],
        [['list', '--workspace', stack.workspaceId, '--frobnicate'], /^error: unknown option '--frobnicate'/],
        [['list', '--workspace', 'not-a-uuid'], /argument 'not-a-uuid' is invalid\. must be a Bird workspace id/],
        [
          ['list', '--workspace', stack.workspaceId, '--limit', '0'],
          /argument '0' is invalid\. must be a whole number from 1 to 1000/,
        ],
        [
          [
            'ensure-webhook-subscription',
            '--organization',
            'o',
            '--workspace',
            'w',
            '--url',
            'u',
            '--events',
            'channel.deleted',
          ],
          /unknown event "channel\.deleted"/,
        ],
      ];
      // Side by side: each is its own process, and none connects to anything.
      const usage = await Promise.all(cases.map(([args]) => starter(...args)));
      cases.forEach(([args, message], i) => {
        assert.equal(usage[i]!.code, ExitCode.usage, `${args.join(' ')}: ${usage[i]!.stderr}`);
        assert.match(usage[i]!.stderr, message, args.join(' '));
      });
      const helps = [['--help'], ['help'], ['provision', '--help'], ['help', 'list']];
      const helped = await Promise.all(helps.map((args) => starter(...args)));
      helps.forEach((args, i) => {
        assert.equal(helped[i]!.code, ExitCode.ok, args.join(' '));
        assert.match(helped[i]!.stdout, /^Usage: starter/);
      });
    });

    it('input file errors exit 2 before connecting: no such file, bad JSON at a line and column, a missing field is "required"', async () => {
      const missing = join(dir, 'does-not-exist.json');
      const noFile = await starter('provision', '--input', missing);
      assert.equal(noFile.code, ExitCode.usage);
      assert.equal(noFile.stderr.trim(), `--input: no such file: ${missing}`);

      const good = JSON.stringify(smsInput(stack), null, 2).split('\n');
      // A forgotten comma between two fields on lines 3 and 4, and a stray word on the last line.
      const noComma = await inputFile([...good.slice(0, 2), good[2]!.replace(/,$/, ''), ...good.slice(3)].join('\n'));
      const run = await starter('provision', '--input', noComma);
      assert.equal(run.code, ExitCode.usage);
      assert.match(
        run.stderr,
        new RegExp(`^--input ${noComma} is not valid JSON: line 4, column 3: expected ',' or '}' after property value`),
      );
      const stray = await inputFile(`{\n  "workspaceId": nope\n}`);
      assert.match(
        (await starter('provision', '--input', stray)).stderr,
        /is not valid JSON: line 2, column 18: unexpected "nope"/,
      );
      const cut = await inputFile(good.slice(0, 5).join('\n'));
      assert.match((await starter('provision', '--input', cut)).stderr, /is not valid JSON: line 5, column \d+: /);

      const input = smsInput(stack) as Record<string, unknown>;
      delete input.workspaceId;
      delete (input.connector as { arguments: Record<string, unknown> }).arguments.channelMessageType;
      const invalid = await starterWith(
        cliEnv({ TEMPORAL_ADDRESS: '127.0.0.1:1' }),
        'provision',
        '--input',
        await inputFile(input),
      );
      assert.equal(invalid.code, ExitCode.usage, 'refused before any connection (the address is closed)');
      assert.match(invalid.stderr, /^ {2}- workspaceId: required$/m);
      assert.match(
        invalid.stderr,
        /^ {2}- connector\.arguments\.channelMessageType: required \(one of "promotional", /m,
      );
      assert.doesNotMatch(invalid.stderr, /received undefined|expected string/);
    });

    it('invalid input exits 2 naming each field, before anything starts', async () => {
      const input = smsInput(stack, { workspaceId: 'nope' });
      (input.connector.arguments as Record<string, unknown>).channelMessageType = 'spam';
      const callsBefore = stack.sim.calls().length;
      const run = await starter('provision', '--input', await inputFile(input));
      assert.equal(run.code, ExitCode.usage);
      assert.match(run.stderr, /workspaceId: must be a UUID/);
      assert.match(run.stderr, /connector\.arguments\.channelMessageType/);
      assert.equal(stack.sim.calls().length, callsBefore);
    });

    it('docs/cli.md is what the help prints: every command, every global flag, the --events default, the exit-code table', async () => {
      const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
      const commands = [
        'provision',
        'status',
        'result',
        'cancel',
        'list',
        'ensure-webhook-subscription',
        'bulk',
        'bulk-status',
        'bulk-cancel',
        'reconcile',
        'reconcile-schedule',
        'offboard',
        'bulk-offboard',
        'bulk-offboard-cancel',
        'plan',
        'apply',
      ];
      const main = await starter('--help');
      assert.ok(doc.includes(main.stdout.trimEnd()), `docs/cli.md lacks the help as printed:\n${main.stdout}`);
      const helps = await Promise.all(commands.map((command) => starter(command, '--help')));
      for (const [i, command] of commands.entries()) {
        assert.match(main.stdout, new RegExp(`^  ${command} `, 'm'));
        const help = helps[i]!;
        assert.ok(
          doc.includes(help.stdout.trimEnd()),
          `docs/cli.md lacks \`starter ${command} --help\` as printed:\n${help.stdout}`,
        );
      }
      for (const flag of ['--address <host:port>', '--namespace <name>', '--task-queue <name>'])
        assert.ok(main.stdout.includes(flag));
      assert.match(
        (await starter('ensure-webhook-subscription', '--help')).stdout,
        /\(default:\s+channel\.updated,channel\.created\)/,
      );
      for (const { code, meaning } of EXIT_CODES) {
        assert.ok(doc.includes(`| ${code} | ${meaning} |`), `docs/cli.md exit-code table row for ${code}`);
        assert.ok(main.stdout.includes(`  ${code}  ${meaning}`), `help exit-code line for ${code}`);
      }
    });
  });

  describe('list', () => {
    it("list shows a workspace's provisionings (several numbers sharing one channel name) with stage, outcome and status; --json, --limit, any case of the workspace id", async () => {
      const name = `Support line ${randomUUID().slice(0, 6)}`;
      const inputs = [0, 1, 2].map(() => {
        const i = smsInput(stack);
        i.connector.name = name;
        return i;
      });
      stack.sim.configureNumber(phoneOf(inputs[2]!), { outcome: 'error', errorMessage: 'number blocked' });
      const runs = await Promise.all(
        inputs.map(async (i) => starter('provision', '--input', await inputFile(i), '--wait')),
      );
      assert.deepEqual(
        runs.map((r) => r.code),
        [ExitCode.ok, ExitCode.ok, ExitCode.provisioningFailed],
      );
      const ids = inputs.map(workflowIdOf);

      // Visibility is eventually consistent: look until the last outcome is indexed.
      const listed = await waitFor(
        'the three runs in the list with their outcome',
        async () => {
          const run = await starter(
            'list',
            '--workspace',
            stack.workspaceId.toUpperCase(),
            '--json',
            '--limit',
            '1000',
          );
          assert.equal(run.code, ExitCode.ok, run.stderr);
          const rows = JSON.parse(run.stdout) as Array<{
            workflowId: string;
            stage?: string;
            outcome?: string;
            status: string;
          }>;
          const ours = ids.map((id) => rows.find((r) => r.workflowId === id));
          return ours.every((r) => r?.outcome) ? ours : undefined;
        },
        30_000,
        500,
      );
      assert.deepEqual(
        listed.map((r) => [r!.stage, r!.outcome, r!.status]),
        [
          ['completed', 'active', 'COMPLETED'],
          ['completed', 'active', 'COMPLETED'],
          ['failed', 'compensated', 'FAILED'],
        ],
      );

      const table = await starter('list', '--workspace', stack.workspaceId);
      assert.equal(table.code, ExitCode.ok, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^WORKFLOW ID +STAGE +OUTCOME +STATUS +STARTED$/);
      assert.match(
        lines.find((l) => l.startsWith(ids[2]!))!,
        new RegExp(`^${ids[2]!} +failed +compensated +failed +\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z$`),
      );

      const one = await starter('list', '--workspace', stack.workspaceId, '--json', '--limit', '1');
      assert.equal((JSON.parse(one.stdout) as unknown[]).length, 1);
      const empty = await starter('list', '--workspace', randomUUID());
      assert.equal(empty.code, ExitCode.ok);
      assert.equal(empty.stdout, '');
      assert.match(empty.stderr, /^no provisionings of workspace /);
    });
  });
});
