/**
 * How a bulk run reads in the Temporal UI ("current details", markdown list items: the UI joins single newlines).
 */
import { rowsHandled } from '../domain/bulk-report';
import type { BulkProgress } from '../domain/bulk-onboarding';

export function describeBulk(p: BulkProgress): string {
  const c = p.counts;
  const lines = [
    `**Stage:** ${p.stage}`,
    `**Inventory:** ${p.total} numbers from ${p.source}${p.invalid ? ` (+${p.invalid} invalid, not started)` : ''} in workspace ${p.workspaceId}`,
    `**Progress:** ${rowsHandled(c)} of ${p.total} done · ${p.running} running${p.window ? ` (window ${p.window})` : ''} · ${p.pending} pending`,
    `**Active:** ${c.active} · **already active:** ${c.alreadyActive} · **failed:** ${c.failed} (compensated: ${c.compensated}) · **cancelled:** ${c.cancelled}${c.notStarted ? ` · **not started:** ${c.notStarted}` : ''}`,
    `**Started:** ${p.startedAt}${p.finishedAt ? ` · **finished:** ${p.finishedAt}` : ''}${p.continuedAsNew ? ` · continued as new ${p.continuedAsNew}×` : ''}`,
    `**Children:** ParentWorkflowId = "<this workflow id>" in the workflow list`,
  ];
  return lines.map((l) => `- ${l}`).join('\n');
}
