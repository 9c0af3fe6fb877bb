/**
 * The starter CLI as another service or an operator uses it: a real child process against the test dev server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProvisionChannelInputRaw } from '../src/domain/provisioning-input';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { temporal } from './helpers/temporal';

const ROOT = resolve(__dirname, '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('starter CLI', function () {
  this.timeout(90_000);
  let stack: Stack;
  let address: string;
  let dir: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
    address = (await temporal()).env.address;
    dir = await mkdtemp(join(tmpdir(), 'starter-'));
  });
  after(() => stack?.closeCheckingHistories());

  function starter(...args: string[]): Promise<Run> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/starter.ts', ...args],
        { cwd: ROOT, env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: stack.taskQueue }, timeout: 60_000 },
        (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }
  async function inputFile(input: unknown): Promise<string> {
    const path = join(dir, `${randomUUID()}.json`);
    await writeFile(path, JSON.stringify(input));
    return path;
  }
  const phoneOf = (input: ProvisionChannelInputRaw) => (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;

  it('provision --wait prints the result as JSON', async () => {
    const input = smsInput(stack);
    const run = await starter('provision', '--input', await inputFile(input), '--wait');
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { connectorId: string; finalStatus: { status: string } };
    assert.equal(result.finalStatus.status, 'ok');
    assert.ok(stack.sim.connectors().some((c) => c.id === result.connectorId && !c.deletedAt));
  });

  it('provision --wait exits 1 with a one-line reason on failure', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'error', errorMessage: 'number blocked' });
    const run = await starter('provision', '--input', await inputFile(input), '--wait');
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trim().split('\n');
    assert.match(lines[lines.length - 1]!, /^awaiting-readiness failed: channel status is error: number blocked .*Undone: deleted connector/);
  });

  it('invalid input exits 2 naming each field, before anything starts', async () => {
    const input = smsInput(stack, { workspaceId: 'nope' });
    (input.connector.arguments as Record<string, unknown>).channelMessageType = 'spam';
    const callsBefore = stack.sim.calls().length;
    const run = await starter('provision', '--input', await inputFile(input));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /workspaceId: Invalid GUID/);
    assert.match(run.stderr, /connector\.arguments\.channelMessageType/);
    assert.equal(stack.sim.calls().length, callsBefore);
  });

  it('status and cancel', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 60_000 });
    const started = await starter('provision', '--input', await inputFile(input));
    assert.equal(started.code, 0, started.stderr);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    let progress: { stage: string } = { stage: '' };
    for (let i = 0; i < 50 && progress.stage !== 'awaiting-readiness'; i++) {
      const status = await starter('status', workflowId);
      if (status.code === 0) progress = JSON.parse(status.stdout) as { stage: string };
      else await sleep(200);
    }
    assert.equal(progress.stage, 'awaiting-readiness');
    assert.equal((await starter('cancel', workflowId)).code, 0);
    const result = await starter('result', workflowId);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cancel/i);
    assert.ok(stack.sim.connectors().filter((c) => c.number?.numberId === phoneOf(input)).every((c) => c.deletedAt));
  });
});
