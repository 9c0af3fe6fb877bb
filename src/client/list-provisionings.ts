/**
 * Recent provisionings of a workspace from Temporal's visibility store, with the search attributes the workflow
 * keeps up to date (stage, outcome, number, connector): what is running and how the rest ended, without the UI.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import * as sa from '../domain/search-attributes';

export interface ProvisioningSummary {
  workflowId: string;
  runId: string;
  status: string;
  stage?: string;
  outcome?: string;
  phoneNumberId?: string;
  connectorId?: string;
  startedAt: string;
  closedAt?: string;
}

/** workspaceId must be a validated UUID (it goes into the visibility query). Newest first. */
export async function listProvisionings(
  client: Client,
  opts: { workspaceId: string; limit: number },
): Promise<ProvisioningSummary[]> {
  const query = `WorkflowType = 'provisionChannel' AND ${sa.BirdWorkspaceId.name} = '${opts.workspaceId}'`;
  const found: ProvisioningSummary[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: Math.min(opts.limit, 1000) })) {
    found.push(summaryOf(execution));
    if (found.length >= opts.limit) break;
  }
  return found.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

function summaryOf(e: WorkflowExecutionInfo): ProvisioningSummary {
  const get = (key: (typeof sa.PROVISIONING_SEARCH_ATTRIBUTES)[number]) => e.typedSearchAttributes.get(key);
  return {
    workflowId: e.workflowId,
    runId: e.runId,
    status: e.status.name,
    stage: get(sa.ProvisioningStage),
    outcome: get(sa.ProvisioningOutcome),
    phoneNumberId: get(sa.BirdPhoneNumberId),
    connectorId: get(sa.BirdConnectorId),
    startedAt: e.startTime.toISOString(),
    closedAt: e.closeTime?.toISOString(),
  };
}
