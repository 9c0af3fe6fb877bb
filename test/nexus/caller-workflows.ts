/**
 * Test-only caller workflows: another team's workflows in their own namespace, calling the `channelProvisioning`
 * service through a Nexus endpoint with nothing but the service definition (src/nexus/service.ts). Each returns
 * what it saw, failures included (as a chain of causes), so the test can assert what a caller actually gets.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  createNexusServiceClient,
  defineSignal,
  setHandler,
} from '@temporalio/workflow';
import { HandlerError } from 'nexus-rpc';
import { channelProvisioningService } from '../../src/nexus/service';
import type { ProvisionChannelInputRaw } from '../../src/domain/provisioning-input';

type Operations = typeof channelProvisioningService.operations;
export type OperationName = Extract<keyof Operations, string>;

export interface SeenCause {
  name: string;
  message: string;
  /** ApplicationFailure.type, or the Nexus HandlerError type (BAD_REQUEST, NOT_FOUND, …). */
  type?: string;
  details?: unknown[];
}
export type Seen = { ok: true; value: unknown } | { ok: false; causes: SeenCause[] };

export const cancelCallSignal = defineSignal('cancelCall');

const TIMEOUT = '2 minutes';

function client(endpoint: string) {
  return createNexusServiceClient({ service: channelProvisioningService, endpoint });
}

/** The failure and each of its causes, outermost first. */
function seenFailure(err: unknown): Seen {
  const causes: SeenCause[] = [];
  for (let e: unknown = err; e instanceof Error && causes.length < 10; e = e.cause) {
    causes.push({
      name: e.name,
      message: e.message,
      ...(e instanceof ApplicationFailure ? { type: e.type ?? undefined, details: e.details ?? undefined } : {}),
      ...(e instanceof HandlerError ? { type: e.type } : {}),
    });
  }
  return { ok: false, causes };
}

/** Calls one operation and waits for its result (at once for a synchronous one, when the workflow ends otherwise). */
export async function callOperation(endpoint: string, operation: OperationName, input: unknown): Promise<Seen> {
  try {
    const value: unknown = await client(endpoint).executeOperation(operation, input as never, {
      scheduleToCloseTimeout: TIMEOUT,
    });
    return { ok: true, value };
  } catch (err) {
    return seenFailure(err);
  }
}

/** Two `provision` calls for the same number at once, then a third once both have answered. */
export async function provisionThrice(endpoint: string, input: ProvisionChannelInputRaw): Promise<Seen[]> {
  const nexus = client(endpoint);
  const call = () =>
    nexus
      .executeOperation('provision', input, { scheduleToCloseTimeout: TIMEOUT })
      .then((value): Seen => ({ ok: true, value }), seenFailure);
  const both = await Promise.all([call(), call()]);
  return [...both, await call()];
}

/** Starts `provision`, and cancels the operation when signalled, waiting until the cancellation has completed. */
export async function provisionUntilCancelled(endpoint: string, input: ProvisionChannelInputRaw): Promise<Seen> {
  let cancel = false;
  setHandler(cancelCallSignal, () => void (cancel = true));
  try {
    return await CancellationScope.cancellable(async () => {
      const handle = await client(endpoint).startOperation('provision', input, {
        scheduleToCloseTimeout: TIMEOUT,
        cancellationType: 'WAIT_CANCELLATION_COMPLETED',
      });
      const result = handle.result();
      await Promise.race([condition(() => cancel), result]);
      if (cancel) CancellationScope.current().cancel();
      return { ok: true, value: await result };
    });
  } catch (err) {
    return seenFailure(err);
  }
}
