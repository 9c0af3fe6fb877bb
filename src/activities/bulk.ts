/**
 * Bulk onboarding activities: read the stored inventory a page at a time (with what Temporal and Bird already know
 * about each number), index Bird's connectors a page per activity (one GET each, on the rate-limited reads queue),
 * look up provisioning runs, and record outcomes in batches. The store (src/bulk/store.ts) and Temporal's client are
 * their dependencies; no activity here returns more than a page.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BirdClient } from '../bird/client';
import { BIRD_RATE_LIMITS, type BirdRateLimits } from '../bird/rate-limits/budget';
import { BulkStoreError, type BulkStore, type ExistingConnector, type StoredRow } from '../bulk/store';
import type { KnownConnector, ProvisioningSnapshot } from '../domain/bulk-decision';
import { rowKey, type RowOutcome } from '../domain/bulk-report';
import { templateOf } from '../domain/connector-templates';
import { parseTaggedName } from '../domain/idempotency';
import { identityKey } from '../domain/provisioning-identity';
import { endOfFailure, snapshotOfEnd } from '../domain/provisioning-outcome';
import type { ProvisionChannelResult } from '../domain/provisioning';
import { FailureType } from '../domain/failure-types';

export interface BulkActivityDeps {
  bird: BirdClient;
  store?: BulkStore;
  /** Defaults to the worker's own client (the activity context's); tests may pass one. */
  temporal?: () => Client;
  /** Bird's limits as the worker is told them; Bird's documented ones when absent. */
  birdRateLimits?: BirdRateLimits;
}

/** A page of the inventory, each row with what is known of its number. */
export interface InventoryPageRow extends StoredRow {
  existing?: KnownConnector;
  provisioning?: ProvisioningSnapshot;
}

export interface ReadInventoryPageInput {
  bulkKey: string;
  runKey: string;
  offset: number;
  limit: number;
  /** Stop adding rows past this many bytes of inputs (keeps the activity result far below Temporal's 2 MB). */
  maxBytes: number;
}

export interface IndexConnectorsPageInput {
  bulkKey: string;
  runKey: string;
  workspaceId: string;
  templateRef: string;
  /** Index pages are numbered across templates, so each page is its own file. */
  page: number;
  pageToken?: string;
}

const INDEX_PAGE_SIZE = 100;
/** Statuses of a run that has ended, and has a result or a failure to decode. */
const CLOSED: ReadonlyArray<ProvisioningSnapshot['status']> = [
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
];

export interface DescribeProvisioningsInput {
  workflowIds: string[];
}

export interface RecordOutcomesInput {
  bulkKey: string;
  runKey: string;
  seq: number;
  outcomes: RowOutcome[];
}

/**
 * The bulk activities, bound to their dependencies. Each activity is a named function below taking them first, so
 * it reads on its own; the keys are the activity names.
 */
export function bulkActivities(deps: BulkActivityDeps) {
  return {
    readInventoryPage: (input: ReadInventoryPageInput) => readInventoryPage(deps, input),
    indexConnectorsPage: (input: IndexConnectorsPageInput) => indexConnectorsPage(deps, input),
    describeProvisionings: (input: DescribeProvisioningsInput) => describeProvisionings(deps, input),
    recordOutcomes: (input: RecordOutcomesInput) => recordOutcomes(deps, input),
  };
}

const clientOf = ({ temporal }: BulkActivityDeps): Client => temporal?.() ?? Context.current().client;

function bulkStoreOf({ store }: BulkActivityDeps): BulkStore {
  if (!store) throw new Error('this worker has no bulk store (BULK_STORE_DIR or BULK_STORE_URL)');
  return store;
}

/** A missing or altered object fails the run (no retry brings it back); an unreachable store is retried. */
export function rethrowStoreError(err: unknown): never {
  if (err instanceof BulkStoreError && err.final)
    throw ApplicationFailure.nonRetryable(err.message, FailureType.bulkStoreCorrupt);
  throw err;
}

/** Where a provisioning run is, and how it ended once it has; undefined when no run has that id. */
async function snapshot(deps: BulkActivityDeps, workflowId: string): Promise<ProvisioningSnapshot | undefined> {
  const handle = clientOf(deps).workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const status = description.status.name as ProvisioningSnapshot['status'];
  const closedAt = description.closeTime?.toISOString();
  if (!CLOSED.includes(status)) return { status, closedAt };
  try {
    return snapshotOfEnd({ status: 'COMPLETED', result: (await handle.result()) as ProvisionChannelResult }, closedAt);
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return snapshotOfEnd(endOfFailure(err.cause, err.message), closedAt);
  }
}

