/**
 * Polling fit to the activation time, on the real dev server with a real worker, the simulator over HTTP and the
 * webhook receiver: a bulk run's first rows (scouts) poll as their input says and its later rows start with the
 * schedule the scouts' readiness waits give; in `both` mode, while webhooks arrive, later rows poll only as a late
 * safety net, and when webhooks stop that safety net still finds every channel active.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitBulk, bulkReport, getBulkProgress, prepareInventory, startBulk } from '../src/client/bulk-client';
import { ensureWorkspaceSubscription } from '../src/client/subscriptions-client';
import { MIN_ACTIVATION_SAMPLES } from '../src/domain/readiness';
import { readsQueueDispatches } from '../src/domain/billable-actions';
import type { ProvisionChannelInput } from '../src/domain/provisioning-input';
import { smsBulkDefaults } from './helpers/inventory';
import { RECEIVER_PUBLIC_URL, SIGNING_KEY_REF, startStack, type Stack } from './helpers/stack';
import { waitFor } from './helpers/wait';

describe('polling fit to the activation time (bulk)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let dir: string;
  let receiverAddress: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ receiver: true, sim: { provisioningDelayMs: 1_000 } });
    const address = stack.receiver!.server.address() as { port: number };
    receiverAddress = `http://127.0.0.1:${address.port}`;
    const ensured = await ensureWorkspaceSubscription(
      stack.client,
      {
        organizationId: stack.organizationId,
        workspaceId: stack.workspaceId,
        event: 'channel.updated',
        url: RECEIVER_PUBLIC_URL,
        signingKeyRef: SIGNING_KEY_REF,
      },
      { taskQueue: stack.taskQueue },
    );
    stack.startedWorkflowIds.push(ensured.workflowId);
    dir = await mkdtemp(join(tmpdir(), 'polling-test-'));
  });
  after(() => stack?.closeCheckingHistories());

  async function startRun(
    numbers: string[],
    readiness: Record<string, unknown>,
    window: { concurrency: number; maxConcurrency?: number } = { concurrency: numbers.length },
  ) {
    const file = join(dir, `${randomUUID()}.csv`);
    await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
    const inventory = await prepareInventory(
      file,
      smsBulkDefaults(stack, { name: `Poll ${randomUUID().slice(0, 6)}`, readiness }),
    );
    const started = await startBulk(stack.client, stack.bulkStore, inventory, {
      taskQueue: stack.taskQueue,
      ...window,
      sweepIntervalMs: 5_000,
    });
    stack.startedWorkflowIds.push(started.workflowId);
    return started.workflowId;
  }

  async function finish(workflowId: string) {
    const end = await awaitBulk(stack.client, workflowId);
    assert.equal(end.status, 'completed', JSON.stringify(end));
    return bulkReport(stack.bulkStore, await getBulkProgress(stack.client, workflowId));
  }

  /** Each number's provisioning: the readiness it was started with and the status reads Bird saw for it. */
  async function perNumber(numbers: string[]) {
    return Promise.all(
      numbers.map(async (number) => {
        const workflowId = `provision/${stack.workspaceId}/${number}`;
        const input = await startedInput(workflowId);
        const connector = stack.sim.connectors().find((c) => c.number?.numberId === number)!;
        const reads = stack.sim
          .calls()
          .filter((c) => c.operationId === 'getConnectorStatus' && c.path.includes(connector.id)).length;
        const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
        return { number, readiness: input.readiness, reads, dispatches: readsQueueDispatches(history) };
      }),
    );
  }

  async function startedInput(workflowId: string): Promise<ProvisionChannelInput> {
    const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    return JSON.parse(Buffer.from(payload.data!).toString('utf8')) as ProvisionChannelInput;
  }

  const fresh = (n: number): string[] => Array.from({ length: n }, () => randomUUID());

  it('poll mode: scouts poll as asked; later rows start with the learned minimum activation time and read less', async () => {
    const numbers = fresh(24);
    for (const n of numbers) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 2_000 });
    const readiness = {
      mode: 'poll',
      initialPollInterval: '200ms',
      backoffCoefficient: 1.5,
      maxPollInterval: '1s',
      deadline: '1m',
    };
    const report = await finish(await startRun(numbers, readiness));
    assert.ok(
      report.every((r) => r.outcome === 'active'),
      JSON.stringify(report.filter((r) => r.outcome !== 'active')),
    );
    const rows = await perNumber(numbers);
    const scouts = rows.filter((r) => r.readiness.firstPollAfter === undefined);
    const learned = rows.filter((r) => r.readiness.firstPollAfter !== undefined);
    assert.equal(scouts.length, MIN_ACTIVATION_SAMPLES);
    assert.equal(learned.length, numbers.length - MIN_ACTIVATION_SAMPLES);
    // The channels take 2 s: the learned first read comes no sooner than that.
    for (const r of learned) assert.ok(r.readiness.firstPollAfter! >= 2_000, JSON.stringify(r.readiness));
    const mean = (xs: typeof rows) => xs.reduce((a, r) => a + r.reads, 0) / xs.length;
    assert.ok(
      mean(learned) <= 1.5 && mean(learned) < mean(scouts),
      `learned rows read ${mean(learned)} times each, scouts ${mean(scouts)}`,
    );
    // Only real reads take a task of the reads queue, whose rate is Bird's GET budget: the wait for the learned first
    // read is a workflow timer, not an activity attempt that reads nothing.
    for (const r of rows) assert.equal(r.dispatches, r.reads, JSON.stringify(r));
  });

  it('an adapting window grows by Little’s law while it, not Bird’s budget, binds the run', async () => {
    // Bird reads 50 GET/s here and a row takes about 2 s: about 100 rows in flight would keep Bird busy, not 4.
    const numbers = fresh(40);
    for (const n of numbers) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 1_500 });
    const workflowId = await startRun(
      numbers,
      { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '1s', deadline: '1m' },
      { concurrency: 4, maxConcurrency: 30 },
    );
    const sizes = new Set<number>();
    const watching = setInterval(
      () =>
        void getBulkProgress(stack.client, workflowId).then(
          (p) => sizes.add(p.window ?? 0),
          () => undefined,
        ),
      200,
    );
    try {
      const report = await finish(workflowId);
      assert.ok(report.every((r) => r.outcome === 'active'));
    } finally {
      clearInterval(watching);
    }
    assert.ok(sizes.has(4), `started at 4: ${[...sizes].join(', ')}`);
    assert.ok(Math.max(...sizes) === 30, `grew to its maximum (30) once rows reported: ${[...sizes].join(', ')}`);
  });

  it('both mode: while webhooks arrive, polling is a late safety net (≤ 0.2 status reads per number)', async () => {
    const numbers = fresh(50);
    // The scouts read once at once and then not before their webhook (the channels take 3 s); the safety net of
    // the rows after them comes at a quarter of the deadline (15 s), later than three times the slowest wait seen.
    for (const n of numbers) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 3_000 });
    const report = await finish(
      await startRun(numbers, { mode: 'both', initialPollInterval: '10s', maxPollInterval: '10s', deadline: '1m' }),
    );
    assert.ok(
      report.every((r) => r.outcome === 'active'),
      JSON.stringify(report.filter((r) => r.outcome !== 'active')),
    );
    const rows = await perNumber(numbers);
    const reads = rows.reduce((a, r) => a + r.reads, 0);
    assert.ok(
      reads / numbers.length <= 0.2,
      `${reads} status reads for ${numbers.length} numbers: ${JSON.stringify(rows.map((r) => [r.reads, r.readiness.firstPollAfter]))}`,
    );
    const learned = rows.filter((r) => r.readiness.firstPollAfter !== undefined);
    assert.equal(learned.length, numbers.length - MIN_ACTIVATION_SAMPLES);
    for (const r of learned)
      assert.ok(r.readiness.firstPollAfter! >= 15_000, `a safety net, not a poll: ${JSON.stringify(r.readiness)}`);
  });

  it('both mode: when webhooks stop, the safety-net poll still finds every channel active (none lost, none deleted)', async () => {
    const numbers = fresh(20);
    const scoutNumbers = numbers.slice(0, MIN_ACTIVATION_SAMPLES);
    // The scouts' channels activate quickly, the others after 4 s: by then the webhooks have stopped.
    for (const n of numbers)
      stack.sim.configureNumber(n, { outcome: 'active', delayMs: scoutNumbers.includes(n) ? 500 : 4_000 });
    const workflowId = await startRun(numbers, {
      mode: 'both',
      initialPollInterval: '10s',
      maxPollInterval: '10s',
      deadline: '1m',
    });
    await waitFor(
      'the scouts to report',
      async () =>
        (await getBulkProgress(stack.client, workflowId)).counts.active >= MIN_ACTIVATION_SAMPLES ? true : undefined,
      60_000,
      100,
    );
    // Bird's deliveries now go nowhere (as when the receiver or its route is down).
    stack.sim.routeDeliveries('https://hooks.provisioning-tests.example', 'http://127.0.0.1:9');
    try {
      const report = await finish(workflowId);
      assert.deepEqual(
        report.map((r) => r.outcome),
        numbers.map(() => 'active'),
      );
      const rows = await perNumber(numbers.slice(MIN_ACTIVATION_SAMPLES));
      assert.ok(
        rows.every((r) => r.readiness.firstPollAfter !== undefined && r.reads >= 1),
        JSON.stringify(rows),
      );
      assert.ok(
        stack.sim
          .connectors()
          .filter((c) => numbers.includes(c.number?.numberId ?? ''))
          .every((c) => !c.deletedAt),
      );
    } finally {
      stack.sim.routeDeliveries('https://hooks.provisioning-tests.example', receiverAddress);
    }
  });
});
