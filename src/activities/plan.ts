/**
 * The plan's activity: one page of the workspace's connectors (one Bird GET, so the reads queue's rate limit
 * applies), each with whether a provisioning run records it (one visibility query per page, whatever its size).
 * Statuses are read by the workflow, one GET per connector that needs one (getChannelReadiness).
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { BirdClient } from '../bird/client';
import { parseTaggedName } from '../domain/idempotency';
import { numberOf } from '../domain/offboarding';
import * as sa from '../domain/search-attributes';

export interface PlanPageConnector {
  connectorId: string;
  name: string;
  numberId?: string;
  /** Tagged (ours), and a provisioning run records its id or its tag. */
  recorded?: boolean;
}

export interface PlanPage {
  connectors: PlanPageConnector[];
  nextPageToken?: string;
}

export function planActivities({ bird, temporal }: { bird: BirdClient; temporal?: () => Client }) {
  const client = (): Client => temporal?.() ?? Context.current().client;

  /** Connector ids and tags that some provisioning run records. Values are Bird UUIDs or prov-<16 hex>: safe quoted. */
  async function recordedValues(ids: string[], tags: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (!ids.length) return found;
    const list = (vs: string[]) => vs.map((v) => `'${v}'`).join(', ');
    const query = `WorkflowType = 'provisionChannel' AND (${sa.BirdConnectorId.name} IN (${list(ids)}) OR ${sa.ProvisioningTag.name} IN (${list(tags)}))`;
    for await (const run of client().workflow.list({ query })) {
      const id = run.typedSearchAttributes.get(sa.BirdConnectorId);
      const tag = run.typedSearchAttributes.get(sa.ProvisioningTag);
      if (id) found.add(id);
      if (tag) found.add(tag);
    }
    return found;
  }

  return {
    async planConnectorsPage(input: { workspaceId: string; pageToken?: string; pageSize: number }): Promise<PlanPage> {
      const page = await bird.listConnectorsPage(input.workspaceId, {
        limit: input.pageSize,
        pageToken: input.pageToken,
      });
      const tagged = page.results.flatMap((c) => {
        const t = parseTaggedName(c.name);
        return t ? [{ id: c.id, tag: t.tag }] : [];
      });
      const recorded = await recordedValues(
        tagged.map((t) => t.id),
        tagged.map((t) => t.tag),
      );
      return {
        connectors: page.results.map((c) => {
          const tag = parseTaggedName(c.name)?.tag;
          const numberId = numberOf(c);
          return {
            connectorId: c.id,
            name: c.name,
            ...(numberId ? { numberId } : {}),
            ...(tag ? { recorded: recorded.has(c.id) || recorded.has(tag) } : {}),
          };
        }),
        nextPageToken: page.nextPageToken || undefined,
      };
    },
  };
}
