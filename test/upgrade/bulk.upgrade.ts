/**
 * Bulk runs follow upgrades (src/workflows/bulk-upgrade.ts), on Temporal Server 1.30.9 built from the Go module proxy
 * and run on SQLite (test/upgrade/temporal-server.ts): the dev server of every other test (Server 1.29.1) never tells
 * a pinned run that a new version is current. `npm run test:upgrade`; the first run builds the server (tens of
 * minutes), later ones take about a minute. docs/upgrades.md says what it shows.
 */
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { bundleWithInterceptors } from '../helpers/temporal';
import { formatBulkUpgradeReport, runBulkUpgrade, type BulkUpgradeReport } from './bulk-upgrade-run';
import { ensureUpgradeServerBin, startUpgradeServer, type UpgradeServer } from './temporal-server';

describe('a bulk run follows a Worker Deployment upgrade at continue-as-new (Server 1.30)', function () {
  this.timeout(240_000);
  let server: UpgradeServer | undefined;
  let workflowBundle: WorkflowBundleWithSourceMap;
  let report: BulkUpgradeReport;
  let text: string;

  before(async function () {
    // The server build (first run only) is the long part.
    this.timeout(120 * 60_000);
    Runtime.install({ logger: new DefaultLogger((process.env.TEST_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR') });
    const bin = await ensureUpgradeServerBin();
    [server, workflowBundle] = await Promise.all([startUpgradeServer({ bin }), bundleWithInterceptors([])]);
  });
  after(() => server?.stop());

  it('moves the bulk run to B at its next continue-as-new; the children started on A finish on A', async () => {
    report = await runBulkUpgrade({ address: server!.address, namespace: server!.namespace, serverVersion: server!.version, workflowBundle });
    text = formatBulkUpgradeReport(report);
    if (process.env.SHOW_UPGRADE) console.log(text);
    assert.match(report.serverVersion, /^1\.30\./, text);
    assert.equal(report.inFlightAtUpgrade, 3, `the first window was still in flight when B became current\n${text}`);
    assert.equal(report.end.status, 'completed', text);
    assert.ok(report.end.status === 'completed');
    assert.deepEqual(report.end.progress.counts, { active: 6, alreadyActive: 0, failed: 0, compensated: 0, cancelled: 0, notStarted: 0 }, text);
    assert.equal(report.end.progress.pending, 0, text);

    const [first, ...rest] = report.runs;
    assert.ok(first && rest.length >= 1, `the bulk run continued as new\n${text}`);
    assert.deepEqual(first.builds, ['A'], text);
    assert.equal(first.toldOfNewVersion, true, `the server told the run on A that B is current\n${text}`);
    assert.equal(first.continuedAsNew, 'AUTO_UPGRADE', text);
    assert.equal(first.childrenStarted, 3, text);
    for (const run of rest) {
      assert.deepEqual(run.builds, ['B'], `every later run ran on B only\n${text}`);
      assert.equal(run.behavior, 'PINNED', `pinned again, now to B\n${text}`);
      assert.equal(run.toldOfNewVersion, false, text);
    }
    assert.equal(rest.reduce((n, r) => n + r.childrenStarted, 0), 3, text);

    assert.equal(report.children.length, 6, text);
    for (const child of report.children) {
      assert.equal(child.outcome, 'active', text);
      assert.equal(child.behavior, 'PINNED', text);
      assert.deepEqual(child.builds, [child.startedByRun === 1 ? 'A' : 'B'], `${child.workflowId} ran on its parent run's build only\n${text}`);
    }
    assert.equal(report.children.filter((c) => c.startedByRun === 1).length, 3, text);
  });

  it('replays every history of it with the current workflow code', async () => {
    assert.ok(report, 'the upgrade ran');
    const histories = [...report.runs.map((r, i) => ({ workflowId: `bulk run ${i + 1}`, history: r.history })), ...report.children.map((c) => ({ workflowId: c.workflowId, history: c.history }))];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'bulk-upgrade' }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}\n${text}`);
      replayed++;
    }
    assert.equal(replayed, histories.length);
  });
});
