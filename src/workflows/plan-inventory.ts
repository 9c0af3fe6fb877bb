/**
 * planInventory: what it takes for a workspace to match an inventory (src/domain/plan.ts), read from Bird and our
 * records and changing nothing: the workspace's connector list pages (one GET each), the inventory that adopted each of
 * ours whose name records none (the adoption records, in the same activity), and, unless the input turns `refresh`
 * off, the status of each of ours for a number of the inventory (one GET each, in batches). Every Bird read is on the
 * rate-limited reads queue.
 */
import { proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { Activities, PlanPage } from '../activities';
import { birdCallRouting } from '../bird/rate-limits/queues';
import { parseTaggedName } from '../domain/idempotency';
import { planWorkspace, type Plan, type WorkspaceConnector } from '../domain/plan';
import { parsePlanInput, type PlanInputRaw } from '../domain/plan-input';
import { finalStatusReadOptions, lookupOptions } from './activity-options';
import { parseOrFailRun } from './invalid-input';

/** Status reads at once (each one GET on the reads queue, which paces them anyway). */
const STATUS_BATCH = 10;

export async function planInventory(raw: PlanInputRaw): Promise<Plan> {
  const input = parseOrFailRun(() => parsePlanInput(raw));
  const { reads } = birdCallRouting(workflowInfo().taskQueue, input.workspaceId);
  const { planConnectorsPage } = proxyActivities<Activities>({ ...lookupOptions, ...reads });
  const { getChannelReadiness } = proxyActivities<Activities>({ ...finalStatusReadOptions, ...reads });
  const show = (what: string) =>
    setCurrentDetails(`- **Inventory:** ${input.inventory} in workspace ${input.workspaceId}\n- **${what}**`);

  const listed: PlanPage['connectors'] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    show(`listing page ${pages + 1}`);
    const page = await planConnectorsPage.executeWithOptions({ summary: `list connectors, page ${pages + 1}` }, [
      { workspaceId: input.workspaceId, pageToken, pageSize: input.pageSize },
    ]);
    pages++;
    listed.push(...page.connectors);
    pageToken = page.nextPageToken;
  } while (pageToken);

  const numbers = new Set(input.entries.map((e) => e.phoneNumberId));
  const connectors: WorkspaceConnector[] = listed.map(({ connectorId, name, numberId, adoptedBy }) => ({
    connectorId,
    name,
    ...(numberId ? { numberId } : {}),
    ...(adoptedBy ? { adoptedBy } : {}),
  }));
  const needStatus = connectors.filter(
    (c) => input.refresh && parseTaggedName(c.name) && c.numberId !== undefined && numbers.has(c.numberId),
  );
  for (let i = 0; i < needStatus.length; i += STATUS_BATCH) {
    show(`reading statuses ${i + 1}–${Math.min(i + STATUS_BATCH, needStatus.length)} of ${needStatus.length}`);
    await Promise.all(
      needStatus.slice(i, i + STATUS_BATCH).map(async (c) => {
        try {
          const s = await getChannelReadiness.executeWithOptions({ summary: `status of ${c.connectorId}` }, [
            { workspaceId: input.workspaceId, connectorId: c.connectorId },
          ]);
          c.status = s.status ?? null;
          c.stage = s.stage ?? null;
        } catch {
          // Gone since it was listed (404): as good as deprovisioned.
          c.status = null;
          c.stage = 'deprovisioned';
        }
      }),
    );
  }
  const plan = planWorkspace({ ...input, connectors });
  show(`planned: ${plan.entries.length} entries`);
  return plan;
}
