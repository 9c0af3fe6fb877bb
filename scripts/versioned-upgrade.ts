/**
 * Demonstrates a Worker Deployment upgrade with runs in flight. Prints which build ran each workflow task of each run.
 *  - `npx tsx scripts/versioned-upgrade.ts`: provisionings and the subscription entity, on a throwaway dev server
 *    (the CLI scripts/temporal.sh builds); test/versioning.test.ts asserts the same.
 *  - `npx tsx scripts/versioned-upgrade.ts --bulk`: a bulk run that moves to the new version at its next
 *    continue-as-new while its children finish on the old one, on Temporal Server 1.30.9 (built on first use by
 *    scripts/temporal-server.sh ensure-upgrade, slow); test/upgrade/bulk.upgrade.ts asserts the same.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { formatUpgradeReport, runVersionedUpgrade } from '../test/helpers/versioned-upgrade';
import { bundleWithInterceptors, shutdownTemporal, temporal } from '../test/helpers/temporal';
import { formatBulkUpgradeReport, runBulkUpgrade } from '../test/upgrade/bulk-upgrade-run';
import { ensureUpgradeServerBin, startUpgradeServer } from '../test/upgrade/temporal-server';

async function provisionings(): Promise<void> {
  const { env, workflowBundle } = await temporal();
  try {
    const report = await runVersionedUpgrade({ client: env.client, connection: env.nativeConnection, workflowBundle });
    console.log(formatUpgradeReport(report));
  } finally {
    await shutdownTemporal();
  }
}

async function bulk(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const [server, workflowBundle] = await Promise.all([
    ensureUpgradeServerBin().then((bin) => startUpgradeServer({ bin })),
    bundleWithInterceptors([]),
  ]);
  try {
    const report = await runBulkUpgrade({
      address: server.address,
      namespace: server.namespace,
      serverVersion: server.version,
      workflowBundle,
    });
    console.log(formatBulkUpgradeReport(report));
  } finally {
    await server.stop();
  }
}

(process.argv.includes('--bulk') ? bulk() : provisionings()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
