/** The bench's fairness section: two workspaces onboarding at once under one budget, then under one each. */
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { BirdClient } from '../../src/bird/client';
import { BirdSimulator } from '../../src/bird-sim';
import { Secret } from '../../src/base/secret';
import { awaitBulk, startBulk } from '../../src/client/bulk-client';
import { staticSecretStore } from '../../src/config/secrets';
import { createProvisioningWorker, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../src/worker/factory';
import { benchInventory, type BenchContext } from './context';

/**
 * Two workspaces onboarding at once, with Bird's limits scaled down (10 GET/s and 10 POST/s per workspace) so the
 * limit is what bounds the run: one budget shared by the deployment, then one per workspace (fairness keys).
 */
export async function fairnessScenario(ctx: BenchContext): Promise<void> {
  const { opts, client, store, address, accessKey, organizationId, dir, say } = ctx;
  const n = opts.fairnessNumbers;
  const limits = { getPerSecond: 10, postPerSecond: 10 };
  say(
    `\n[fairness] two workspaces × ${n} numbers at once, polling every 200 ms, Bird limited to ${limits.getPerSecond} GET/s and ${limits.postPerSecond} POST/s per workspace`,
  );
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const connection = await NativeConnection.connect({ address });
  for (const scope of ['deployment', 'workspace'] as const) {
    const workspaces = [randomUUID(), randomUUID()].map((id) => ({ workspaceId: id, organizationId }));
    const limitedSim = await BirdSimulator.start({
      accessKeys: [accessKey],
      workspaces: workspaces.map((w) => ({ id: w.workspaceId, organizationId })),
      provisioningDelayMs: 1_000,
      rateLimits: limits,
    });
    const queue = `bench-fair-${scope}-${randomUUID().slice(0, 8)}`;
    const w = await createProvisioningWorker({
      connection,
      namespace: 'default',
      taskQueue: queue,
      bird: new BirdClient({ baseUrl: limitedSim.url, accessKey: new Secret(accessKey) }),
      secrets: staticSecretStore({}),
      bulkStore: store,
      workflowBundle,
      // The server's limiter lets short bursts through: the workers get a little less than Bird allows.
      birdRateLimits: { getPerSecond: limits.getPerSecond * 0.8, postPerSecond: limits.postPerSecond * 0.8 },
      rateLimitScope: scope === 'workspace' ? { scope, workspacesAtFullRate: 2 } : { scope },
    });
    const running = w.run();
    const t0 = Date.now();
    const runs = await Promise.all(
      workspaces.map(async (ws, i) => {
        const numbers = Array.from({ length: n }, () => randomUUID());
        const inventory = await benchInventory(dir, `${queue}-${i}`, numbers, ws, {
          readiness: {
            mode: 'poll',
            initialPollInterval: 200,
            backoffCoefficient: 1,
            maxPollInterval: 200,
            deadline: '10m',
          },
        });
        const started = await startBulk(client, store, inventory, { taskQueue: queue, concurrency: n });
        await awaitBulk(client, started.workflowId);
        return (Date.now() - t0) / 1000;
      }),
    );
    const calls = limitedSim.calls();
    say(
      `  ${scope} scope: both done in ${Math.max(...runs).toFixed(1)} s (workspaces at ${runs.map((r) => r.toFixed(1)).join(' s, ')} s); ` +
        `${calls.length} Bird calls, ${calls.filter((c) => c.rateLimited).length} answered 429`,
    );
    w.shutdown();
    await running;
    await limitedSim.close();
  }
  await connection.close();
}
