/**
 * The Bird activities a provisioning calls, faked in memory and driven by the test server's clock (which time
 * skipping moves), so a channel can become ready "after 29 minutes" or Bird's deletes fail "for three hours" while
 * the test takes seconds. Every call is recorded with the server's time.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../src/activities';
import type {
  ActiveChannel,
  ChannelReadinessSnapshot,
  CreateConnectorOutcome,
  DeletedConnector,
} from '../../src/activities';
import { FailureType } from '../../src/domain/failure-types';

export interface FakeBirdScript {
  /** How long after the create the channel reads ok/active; never when absent. */
  readyAfterCreateMs?: number;
  /** The channel reads error/inactive (a failed activation). */
  channelError?: string;
  /** Server time until which every delete fails with a retryable 503. */
  deletesFailUntil?: number;
}

export interface FakeCall {
  name: 'createConnector' | 'awaitChannelActive' | 'getChannelReadiness' | 'deleteConnector';
  /** The test server's time when the call ran. */
  at: number;
  attempt: number;
  /** What the call answered: a status/stage for reads, "failed" or "deleted" for deletes. */
  result: string;
}

export const CONNECTOR_ID = 'conn-time-skipping';
const CHANNEL_ID = 'chan-time-skipping';

export class FakeBird {
  readonly calls: FakeCall[] = [];
  script: FakeBirdScript = {};

  /** @param serverNow the test server's clock (TestWorkflowEnvironment.currentTimeMs) */
  constructor(private readonly serverNow: () => Promise<number>) {}

  callsTo(name: FakeCall['name']): FakeCall[] {
    return this.calls.filter((c) => c.name === name);
  }

  activities(): Partial<Activities> {
    return {
      checkSecretReferences: async () => undefined,
      createConnector: async (): Promise<CreateConnectorOutcome> => {
        await this.#record('createConnector', 'created');
        return { outcome: 'created', adopted: false, connectorId: CONNECTOR_ID, channelId: CHANNEL_ID };
      },
      getChannelReadiness: async (): Promise<ChannelReadinessSnapshot> => this.#read('getChannelReadiness'),
      awaitChannelActive: async (): Promise<ActiveChannel> => {
        const snapshot = await this.#read('awaitChannelActive');
        const { attempt } = Context.current().info;
        if (snapshot.status === 'ok') return { ...snapshot, statusReads: attempt };
        if (snapshot.status === 'error') {
          throw ApplicationFailure.create({
            type: FailureType.channelFailed,
            message: `channel status is error: ${snapshot.errorMessage}`,
            nonRetryable: true,
            details: [{ ...snapshot, statusReads: attempt }],
          });
        }
        throw ApplicationFailure.create({
          type: FailureType.channelNotReady,
          message: 'channel not ready yet (pending/provisioning)',
          details: [{ ...snapshot, statusReads: attempt }],
        });
      },
      deleteConnector: async (): Promise<DeletedConnector> => {
        const { deletesFailUntil } = this.script;
        if (deletesFailUntil !== undefined && (await this.serverNow()) < deletesFailUntil) {
          await this.#record('deleteConnector', 'failed');
          throw ApplicationFailure.create({
            type: FailureType.serverError,
            message: 'Bird answered 503 Service Unavailable',
          });
        }
        await this.#record('deleteConnector', 'deleted');
        return { outcome: 'deleted', connectorId: CONNECTOR_ID };
      },
    };
  }

  async #read(name: 'awaitChannelActive' | 'getChannelReadiness'): Promise<ChannelReadinessSnapshot> {
    const { readyAfterCreateMs, channelError } = this.script;
    const now = await this.serverNow();
    const created = this.callsTo('createConnector')[0]?.at;
    const ready = readyAfterCreateMs !== undefined && created !== undefined && now - created >= readyAfterCreateMs;
    const snapshot: ChannelReadinessSnapshot = channelError
      ? { channelId: CHANNEL_ID, status: 'error', stage: 'inactive', errorMessage: channelError }
      : ready
        ? { channelId: CHANNEL_ID, status: 'ok', stage: 'active' }
        : { channelId: CHANNEL_ID, status: 'pending', stage: 'provisioning' };
    this.calls.push({
      name,
      at: now,
      attempt: Context.current().info.attempt,
      result: `${snapshot.status}/${snapshot.stage}`,
    });
    return snapshot;
  }

  async #record(name: FakeCall['name'], result: string): Promise<void> {
    this.calls.push({ name, at: await this.serverNow(), attempt: Context.current().info.attempt, result });
  }
}
