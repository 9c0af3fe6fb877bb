/**
 * Another service onboarding a file with the typed API (src/client/bulk-client.ts), as a process of its own: reads
 * and stores the inventory, starts (or attaches to) its bulk run, waits for its end with `awaitBulk`, prints one JSON
 * line per step, exits 0 when the run completed. The fault suite restarts the server under it (and under
 * `starter bulk --wait`, which follows the same run).
 *
 *   node --import tsx test/chaos/bulk-driver.ts <inventory.csv> <defaults.json> <concurrency> <sweepIntervalMs>
 */
import { Client, Connection } from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import { awaitBulk, prepareInventory, startBulk } from '../../src/client/bulk-client';
import { bulkStoreFromEnv } from '../../src/bulk/store-env';
import { loadConfig } from '../../src/config/app-config';

async function main(): Promise<number> {
  const [file, defaultsFile, concurrency, sweep] = process.argv.slice(2);
  if (!file || !defaultsFile)
    throw new Error('usage: bulk-driver <inventory> <defaults.json> [concurrency] [sweepIntervalMs]');
  const config = loadConfig();
  const connection = await Connection.connect(config.temporal.connectionOptions);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const inventory = await prepareInventory(file, JSON.parse(await readFile(defaultsFile, 'utf8')));
    const started = await startBulk(client, bulkStoreFromEnv(), inventory, {
      taskQueue: config.temporal.taskQueue,
      concurrency: Number(concurrency ?? 100),
      sweepIntervalMs: Number(sweep ?? 30_000),
    });
    console.log(JSON.stringify({ msg: 'bulk started', workflowId: started.workflowId }));
    const end = await awaitBulk(client, started.workflowId);
    console.log(
      JSON.stringify({
        msg: 'bulk ended',
        status: end.status,
        ...(end.status === 'failed' ? { reason: end.reason } : { counts: end.progress.counts }),
      }),
    );
    return end.status === 'completed' ? 0 : 1;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(JSON.stringify({ msg: 'bulk driver failed', error: (err as Error).message }));
    process.exit(3);
  },
);
