/**
 * Bulk inventories for the tests: the SMS defaults every bulk test and the history recorder start from, and a sample
 * inventory of fresh numbers under them for the bulk-store tests.
 */
import { randomUUID } from 'node:crypto';
import { buildInventory, parseBulkDefaults } from '../../src/domain/bulk-input';

/**
 * The bulk defaults of an SMS inventory in a workspace: one channel name for every number of the file (as one
 * customer's numbers have), transactional; `readiness` as given, or none (the product's default).
 */
export function smsBulkDefaults(
  workspace: { workspaceId: string; organizationId: string },
  opts: { name?: string; readiness?: Record<string, unknown> } = {},
) {
  return {
    workspaceId: workspace.workspaceId,
    organizationId: workspace.organizationId,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: opts.name ?? 'Acme Support',
      arguments: { channelMessageType: 'transactional' },
    },
    ...(opts.readiness ? { readiness: opts.readiness } : {}),
  };
}

const DEFAULTS = smsBulkDefaults({ workspaceId: randomUUID(), organizationId: randomUUID() });

export function sampleInventory(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({
    line: i + 2,
    kind: 'columns' as const,
    columns: { phoneNumberId: randomUUID() },
  }));
  return buildInventory(parseBulkDefaults(DEFAULTS), rows);
}
