/**
 * Safe upgrades with Worker Deployment versioning, on the real dev server (Server 1.29.1): runs in flight stay on
 * the build that started them (PINNED), new runs go to the new current build, and the long-lived subscription
 * entity moves to it (AUTO_UPGRADE). `npx tsx scripts/versioned-upgrade.ts` prints the same story.
 */
import assert from 'node:assert/strict';
import { formatUpgradeReport, runVersionedUpgrade } from './helpers/versioned-upgrade';
import { temporal } from './helpers/temporal';

describe('versioned upgrade with runs in flight', function () {
  this.timeout(180_000);

  it('keeps in-flight provisionings on v1, starts new ones on v2, moves the entity to v2', async () => {
    const { env, workflowBundle } = await temporal();
    const report = await runVersionedUpgrade({ client: env.client, connection: env.nativeConnection, workflowBundle });
    const text = formatUpgradeReport(report);
    if (process.env.SHOW_UPGRADE) console.log(text);
    assert.equal(report.inFlightAtUpgrade, true, `A and B were still running at the upgrade\n${text}`);
    const [a, b, c, entity] = report.runs;
    for (const pinned of [a!, b!]) {
      assert.deepEqual(pinned.builds, ['v1'], `${pinned.label}\n${text}`);
      assert.equal(pinned.behavior, 'PINNED', text);
      assert.equal(pinned.outcome, 'completed', text);
    }
    assert.deepEqual(c!.builds, ['v2'], text);
    assert.equal(c!.behavior, 'PINNED', text);
    assert.equal(c!.outcome, 'completed', text);
    assert.deepEqual(entity!.builds, ['v1', 'v2'], text);
    assert.equal(entity!.behavior, 'AUTO_UPGRADE', text);
  });
});
