/** What every bench mode runs against: one dev server, one simulator, one worker process, one workspace. */
import type { Client } from '@temporalio/client';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BirdSimulator } from '../../src/bird-sim';
import type { BulkStore } from '../../src/bulk/store';
import { prepareInventory, type PreparedInventory } from '../../src/client/bulk-client';
import type { BenchOptions } from './options';

export interface BenchContext {
  client: Client;
  /** The dev server's address, for the processes a mode starts (`starter`, workers). */
  address: string;
  accessKey: string;
  sim: BirdSimulator;
  store: BulkStore;
  taskQueue: string;
  workspaceId: string;
  organizationId: string;
  /** A scratch directory for the files a mode writes. */
  dir: string;
  opts: BenchOptions;
  /** An inventory of these numbers in the bench's workspace, over the bench's defaults. */
  inventory: (name: string, numbers: string[], over: Record<string, unknown>) => Promise<PreparedInventory>;
  say: (line: string) => void;
}

/** A CSV of the numbers, read with the product's own reader, over the bench's defaults. */
export async function benchInventory(
  dir: string,
  name: string,
  numbers: string[],
  ws: { workspaceId: string; organizationId: string },
  over: Record<string, unknown>,
): Promise<PreparedInventory> {
  const file = join(dir, `${name}.csv`);
  await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
  return prepareInventory(file, {
    ...ws,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: 'Bench SMS',
      arguments: { channelMessageType: 'transactional' },
    },
    ...over,
  });
}

export function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
