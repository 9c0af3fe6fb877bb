/**
 * What every scenario of the fault suite shares: its own dev server (a process on a SQLite file, which the
 * server-restart scenario kills), a client, and one pre-built workflow bundle that every worker process loads
 * (WORKFLOW_BUNDLE_PATH), so a restarted worker is back in seconds instead of re-bundling.
 */
import { Client, Connection } from '@temporalio/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorkflowBundle } from '../../scripts/bundle-workflows';
import { DevServer } from './dev-server';

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

export interface ChaosWorld {
  dir: string;
  server: DevServer;
  connection: Connection;
  client: Client;
  bundlePath: string;
  close(): Promise<void>;
}

/** `bundlePath`: another world's bundle, to share it instead of bundling again. */
export async function startWorld(opts: { bundlePath?: string } = {}): Promise<ChaosWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'chaos-'));
  const bundlePath = opts.bundlePath ?? join(dir, 'workflow-bundle.js');
  const [server] = await Promise.all([
    DevServer.start(dir),
    opts.bundlePath ? undefined : writeWorkflowBundle(bundlePath, quietLogger),
  ]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  return {
    dir,
    server,
    connection,
    client,
    bundlePath,
    async close() {
      await connection.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
