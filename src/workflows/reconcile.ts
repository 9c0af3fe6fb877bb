/**
 * reconcileConnectors: the orphan audit of one workspace. Pages through its connectors (one activity, one Bird GET
 * per page), judges every connector this tool created (src/domain/reconcile.ts), and reports the orphans: tagged
 * connectors whose provisioning failed, was cancelled, terminated or timed out, or that no run records. With
 * `delete` it then deletes them, through the same deleteConnector activity compensation uses, after the listing is
 * done (deleting while paging could shift Bird's pages under the cursor).
 *
 * Run on demand (`reconcile`) or by a Temporal Schedule (`reconcile-schedule`, overlap SKIP), so a run that is still
 * deleting is never joined by a second one. Its result is the report.
 */
import { log, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import {
  MAX_REPORTED_ENTRIES,
  parseReconcileInput,
  type OrphanEntry,
  type ReconcileInput,
  type ReconcileInputRaw,
  type ReconcileReport,
} from '../domain/reconcile';
import type { AuditedPage } from '../activities/reconcile';
import * as sa from '../domain/search-attributes';
import { birdActivities } from './bird-activities';
import { messageOf } from './compensation';
import { parseOrFailRun } from './invalid-input';

/** Deletes at once: each is one Bird DELETE on the writes queue, which is rate-limited anyway. */
const DELETE_BATCH = 10;
/** Deletes per run; the rest are reported `deferred` and left to the next run (keeps the history small). */
const MAX_DELETES_PER_RUN = 500;

export async function reconcileConnectors(raw: ReconcileInputRaw): Promise<ReconcileReport> {
  const input = parseOrFailRun(() => parseReconcileInput(raw));
  const activities = birdActivities(input.workspaceId);
  upsertSearchAttributes([{ key: sa.BirdWorkspaceId, value: input.workspaceId }]);
  const run = new ReconcileRun(input);
  await run.listAll(activities.auditConnectorsPage);
  if (input.delete) await run.deleteOrphans(activities.deleteOrphanConnector);
  return run.finish();
}

type ReconcileActivities = ReturnType<typeof birdActivities>;

/** One audit's state: the report it builds, and every orphan found (the report lists only the first ones). */
class ReconcileRun {
  readonly report: ReconcileReport;
  // Orphans past what the report lists are still deleted: their ids are kept here, not in the result.
  private readonly allOrphans: OrphanEntry[] = [];

  constructor(private readonly input: ReconcileInput) {
    this.report = {
      workspaceId: input.workspaceId,
      deleteRequested: input.delete,
      gracePeriodMs: input.gracePeriod,
      startedAt: new Date().toISOString(),
      pages: 0,
      scanned: 0,
      untagged: 0,
      owned: 0,
      young: 0,
      foreign: 0,
      unverifiable: [],
      orphanCount: 0,
      orphans: [],
      deleted: 0,
      deleteFailed: 0,
    };
  }

  /** The run's current details in the UI: what it is doing and the counts so far. */
  private show(what: string): void {
    const { report, input } = this;
    setCurrentDetails(
      [
        `- **Workspace:** ${input.workspaceId}`,
        `- **${what}**`,
        `- **Scanned:** ${report.scanned} connectors (${report.pages} pages); untagged ${report.untagged}, owned ${report.owned}, young ${report.young}`,
        `- **Orphans:** ${this.allOrphans.length}${input.delete ? `; deleted ${report.deleted}, failed ${report.deleteFailed}` : ' (report only)'}`,
      ].join('\n'),
    );
  }

  /** Pages through the workspace's connectors, one activity per page, tallying each page as it comes. */
  async listAll(auditConnectorsPage: ReconcileActivities['auditConnectorsPage']): Promise<void> {
    const { workspaceId, pageSize, gracePeriod } = this.input;
    let pageToken: string | undefined;
    do {
      this.show(`listing page ${this.report.pages + 1}`);
      const page = await auditConnectorsPage.executeWithOptions(
        { summary: `audit connectors of workspace ${workspaceId}, page ${this.report.pages + 1}` },
        [{ workspaceId, pageToken, pageSize, graceMs: gracePeriod }],
      );
      this.tally(page);
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  private tally(page: AuditedPage): void {
    const { report } = this;
    report.pages++;
    report.scanned += page.scanned;
    report.untagged += page.untagged;
    for (const c of page.tagged) {
      const v = c.verdict;
      switch (v.kind) {
        case 'owned':
          report.owned++;
          break;
        case 'young':
          report.young++;
          break;
        case 'foreign':
          report.foreign++;
          break;
        case 'unverifiable':
          if (report.unverifiable.length < MAX_REPORTED_ENTRIES)
            report.unverifiable.push({
              connectorId: c.connectorId,
              name: c.name,
              createdAt: c.createdAt,
              detail: v.detail,
            });
          break;
        case 'orphan':
          this.allOrphans.push({
            connectorId: c.connectorId,
            name: c.name,
            tag: c.tag,
            ...(c.numberId ? { numberId: c.numberId } : {}),
            createdAt: c.createdAt,
            reason: v.reason,
            detail: v.detail,
            ...(v.workflowId ? { workflowId: v.workflowId, runId: v.runId } : {}),
          });
          break;
      }
    }
  }

  /** After the listing (deleting while paging could shift Bird's pages), in batches, up to MAX_DELETES_PER_RUN. */
  async deleteOrphans(deleteOrphanConnector: ReconcileActivities['deleteOrphanConnector']): Promise<void> {
    const { report, allOrphans } = this;
    const now = allOrphans.slice(0, MAX_DELETES_PER_RUN);
    for (const o of allOrphans.slice(MAX_DELETES_PER_RUN)) o.deletion = 'deferred';
    for (let i = 0; i < now.length; i += DELETE_BATCH) {
      this.show(`deleting orphans ${i + 1}–${Math.min(i + DELETE_BATCH, now.length)} of ${now.length}`);
      await Promise.all(
        now.slice(i, i + DELETE_BATCH).map(async (o) => {
          try {
            const deleted = await deleteOrphanConnector.executeWithOptions(
              { summary: `delete orphan connector ${o.connectorId} (${o.reason})` },
              [{ workspaceId: this.input.workspaceId, connectorId: o.connectorId, ownership: { tag: o.tag } }],
            );
            o.deletion = deleted.outcome === 'deleted' ? 'deleted' : 'already-gone';
            report.deleted++;
          } catch (err) {
            o.deletion = `failed: ${messageOf(err)}`;
            report.deleteFailed++;
          }
        }),
      );
    }
  }

  finish(): ReconcileReport {
    const { report, allOrphans } = this;
    report.orphanCount = allOrphans.length;
    report.orphans = allOrphans.slice(0, MAX_REPORTED_ENTRIES);
    report.finishedAt = new Date().toISOString();
    this.show('done');
    if (allOrphans.length) {
      log.warn('orphan connectors found', {
        workspaceId: report.workspaceId,
        orphans: allOrphans.length,
        deleted: report.deleted,
        deleteFailed: report.deleteFailed,
      });
    }
    return report;
  }
}
