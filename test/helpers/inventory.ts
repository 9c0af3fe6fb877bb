/** A bulk inventory of `n` fresh numbers under one set of defaults, for the bulk-store tests. */
import { randomUUID } from 'node:crypto';
import { buildInventory, parseBulkDefaults } from '../../src/domain/bulk-input';

const DEFAULTS = {
  workspaceId: randomUUID(),
  organizationId: randomUUID(),
  connector: {
    connectorTemplateRef: 'sms-messagebird:1',
    name: 'Acme Support',
    arguments: { channelMessageType: 'transactional' },
  },
};

export function sampleInventory(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({
    line: i + 2,
    kind: 'columns' as const,
    columns: { phoneNumberId: randomUUID() },
  }));
  return buildInventory(parseBulkDefaults(DEFAULTS), rows);
}
