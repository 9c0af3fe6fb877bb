/**
 * Custom search attributes, defined once and shared by the workflow (upserts), the client and webhook receiver
 * (visibility queries) and the dev-server launcher (registration). All Keyword: they are ids and enum values
 * that people filter on exactly in the Temporal UI.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BirdWorkspaceId = defineSearchAttributeKey('BirdWorkspaceId', SearchAttributeType.KEYWORD);
export const BirdConnectorId = defineSearchAttributeKey('BirdConnectorId', SearchAttributeType.KEYWORD);
export const BirdChannelId = defineSearchAttributeKey('BirdChannelId', SearchAttributeType.KEYWORD);
export const BirdPhoneNumberId = defineSearchAttributeKey('BirdPhoneNumberId', SearchAttributeType.KEYWORD);
export const ProvisioningStage = defineSearchAttributeKey('ProvisioningStage', SearchAttributeType.KEYWORD);
/**
 * How a finished provisioning ended: active, compensated (failed and fully undone), compensation-failed (something
 * was left; see the run's failure), cancelled; the vocabulary of domain/provisioning-outcome (docs/outcomes.md). A
 * run stuck retrying its compensation has ProvisioningStage "compensating" and no outcome yet. A bulk run sets
 * all-active, some-failed or cancelled.
 */
export const ProvisioningOutcome = defineSearchAttributeKey('ProvisioningOutcome', SearchAttributeType.KEYWORD);
/**
 * The provisioning's idempotency tag (`prov-<16 hex>`, the suffix of its connector's name), recorded before the
 * create is sent: the orphan audit (reconcile) finds the run that owns a tagged connector by it even when the run
 * never learned the connector's id (a lost create reply, a run terminated mid-create).
 */
export const ProvisioningTag = defineSearchAttributeKey('ProvisioningTag', SearchAttributeType.KEYWORD);

export const PROVISIONING_SEARCH_ATTRIBUTES = [
  BirdWorkspaceId,
  BirdConnectorId,
  BirdChannelId,
  BirdPhoneNumberId,
  ProvisioningStage,
  ProvisioningOutcome,
  ProvisioningTag,
] as const;

/** `--search-attribute Name=Keyword` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return PROVISIONING_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
