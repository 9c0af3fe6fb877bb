/**
 * The orphan audit's activity: one page of the workspace's connectors (one Bird GET, so the reads queue's rate limit
 * applies), and for each tagged one the provisioning run that owns it, found in Temporal's visibility by connector id
 * or by tag (two queries per page, whatever its size), and the inventory that adopted it, if any (the adoption
 * records, read only for a page that holds one of ours whose name records no inventory), judged by
 * src/domain/reconcile.ts.
 */
import { Context } from '@temporalio/activity';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { BirdClient } from '../bird/client';
import type { AdoptionRecords } from '../bulk/adoption-records';
import type { Connector } from '../bird/schemas';
import { parseTaggedName } from '../domain/idempotency';
import { mayBeAdopted } from '../domain/plan';
import { judgeConnector, type OwnerRun, type TaggedConnector, type Verdict } from '../domain/reconcile';
import * as sa from '../domain/search-attributes';

export interface AuditPageInput {
  workspaceId: string;
  pageToken?: string;
  pageSize: number;
  graceMs: number;
}

export interface AuditedConnector extends TaggedConnector {
  verdict: Verdict;
}

export interface AuditedPage {
  scanned: number;
  untagged: number;
  /** Every tagged connector of the page with its verdict. */
  tagged: AuditedConnector[];
  nextPageToken?: string;
}

export function reconcileActivities({
  bird,
  temporal,
  adoptions,
}: {
  bird: BirdClient;
  temporal?: () => Client;
  adoptions?: AdoptionRecords;
}) {
  const client = (): Client => temporal?.() ?? Context.current().client;

  /** Runs of provisionChannel whose `key` is one of `values`, by that value (the newest run first wins). */
  async function runsBy(
    key: typeof sa.BirdConnectorId,
    values: string[],
    matchedBy: OwnerRun['matchedBy'],
  ): Promise<Map<string, OwnerRun>> {
    const found = new Map<string, OwnerRun>();
    if (!values.length) return found;
    // Values are Bird UUIDs (checked by the list schema) or tags matching /^prov-[0-9a-f]{16}$/: safe inside quotes.
    const query = `WorkflowType = 'provisionChannel' AND ${key.name} IN (${values.map((v) => `'${v}'`).join(', ')})`;
    for await (const run of client().workflow.list({ query })) {
      const value = run.typedSearchAttributes.get(key);
      if (typeof value === 'string' && !found.has(value)) found.set(value, ownerOf(run, matchedBy));
    }
    return found;
  }

  async function retentionMs(): Promise<number | undefined> {
    const c = client();
    const { config } = await c.workflowService.describeNamespace({ namespace: c.options.namespace });
    const ttl = config?.workflowExecutionRetentionTtl;
    return ttl?.seconds != null ? Number(ttl.seconds) * 1000 + Math.floor((ttl.nanos ?? 0) / 1e6) : undefined;
  }

  return {
    /** One page of the workspace's connectors, each tagged one judged: owned, young, orphan, unverifiable or foreign. */
    async auditConnectorsPage({ workspaceId, pageToken, pageSize, graceMs }: AuditPageInput): Promise<AuditedPage> {
      const page = await bird.listConnectorsPage(workspaceId, { limit: pageSize, pageToken });
      const adopted =
        adoptions && page.results.some((c) => mayBeAdopted(c.name))
          ? await adoptions.byConnector(workspaceId)
          : new Map<string, string>();
      const tagged = page.results.flatMap((c) => {
        const t = taggedOf(c);
        const adoptedBy = mayBeAdopted(c.name) ? adopted.get(c.id) : undefined;
        return t ? [{ ...t, ...(adoptedBy ? { adoptedBy } : {}) }] : [];
      });
      const [byConnector, byTag, retention] = await Promise.all([
        runsBy(
          sa.BirdConnectorId,
          tagged.map((c) => c.connectorId),
          'connector',
        ),
        runsBy(
          sa.ProvisioningTag,
          tagged.map((c) => c.tag),
          'tag',
        ),
        retentionMs(),
      ]);
      const nowMs = Date.now();
      return {
        scanned: page.results.length,
        untagged: page.results.length - tagged.length,
        tagged: tagged.map((c) => ({
          ...c,
          verdict: judgeConnector(c, byConnector.get(c.connectorId) ?? byTag.get(c.tag), {
            workspaceId,
            nowMs,
            graceMs,
            retentionMs: retention,
          }),
        })),
        nextPageToken: page.nextPageToken || undefined,
      };
    },
  };
}

function taggedOf(c: Connector): TaggedConnector | undefined {
  const parsed = parseTaggedName(c.name);
  if (!parsed) return undefined;
  const fromArguments = c.arguments?.['phoneNumberId'];
  const numberId = typeof fromArguments === 'string' ? fromArguments : (c.number?.numberId ?? undefined);
  return {
    connectorId: c.id,
    name: c.name,
    tag: parsed.tag,
    baseName: parsed.name,
    ...(c.connectorTemplateRef ? { templateRef: c.connectorTemplateRef } : {}),
    ...(numberId ? { numberId } : {}),
    createdAt: c.createdAt,
  };
}

function ownerOf(run: WorkflowExecutionInfo, matchedBy: OwnerRun['matchedBy']): OwnerRun {
  const connectorId = run.typedSearchAttributes.get(sa.BirdConnectorId);
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    status: run.status.name,
    ...(connectorId ? { connectorId } : {}),
    matchedBy,
  };
}
