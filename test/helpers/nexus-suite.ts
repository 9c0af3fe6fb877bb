/**
 * What the Nexus service's test files share: the mocha hooks that start a stack and a caller in another namespace once
 * per file (test/helpers/nexus-caller.ts) and reset the simulator before each test, and the caller's way of calling
 * an operation and reading what it saw.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ProvisionChannelInputRaw } from '../../src/domain/provisioning-input';
import { callOperation, type OperationName, type Seen, type SeenCause } from '../nexus/caller-workflows';
import { startNexusCaller, type NexusCaller } from './nexus-caller';
import { startStack, type Stack } from './stack';

export interface NexusSuite {
  /** Runs a caller workflow to its end on the caller's task queue. */
  execute: <A extends unknown[], R>(workflow: (...args: A) => Promise<R>, args: A) => Promise<R>;
  /** Calls one operation through the endpoint and answers what the caller saw. */
  call: (operation: OperationName, input: unknown) => Promise<Seen>;
  /** The value of a call that succeeded (fails the test otherwise). */
  ok: <T>(seen: Seen) => T;
  /** The failure causes of a call that failed (fails the test otherwise). */
  failed: (seen: Seen) => SeenCause[];
  phoneOf: (input: ProvisionChannelInputRaw) => string;
  /** The provisioning reference of an input: its workspace and number. */
  refOf: (input: ProvisionChannelInputRaw) => { workspaceId: string; phoneNumberId: string };
  liveConnectors: () => ReturnType<Stack['sim']['connectors']>;
}

/**
 * Registers the file's hooks; `onStarted` receives the stack and the caller once both run (the test file keeps them
 * in its own variables).
 */
export function nexusSuite(prefix: string, onStarted: (started: { stack: Stack; caller: NexusCaller }) => void) {
  let stack: Stack | undefined;
  let caller: NexusCaller | undefined;
  before(async function () {
    this.timeout(180_000);
    ({ stack, caller } = await startNexusCaller(prefix, startStack()));
    onStarted({ stack, caller });
  });
  after(async () => {
    await caller?.close();
    await stack?.closeCheckingHistories();
  });
  beforeEach(() => stack!.sim.reset());

  const suite: NexusSuite = {
    execute(workflow, args) {
      return caller!.client.workflow.execute(workflow, {
        taskQueue: caller!.taskQueue,
        workflowId: `caller-${randomUUID()}`,
        args,
      });
    },
    call: (operation, input) => suite.execute(callOperation, [caller!.endpoint, operation, input]),
    ok<T>(seen: Seen): T {
      assert.ok(seen.ok, `the operation failed: ${JSON.stringify(seen)}`);
      return seen.value as T;
    },
    failed(seen) {
      assert.ok(!seen.ok, `the operation succeeded: ${JSON.stringify(seen)}`);
      return seen.causes;
    },
    phoneOf: (input) => (input.connector.arguments as { phoneNumberId: string }).phoneNumberId,
    refOf: (input) => ({ workspaceId: stack!.workspaceId, phoneNumberId: suite.phoneOf(input) }),
    liveConnectors: () => stack!.sim.connectors().filter((c) => !c.deletedAt),
  };
  return suite;
}
