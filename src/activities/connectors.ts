/**
 * Connector activities: one Bird request each, except the ownership lookup, which pages through the workspace's
 * connectors newest first and stops at the first one that is provably ours.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { BirdClient } from '../bird/client';
import { BirdApiError } from '../bird/errors';
import type { ComponentStage, ComponentStatus, Connector } from '../bird/schemas';
import { isOwnConnector, taggedConnectorName, type Ownership } from '../domain/idempotency';
import { channelKeyOf, type ChannelKey } from '../domain/offboarding';
import type { ConnectorSpec } from '../domain/provisioning-input';
import { classifyChannelState } from '../domain/readiness';
import type { SecretStore } from '../config/secrets';
import { FailureType, withoutStack } from '../domain/failure-types';
import { checkpoint } from './heartbeat';
import { assertSecretReferences, resolveSecurityArguments } from './secret-references';

export interface ConnectorActivityDeps {
  bird: BirdClient;
  secrets: SecretStore;
  /** Fails the create when the channel is being offboarded (src/activities/offboarding-guard.ts). */
  refuseWhileOffboarding?: (key: ChannelKey) => Promise<void>;
}

export interface CreateConnectorInput {
  workspaceId: string;
  connector: ConnectorSpec;
  ownership: Ownership;
  /**
   * Given by runs that check their secrets here (`secretCheck: 'with-create'`): every reference, these and the
   * connector's, is checked before anything is sent to Bird.
   */
  signingKeyRefs?: string[];
}

export interface AwaitChannelActiveInput {
  workspaceId: string;
  connectorId: string;
  /** No status read before this time (ms since epoch): the minimum activation time after the create. */
  notBefore?: number;
}

/** A retry fired this early is on time (timers are not exact). */
const NOT_BEFORE_SLACK_MS = 50;

export interface ConnectorRef {
  connectorId: string;
  channelId?: string;
}

export type CreateConnectorOutcome =
  /** adopted: an earlier attempt of this create made it (its reply was lost) and the lookup recognised it. */
  | ({ outcome: 'created'; adopted: boolean } & ConnectorRef)
  /**
   * Bird answered 409. Returned, not thrown: a refused create must never be sent again by a retry. `firstAttempt`
   * says whether an earlier attempt (whose outcome is unknown) may have made the connector Bird now reports.
   */
  | { outcome: 'conflict'; firstAttempt: boolean; birdMessage?: string };

export interface ChannelRef {
  workspaceId: string;
  connectorId: string;
}

export interface FindOwnConnectorInput {
  workspaceId: string;
  ownership: Ownership;
}

export interface DeleteConnectorInput {
  workspaceId: string;
  /** Unknown when the create's outcome is unknown; the connector is then looked up by ownership. */
  connectorId?: string;
  ownership: Ownership;
}

export interface DeletedConnector {
  outcome: 'deleted' | 'already-gone' | 'never-created';
  connectorId?: string;
}

export interface ChannelReadinessSnapshot {
  channelId?: string;
  status?: ComponentStatus | null;
  stage?: ComponentStage | null;
  errorMessage?: string | null;
}

/** The ready channel, and how many status reads (attempts) it took to see it. */
export type ActiveChannel = ChannelReadinessSnapshot & { statusReads: number };

/** Where a lookup stopped, kept as heartbeat details so a retried lookup resumes at that page. */
interface LookupCheckpoint {
  pageToken?: string;
  pagesRead: number;
}

const PAGE_SIZE = 100;

/**
 * The connector activities, bound to their Bird client and secret store. Each activity is a named function below
 * taking its dependencies first, so it reads (and can be called) on its own; the keys are the activity names.
 */
export function connectorActivities(deps: ConnectorActivityDeps) {
  return {
    createConnector: (input: CreateConnectorInput) => createConnector(deps, input),
    findOwnConnector: (input: FindOwnConnectorInput) => findOwnConnector(deps, input),
    getChannelReadiness: (input: ChannelRef) => getChannelReadiness(deps, input),
    awaitChannelActive: (input: AwaitChannelActiveInput) => awaitChannelActive(deps, input),
    deleteConnector: (input: DeleteConnectorInput) => deleteConnector(deps, input),
  };
}

/**
 * Newest first (the connector we look for was made moments ago, so it is on the first page), stopping at the
 * first match. A page that fails fails the attempt, and the retry resumes at that page from the heartbeat
 * details instead of walking the workspace again.
 */
async function findOwn(bird: BirdClient, workspaceId: string, ownership: Ownership): Promise<Connector | undefined> {
  const ctx = Context.current();
  const resumed = ctx.info.heartbeatDetails as LookupCheckpoint | undefined;
  let position: LookupCheckpoint = resumed ?? { pagesRead: 0 };
  for (;;) {
    checkpoint(position);
    const page = await bird.listConnectorsPage(workspaceId, {
      templateRef: ownership.templateRef,
      limit: PAGE_SIZE,
      reverse: true,
      pageToken: position.pageToken,
    });
    const match = page.results.find((c) => isOwnConnector(c, ownership));
    if (match) return match;
    if (!page.nextPageToken) return undefined;
    position = { pageToken: page.nextPageToken, pagesRead: position.pagesRead + 1 };
  }
}

const refOf = (c: Connector): ConnectorRef => ({ connectorId: c.id, channelId: c.channel?.channelId });

/**
 * Creates the connector, named with the provisioning's idempotency tag. A retry first looks for it (an earlier
 * attempt may have made it without us hearing). A 409 is returned, never retried.
 */
