/**
 * Demonstrates a Worker Deployment upgrade with runs in flight on a throwaway dev server (the CLI scripts/temporal.sh
 * builds): `npx tsx scripts/versioned-upgrade.ts`. Prints which build ran each workflow task of each run.
 * test/versioning.test.ts asserts the same.
 */
import { formatUpgradeReport, runVersionedUpgrade } from '../test/helpers/versioned-upgrade';
import { shutdownTemporal, temporal } from '../test/helpers/temporal';

async function main(): Promise<void> {
  const { env, workflowBundle } = await temporal();
  try {
    const report = await runVersionedUpgrade({ client: env.client, connection: env.nativeConnection, workflowBundle });
    console.log(formatUpgradeReport(report));
  } finally {
    await shutdownTemporal();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
