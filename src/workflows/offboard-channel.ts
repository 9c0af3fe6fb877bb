/**
 * offboardChannel: the end of a channel's life. Stops the channel's provisioning if it is still running (cancelled,
 * its compensation awaited, so two operations on one number never interleave), finds the channel's connectors by
 * our records (the provisioning's BirdConnectorId) or else by listing the workspace, deletes ours (tagged) through
 * compensation's deleteConnector, confirms each gone (deprovisioned or 404, read with backoff on the rate-limited
 * reads queue), and reports what it did and what it left: foreign connectors are never touched, and the webhook
 * subscriptions the provisioning registered stay (Bird's API has no delete for them).
 */
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  describeOffboard,
  outcomeOf,
  parseOffboardInput,
  provisioningIdOf,
  type ChannelConnector,
  type OffboardInput,
  type OffboardInputRaw,
  type OffboardProgress,
  type OffboardResult,
  type OffboardStage,
} from '../domain/offboarding';
import * as sa from '../domain/search-attributes';
import { parseOrFailRun } from './invalid-input';
import { offboardActivities } from './offboard/calls';

/** Pages listed at most when no record names the connector (100 connectors each): bounds the history. */
const MAX_PAGES = 200;

export async function offboardChannel(raw: OffboardInputRaw): Promise<OffboardResult> {
  const input = parseOrFailRun(() => parseOffboardInput(raw));
  const acts = offboardActivities(input.workspaceId, input.confirmDeadline);
  const progress: OffboardProgress = {
    stage: 'stopping-provisioning',
    pagesRead: 0,
    result: {
      workflowId: workflowInfo().workflowId,
      workspaceId: input.workspaceId,
      ...(input.phoneNumberId ? { phoneNumberId: input.phoneNumberId } : {}),
      ...(input.connector ? { connector: input.connector } : {}),
      deleted: [],
      foreign: [],
      leftBehind: [],
      birdWrites: 0,
    },
  };
  const show = (stage: OffboardStage) => {
    progress.stage = stage;
    setCurrentDetails(describeOffboard(progress));
  };
  show('stopping-provisioning');

  const provisioningId = provisioningIdOf(input);
  const record = await acts.stopProvisioning.executeWithOptions(
    { summary: `stop ${provisioningId} if it is running; read its record` },
    [{ workflowId: provisioningId }],
  );
  const r = progress.result;
  if (record.cancelled && record.runId) r.cancelledProvisioning = { workflowId: provisioningId, runId: record.runId };
  r.leftBehind = record.subscriptionIds.map((subscriptionId) => ({ kind: 'webhook-subscription', subscriptionId }));

  show('finding');
  const { own, foreign } = await findConnectors(input, record.connectorId, acts, progress);
  r.foreign = foreign.map(({ connectorId, name }) => ({ connectorId, name }));

  for (const c of own) {
    show('deleting');
    await acts.deleteConnector.executeWithOptions({ summary: `delete our connector ${c.connectorId}` }, [
      { workspaceId: input.workspaceId, connectorId: c.connectorId, ownership: { tag: c.tag! } },
    ]);
    r.birdWrites++;
    show('confirming');
    const gone = await acts.confirmConnectorGone.executeWithOptions(
      { summary: `confirm connector ${c.connectorId} gone` },
      [{ workspaceId: input.workspaceId, connectorId: c.connectorId }],
    );
    r.deleted.push({ connectorId: c.connectorId, name: c.name, confirmedBy: gone.confirmedBy });
  }

  const result: OffboardResult = { ...r, outcome: outcomeOf(r) };
  progress.result = result;
  upsertSearchAttributes([
    { key: sa.ProvisioningStage, value: 'offboarded' },
    { key: sa.ProvisioningOutcome, value: result.outcome },
  ]);
  show('done');
  return result;
}

type Acts = ReturnType<typeof offboardActivities>;

/**
 * By record first (one GET); else page through the workspace until the channel's connector shows up: Bird allows
 * one live connector per number (and per name), so the first page that has one has them all.
 */
async function findConnectors(
  input: OffboardInput,
  recordedId: string | undefined,
  acts: Acts,
  progress: OffboardProgress,
): Promise<{ own: ChannelConnector[]; foreign: ChannelConnector[] }> {
  const key = { workspaceId: input.workspaceId, phoneNumberId: input.phoneNumberId, connector: input.connector };
  if (recordedId) {
    const found = await acts.recordedChannelConnector.executeWithOptions(
      { summary: `read the recorded connector ${recordedId}` },
      [{ key, connectorId: recordedId }],
    );
    if (found.own.length || found.foreign.length) return found;
  }
  let pageToken: string | undefined;
  do {
    const page = await acts.channelConnectorsPage.executeWithOptions(
      { summary: `look for the channel's connector, page ${progress.pagesRead + 1}` },
      [{ key, pageToken, pageSize: input.pageSize, templateRef: input.connector?.connectorTemplateRef }],
    );
    progress.pagesRead++;
    if (page.own.length || page.foreign.length) return page;
    pageToken = page.nextPageToken;
  } while (pageToken && progress.pagesRead < MAX_PAGES);
  return { own: [], foreign: [] };
}