async function createConnector(
  { bird, secrets, refuseWhileOffboarding }: ConnectorActivityDeps,
  { workspaceId, connector, ownership, signingKeyRefs }: CreateConnectorInput,
): Promise<CreateConnectorOutcome> {
  if (signingKeyRefs)
    assertSecretReferences(secrets, { securityArgumentsRef: connector.securityArgumentsRef, signingKeyRefs });
  await refuseWhileOffboarding?.(channelKeyOf({ workspaceId, connector }));
  const attempt = Context.current().info.attempt;
  if (attempt > 1) {
    const earlier = await findOwn(bird, workspaceId, ownership);
    if (earlier) {
      log.info('adopting the connector an earlier attempt created', { connectorId: earlier.id });
      return { outcome: 'created', adopted: true, ...refOf(earlier) };
    }
  }
  const { securityArgumentsRef, ...request } = connector;
  try {
    const created = await bird.createConnector(workspaceId, {
      ...request,
      name: taggedConnectorName(connector.name, ownership.tag),
      securityArguments: resolveSecurityArguments(secrets, securityArgumentsRef),
    });
    return { outcome: 'created', adopted: false, ...refOf(created) };
  } catch (err) {
    if (err instanceof BirdApiError && err.kind === 'http' && err.status === 409) {
      return { outcome: 'conflict', firstAttempt: attempt === 1, birdMessage: err.birdMessage ?? err.code };
    }
    throw err;
  }
}

/** After a 409 on a retried create: is the connector Bird reports the one our earlier attempt made? */
async function findOwnConnector(
  { bird }: ConnectorActivityDeps,
  { workspaceId, ownership }: FindOwnConnectorInput,
): Promise<ConnectorRef | undefined> {
  const found = await findOwn(bird, workspaceId, ownership);
  return found ? refOf(found) : undefined;
}

/** One status read, for the final check at the deadline. */
async function getChannelReadiness(
  { bird }: ConnectorActivityDeps,
  { workspaceId, connectorId }: ChannelRef,
): Promise<ChannelReadinessSnapshot> {
  return snapshotOf(await bird.getConnectorStatus(workspaceId, connectorId));
}

/**
 * Readiness by polling, as Temporal's "infrequent polling" pattern: one status read per attempt, and "not ready"
 * is the retryable failure whose retries are the polling, so the activity's retry policy is the backoff. Retries
 * add no events to the workflow's history, however many polls the deadline allows. With `notBefore` (the end of
 * the minimum activation time, ms since epoch), an attempt that starts earlier reads nothing and asks to be retried
 * at that time: the wait costs no Bird GET, no history event and no more actions than the read it replaces
 * (docs/polling.md).
 */
async function awaitChannelActive(
  { bird }: ConnectorActivityDeps,
  { workspaceId, connectorId, notBefore }: AwaitChannelActiveInput,
): Promise<ActiveChannel> {
  const info = Context.current().info;
  const now = Date.now();
  if (notBefore !== undefined && now < notBefore - NOT_BEFORE_SLACK_MS) {
    throw ApplicationFailure.create({
      type: FailureType.channelNotReady,
      message: `channel not due for a status read yet (first read in ${Math.round((notBefore - now) / 1000)} s)`,
      details: [{ statusReads: 0, notDue: true }],
      nextRetryDelay: notBefore - now,
    });
  }
  // The first attempt read nothing when it was scheduled before `notBefore`.
  const firstAttemptWasEarly =
    notBefore !== undefined && info.attempt > 1 && info.scheduledTimestampMs < notBefore - NOT_BEFORE_SLACK_MS;
  const statusReads = info.attempt - (firstAttemptWasEarly ? 1 : 0);
  const snapshot = snapshotOf(await bird.getConnectorStatus(workspaceId, connectorId));
  const verdict = classifyChannelState(snapshot);
  if (verdict.kind === 'ready') return { ...snapshot, statusReads };
  if (verdict.kind === 'failed') {
    throw withoutStack(
      ApplicationFailure.create({
        type: FailureType.channelFailed,
        message: verdict.reason,
        nonRetryable: true,
        details: [{ ...snapshot, statusReads }],
      }),
    );
  }
  throw withoutStack(
    ApplicationFailure.create({
      type: FailureType.channelNotReady,
      message: `channel not ready yet (${snapshot.status ?? '?'}/${snapshot.stage ?? '?'})`,
      details: [{ ...snapshot, statusReads }],
    }),
  );
}

/** Compensation: delete what this provisioning created, found by id or, when the create's outcome is unknown, by ownership. */
async function deleteConnector(
  { bird }: ConnectorActivityDeps,
  { workspaceId, connectorId, ownership }: DeleteConnectorInput,
): Promise<DeletedConnector> {
  let id = connectorId;
  if (!id) {
    try {
      id = (await findOwn(bird, workspaceId, ownership))?.id;
    } catch (err) {
      // No such workspace: no connector can exist in it.
      if (err instanceof BirdApiError && err.kind === 'http' && err.status === 404) return { outcome: 'never-created' };
      throw err;
    }
  }
  if (!id) return { outcome: 'never-created' };
  const outcome = await bird.deleteConnector(workspaceId, id);
  return { outcome: outcome === 'deleted' ? 'deleted' : 'already-gone', connectorId: id };
}

function snapshotOf(status: Awaited<ReturnType<BirdClient['getConnectorStatus']>>): ChannelReadinessSnapshot {
  return {
    channelId: status.channel?.channelId ?? undefined,
    status: status.channel?.status,
    stage: status.channel?.stage,
    errorMessage: status.channel?.errorMessage ?? status.number?.errorMessage,
  };
}
