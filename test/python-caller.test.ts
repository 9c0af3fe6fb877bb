/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- the caller prints JSON whose shape is the published contract */
/**
 * The contract from a second language: examples/python/caller.py, on Temporal's Python SDK (pinned in
 * examples/python/requirements.txt, installed into .tools/python-venv by scripts/python-venv.sh), provisions a
 * channel, sees a refusal with its failure type and details, and cancels one that is compensated, against the real
 * dev server, worker and simulator; exactly one connector per number.
 */
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { provisioningWorkflowId } from '../src/domain/provisioning-identity';
import { parseProvisioningInput } from '../src/domain/provisioning-input';
import { temporal } from './helpers/temporal';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');

describe('Python caller (examples/python, temporalio from PyPI)', function () {
  this.timeout(300_000);
  let stack: Stack;
  let python: string;
  let address: string;
  before(async () => {
    // The venv is made once (PyPI) and reused; a fresh clone makes it here.
    [python] = [
      (await run('bash', [join(ROOT, 'scripts', 'python-venv.sh')], { cwd: ROOT, timeout: 280_000 })).stdout.trim(),
    ];
    stack = await startStack();
    address = (await temporal()).address;
  });
  after(() => stack?.closeCheckingHistories());

  const numberOf = (input: ReturnType<typeof smsInput>) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  const connectorsFor = (n: string) => stack.sim.connectors().filter((c) => JSON.stringify(c).includes(n));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function caller(args: string[], input: unknown): Promise<any> {
    const file = join(mkdtempSync(join(tmpdir(), 'py-caller-')), 'input.json');
    writeFileSync(file, JSON.stringify(input));
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
    };
    const { stdout } = await run(
      python,
      [join(ROOT, 'examples', 'python', 'caller.py'), args[0]!, file, ...args.slice(1)],
      { env, timeout: 120_000 },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as unknown;
  }

  it('provisions a channel', async () => {
    const input = smsInput(stack);
    const out = await caller(['provision'], input);
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(out.result.workflowId, `provision/${stack.workspaceId}/${numberOf(input)}`);
    assert.equal(out.result.finalStatus.stage, 'active');
    assert.equal(connectorsFor(numberOf(input)).length, 1);
  });

  it('provisions a template other than SMS (named by its template and name), the same run the typed client would start', async () => {
    const input = {
      ...smsInput(stack),
      connector: {
        connectorTemplateRef: 'telegram:1',
        name: `Telegram (support) ${randomUUID().slice(0, 8)}`,
        arguments: {},
      },
    };
    const out = await caller(['provision'], input);
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(out.result.workflowId, provisioningWorkflowId(parseProvisioningInput(input)));
    assert.equal(out.result.finalStatus.stage, 'active');
    const made = stack.sim.connectors().filter((c) => c.name.startsWith(`${input.connector.name} [`));
    assert.deepEqual(
      made.map((c) => c.connectorTemplateRef),
      ['telegram:1'],
    );
  });

  it("sees Bird's refusal with its failure type and details", async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(numberOf(input), { outcome: 'active', tenDlc: true });
    const out = await caller(['provision'], input);
    assert.equal(out.ok, false);
    assert.equal(out.type, 'ProvisioningFailed');
    assert.match(out.message, /HTTP 422 InvalidData: .*useCaseId/);
    assert.equal(out.details[0].createOutcome, 'refused');
    assert.deepEqual(out.details[0].leftBehind, []);
    assert.equal(connectorsFor(numberOf(input)).length, 0);
  });

  it('cancels a provisioning, which is compensated', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(numberOf(input), { outcome: 'active', delayMs: 60_000 });
    const out = await caller(['cancel', 'awaiting-readiness'], input);
    assert.equal(out.cancelled, true, JSON.stringify(out));
    assert.match(out.compensation.undone[0], /^deleted connector /);
    assert.deepEqual(out.compensation.leftBehind, []);
    assert.equal(connectorsFor(numberOf(input)).length, 1, 'one connector made, then deleted');
  });
});
