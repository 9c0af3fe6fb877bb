/**
 * An apply's repair and prune rows offboarded by one bulkOffboard child over them: the window, rate limits, progress
 * and history bounds every bulk offboarding has, instead of batches of children the apply waited on one batch at a
 * time. The rows go to the child through the bulk store, and their outcomes come back from it.
 */
import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  applyWorkflowId,
  offboardedRow,
  skippedWithoutNumber,
  type ApplyInput,
  type ApplyRow,
} from '../../domain/apply';
import type { StoredBulkOffboardInput } from '../../domain/bulk-offboarding';
import { rootMessage } from '../../domain/failure-types';
import { bulkStoreOptions } from '../activity-options';
import { bulkOffboard } from '../bulk-offboard';

const { saveOffboardRows, readOffboardOutcomes } = proxyActivities<Activities>(bulkStoreOptions);

/** Rows read per activity by the child, and started per run of it before it continues as new. */
const PAGE_SIZE = 500;

/** Offboards rows[i] for each i of `at`, in place: pruned, failed, or (a repair) `not-started` until its create. */
export async function offboardInBulk(input: ApplyInput, rows: ApplyRow[], at: number[]): Promise<void> {
  const { workspaceId, inventory } = input.plan;
  const numbered = at.filter((i) => rows[i]!.phoneNumberId !== undefined);
  for (const i of at.filter((k) => rows[k]!.phoneNumberId === undefined)) rows[i] = skippedWithoutNumber(rows[i]!);
  if (!numbered.length) return;
  const stored = await saveOffboardRows.executeWithOptions(
    { summary: `store the ${numbered.length} rows to offboard` },
    [{ workspaceId, numbers: numbered.map((i) => rows[i]!.phoneNumberId!), source: `apply of inventory ${inventory}` }],
  );
  const child: StoredBulkOffboardInput = {
    workspaceId,
    stored,
    pageSize: PAGE_SIZE,
    concurrency: input.offboardWindow,
    startsPerRun: PAGE_SIZE,
  };
  let runKey: string;
  try {
    const done = await executeChild(bulkOffboard, {
      workflowId: `${applyWorkflowId(workspaceId, inventory)}/offboard`,
      args: [child],
      staticSummary: `Offboard ${numbered.length} channel(s) of inventory ${inventory} (an apply's repairs and prunes)`,
    });
    runKey = done.stored!.runKey;
  } catch (err) {
    const reason = `offboarding failed: ${rootMessage(err)}`;
    for (const i of numbered) rows[i] = { ...rows[i]!, outcome: 'failed', reason };
    return;
  }
  const outcomes = await readOffboardOutcomes.executeWithOptions({ summary: 'read the offboardings’ outcomes' }, [
    { bulkKey: stored.bulkKey, runKey },
  ]);
  const byRow = new Map(outcomes.map((o) => [o.row, o]));
  numbered.forEach((i, k) => (rows[i] = offboardedRow(rows[i]!, byRow.get(k), input.prune)));
}
