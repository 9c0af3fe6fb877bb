/**
 * A bulk run's reads of its inputs: Bird's existing connectors (indexed once per bulk run) and the stored inventory,
 * a page at a time, cut into batches small enough for one workflow task.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities, InventoryPageRow } from '../../activities';
import type { BulkOnboardInput } from '../../domain/bulk-onboarding';
import { withoutStack } from '../../domain/failure-types';
import { bulkStoreOptions } from '../activity-options';
import type { birdActivities } from '../bird-activities';

const { readInventoryPage } = proxyActivities<Activities>(bulkStoreOptions);

/** Children started in one workflow task: their inputs travel in its completion, which must stay far below 4 MB. */
export const START_BATCH = { rows: 100, bytes: 1_000_000 };

/**
 * Bird's connectors of the inventory's templates, a page (one GET) per activity; returns Bird's GET limit as the
 * worker that read them is told it.
 */
export async function indexBirdConnectors(
  bird: ReturnType<typeof birdActivities>,
  input: BulkOnboardInput,
  runKey: string,
): Promise<number | undefined> {
  let page = 0;
  let getPerSecond: number | undefined;
  for (const templateRef of input.templateRefs) {
    let pageToken: string | undefined;
    do {
      const r = await bird.indexConnectorsPage.executeWithOptions(
        { summary: `index Bird's existing ${templateRef} connectors, page ${page + 1}` },
        [
          {
            bulkKey: input.bulkKey,
            runKey,
            workspaceId: input.workspaceId,
            templateRef,
            page,
            pageToken,
          },
        ],
      );
      pageToken = r.nextPageToken;
      getPerSecond = r.birdGetPerSecond;
      page++;
    } while (pageToken);
  }
  return getPerSecond;
}

/** The inventory's rows from `next` on, one page; an inventory shorter than its row count is corrupt. */
export async function readInventoryRows(
  input: BulkOnboardInput,
  runKey: string,
  next: number,
): Promise<InventoryPageRow[]> {
  const rows = await readInventoryPage.executeWithOptions(
    { summary: `read rows ${next + 1}–${Math.min(next + input.pageSize, input.rows)} of ${input.rows}` },
    [
      {
        bulkKey: input.bulkKey,
        runKey,
        offset: next,
        limit: input.pageSize,
        maxBytes: START_BATCH.bytes,
      },
    ],
  );
  if (!rows.length)
    throw withoutStack(
      ApplicationFailure.nonRetryable(
        `the stored inventory ends at row ${next} of ${input.rows}`,
        'BulkInventoryCorrupt',
      ),
    );
  return rows;
}

/** The next rows to start: at most `room` of them, and no more input bytes than one workflow task should carry. */
export function takeBatch(buffer: InventoryPageRow[], room: number): InventoryPageRow[] {
  let bytes = 0;
  let n = 0;
  while (n < buffer.length && n < room && n < START_BATCH.rows) {
    bytes += JSON.stringify(buffer[n]!.input).length;
    if (n > 0 && bytes > START_BATCH.bytes) break;
    n++;
  }
  return buffer.splice(0, n);
}
