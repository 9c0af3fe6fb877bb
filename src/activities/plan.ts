/**
 * The plan's activity: one page of the workspace's connectors (one Bird GET, so the reads queue's rate limit
 * applies), each of ours whose name records no inventory with the inventory that adopted it, if one did (the
 * adoption records, read only for a page that holds such a connector). Statuses are read by the workflow, one GET
 * per connector that needs one (getChannelReadiness).
 */
import type { AdoptionRecords } from '../bulk/adoption-records';
import type { BirdClient } from '../bird/client';
import { numberOf } from '../domain/offboarding';
import { mayBeAdopted } from '../domain/plan';

export interface PlanPageConnector {
  connectorId: string;
  name: string;
  numberId?: string;
  /** The inventory that adopted it (ours, and its name records none). */
  adoptedBy?: string;
}

export interface PlanPage {
  connectors: PlanPageConnector[];
  nextPageToken?: string;
}

export function planActivities({ bird, adoptions }: { bird: BirdClient; adoptions?: AdoptionRecords }) {
  return {
    async planConnectorsPage(input: { workspaceId: string; pageToken?: string; pageSize: number }): Promise<PlanPage> {
      const page = await bird.listConnectorsPage(input.workspaceId, {
        limit: input.pageSize,
        pageToken: input.pageToken,
      });
      const adopted =
        adoptions && page.results.some((c) => mayBeAdopted(c.name))
          ? await adoptions.byConnector(input.workspaceId)
          : new Map<string, string>();
      return {
        connectors: page.results.map((c) => {
          const numberId = numberOf(c);
          const adoptedBy = mayBeAdopted(c.name) ? adopted.get(c.id) : undefined;
          return {
            connectorId: c.id,
            name: c.name,
            ...(numberId ? { numberId } : {}),
            ...(adoptedBy ? { adoptedBy } : {}),
          };
        }),
        nextPageToken: page.nextPageToken || undefined,
      };
    },
  };
}
