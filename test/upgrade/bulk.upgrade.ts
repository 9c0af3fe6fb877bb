/**
 * Bulk runs follow upgrades (src/workflows/bulk-upgrade.ts), on Temporal Server 1.30.9 built from the Go module proxy
 * and run on SQLite (test/upgrade/temporal-server.ts): the dev server of every other test (Server 1.29.1) never tells
 * a pinned run that a new version is current. `npm run test:upgrade`; the first run builds the server (tens of
 * minutes), later ones about 20 seconds. docs/upgrades.md says what it shows.
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
    report = await runBulkUpgrade({
      address: server!.address,
      namespace: server!.namespace,
      serverVersion: server!.version,
      workflowBundle,
    });
    text = formatBulkUpgradeReport(report);
    if (process.env.SHOW_UPGRADE) console.log(text);
    assert.match(report.serverVersion, /^1\.30\./, text);
    assert.equal(report.inFlightAtUpgrade, 3, `the first window was still in flight when B became current\n${text}`);
    assert.equal(report.end.status, 'completed', text);
    assert.ok(report.end.status === 'completed');
    assert.deepEqual(
      report.end.progress.counts,
      { active: 6, alreadyActive: 0, failed: 0, compensated: 0, cancelled: 0, notStarted: 0 },
      text,
    );
    assert.equal(report.end.progress.pending, 0, text);

    // Runs before the move, and the one that moves: on A. A continue-as-new while A is current stays pinned to A.
    const moved = report.runs.findIndex((r) => r.toldOfNewVersion);
    assert.ok(moved >= 1, `a run after the first was told that B is current\n${text}`);
    assert.ok(moved + 1 < report.runs.length, `and continued as new\n${text}`);
    report.runs.forEach((run, i) => {
      const at = `run ${i + 1}\n${text}`;
      assert.equal(run.behavior, 'PINNED', at);
      assert.equal(run.continuedAsNew, i < report.runs.length - 1, at);
      assert.equal(run.upgradeMarked, i === moved, at);
      if (i <= moved) {
        assert.deepEqual(run.builds, ['A'], at);
        assert.equal(run.startedAs, i === 0 ? 'first run' : 'pinned to A', at);
      } else {
        // The run after the move inherited no version (the current one's worker took its first task), then pinned
        // itself to B; later runs inherit B.
        assert.deepEqual(run.builds, ['B'], at);
        if (i === moved + 1) assert.ok(['not pinned', 'auto-upgrade from A'].includes(run.startedAs), at);
        else assert.equal(run.startedAs, 'pinned to B', at);
        assert.equal(run.toldOfNewVersion, false, at);
      }
    });

    assert.equal(report.children.length, 6, text);
    for (const child of report.children) {
      const parent = report.runs[child.startedByRun - 1];
      assert.ok(parent, `${child.workflowId} was started by a run of the bulk run\n${text}`);
      assert.equal(child.outcome, 'active', text);
      assert.equal(child.behavior, 'PINNED', text);
      assert.deepEqual(
        child.builds,
        parent.builds,
        `${child.workflowId} ran on the build of the run that started it, only\n${text}`,
      );
    }
    const onA = report.children.filter((c) => c.builds[0] === 'A').map((c) => c.workflowId);
    assert.equal(onA.length, 3, `the first window finished on A\n${text}`);
    // They were still running when the bulk run moved: they reported to its runs on B.
    const reportedToB = new Set(report.runs.slice(moved + 1).flatMap((r) => r.reportsFrom));
    for (const id of onA) assert.ok(reportedToB.has(id), `${id} reported to a run on B\n${text}`);
  });

  it('replays every history of it with the current workflow code', async () => {
    assert.ok(report, 'the upgrade ran');
    const histories = [
      ...report.runs.map((r, i) => ({ workflowId: `bulk run ${i + 1}`, history: r.history })),
      ...report.children.map((c) => ({ workflowId: c.workflowId, history: c.history })),
    ];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'bulk-upgrade' }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}\n${text}`);
      replayed++;
    }
    assert.equal(replayed, histories.length);
  });
});