async function readInventoryPage(
  deps: BulkActivityDeps,
  { bulkKey, runKey, offset, limit, maxBytes }: ReadInventoryPageInput,
): Promise<InventoryPageRow[]> {
  const s = bulkStoreOf(deps);
  const [rows, index] = await Promise.all([
    s.readRows(bulkKey, offset, limit, maxBytes),
    s.index(bulkKey, runKey),
  ]).catch(rethrowStoreError);
  return Promise.all(
    rows.map(async (row): Promise<InventoryPageRow> => {
      const key = rowKey(row);
      const found = key === undefined ? undefined : index.get(key);
      const existing =
        found && (!found.templateRef || found.templateRef === row.input.connector.connectorTemplateRef)
          ? knownOf(found)
          : undefined;
      const provisioning = await snapshot(deps, row.workflowId);
      return { ...row, ...(existing ? { existing } : {}), ...(provisioning ? { provisioning } : {}) };
    }),
  );
}

/** One page of Bird's connectors of a template, stored as part of the run's index. One GET: rate-limited per call. */
async function indexConnectorsPage(
  deps: BulkActivityDeps,
  { bulkKey, runKey, workspaceId, templateRef, page, pageToken }: IndexConnectorsPageInput,
): Promise<{ nextPageToken?: string; indexed: number; birdGetPerSecond: number }> {
  const list = await deps.bird.listConnectorsPage(workspaceId, { templateRef, limit: INDEX_PAGE_SIZE, pageToken });
  const connectors: ExistingConnector[] = list.results.flatMap((c) => {
    const ref = c.connectorTemplateRef ?? templateRef;
    if (templateOf(ref)?.identity === 'name') return namedConnector(c, ref);
    const numberId =
      typeof c.arguments?.['phoneNumberId'] === 'string' ? c.arguments['phoneNumberId'] : c.number?.numberId;
    return numberId
      ? [
          {
            connectorId: c.id,
            numberId,
            channelId: c.channel?.channelId,
            templateRef: ref,
            name: c.name,
          },
        ]
      : [];
  });
  await bulkStoreOf(deps).saveIndexPage(bulkKey, runKey, page, connectors);
  // The rate this worker's reads queue is served at: the bulk run sizes its window from it.
  const birdGetPerSecond = (deps.birdRateLimits ?? BIRD_RATE_LIMITS).getPerSecond;
  return { nextPageToken: list.nextPageToken, indexed: connectors.length, birdGetPerSecond };
}

/**
 * A connector of a template identified by name is a row's only when it is ours: our tag on its name (any run's: the
 * tag is drawn per provisioning), its template, and its name without the tag the row's (src/domain/offboarding.ts).
 */
function namedConnector(
  c: { id: string; name: string; channel?: { channelId?: string } | null },
  templateRef: string,
): ExistingConnector[] {
  const tagged = parseTaggedName(c.name);
  if (!tagged) return [];
  const key = identityKey({ connectorTemplateRef: templateRef, name: tagged.name });
  return [{ connectorId: c.id, key, channelId: c.channel?.channelId ?? undefined, templateRef, name: c.name }];
}

/** Runs that have not reported their outcome (or were found already running), looked up by id. */
async function describeProvisionings(
  deps: BulkActivityDeps,
  { workflowIds }: DescribeProvisioningsInput,
): Promise<Record<string, ProvisioningSnapshot>> {
  const out: Record<string, ProvisioningSnapshot> = {};
  await Promise.all(
    workflowIds.map(async (id) => {
      const s = await snapshot(deps, id);
      if (s) out[id] = s;
    }),
  );
  return out;
}

/** A batch of outcomes, under its sequence number: a retried call rewrites the same file. */
async function recordOutcomes(
  deps: BulkActivityDeps,
  { bulkKey, runKey, seq, outcomes }: RecordOutcomesInput,
): Promise<void> {
  await bulkStoreOf(deps).saveOutcomes(bulkKey, runKey, seq, outcomes);
}

function knownOf(c: ExistingConnector): KnownConnector {
  return { connectorId: c.connectorId, channelId: c.channelId, name: c.name, ...(c.key ? { byName: true } : {}) };
}
