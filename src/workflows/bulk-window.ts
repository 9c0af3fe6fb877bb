/**
 * The sliding window of a bulk run, as data: which provisionings it waits for, what became of the rows handled so
 * far, and the outcomes not yet written to the store. Plain state with no Temporal calls, so continue-as-new can
 * carry it as it is and tests can exercise it alone.
 */
import type { RowOutcome } from '../domain/bulk-report';
import type { BulkCounts, BulkWindowState, InFlight } from '../domain/bulk-onboarding';
import { observeRow, windowFor } from '../domain/bulk-window-size';
import type { ProvisioningFinished } from '../domain/provisioning';

export function emptyWindow(startedAt: string): BulkWindowState {
  return {
    nextRow: 0,
    inFlight: {},
    counts: { active: 0, alreadyActive: 0, failed: 0, compensated: 0, cancelled: 0, notStarted: 0 },
    unflushed: [],
    nextBatch: 0,
    startedAt,
    continuedAsNew: 0,
  };
}

export class BulkWindow {
  constructor(readonly state: BulkWindowState) {}

  get running(): number {
    return Object.keys(this.state.inFlight).length;
  }

  inFlight(): Array<[string, InFlight]> {
    return Object.entries(this.state.inFlight);
  }

  track(workflowId: string, row: number, attached: boolean, now: number, scout = false, learned = false): void {
    this.state.inFlight[workflowId] = {
      row,
      since: now,
      attached,
      ...(scout ? { scout } : {}),
      ...(learned ? { learned } : {}),
    };
    if (scout && this.state.learning) this.state.learning.scoutsRunning++;
  }

  /** The outcome of a provisioning in the window; false (and nothing recorded) if it is not, or no longer, in it. */
  finish(workflowId: string, outcome: Omit<RowOutcome, 'row' | 'workflowId'>): boolean {
    const entry = this.state.inFlight[workflowId];
    if (!entry) return false;
    delete this.state.inFlight[workflowId];
    if (entry.scout && this.state.learning) this.state.learning.scoutsRunning--;
    this.record({ ...outcome, row: entry.row, workflowId });
    return true;
  }

  /** An outcome for a row decided without entering the window (already active, refused, not started). */
  record(outcome: RowOutcome): void {
    this.state.unflushed.push(outcome);
    const c: BulkCounts = this.state.counts;
    switch (outcome.outcome) {
      case 'active':
        c.active++;
        break;
      case 'already-active':
        c.alreadyActive++;
        break;
      case 'failed':
        c.failed++;
        break;
      case 'cancelled':
        c.cancelled++;
        break;
      case 'not-started':
        c.notStarted++;
        break;
    }
    if ((outcome.outcome === 'failed' || outcome.outcome === 'cancelled') && outcome.compensated) c.compensated++;
  }

  /** The outcomes to write now, with their batch number; empty when there are none. */
  takeUnflushed(): { seq: number; outcomes: RowOutcome[] } {
    const outcomes = this.state.unflushed;
    if (!outcomes.length) return { seq: this.state.nextBatch, outcomes };
    this.state.unflushed = [];
    return { seq: this.state.nextBatch++, outcomes };
  }

  /** How many provisionings the window holds now: `concurrency`, or what an adapting window has grown or shrunk to. */
  size(concurrency: number): number {
    return this.state.sizing?.size ?? concurrency;
  }

  /** An active row's start-to-report time and status reads move an adapting window (src/domain/bulk-window-size.ts). */
  resize(
    finished: ProvisioningFinished,
    latencyMs: number,
    limits: { concurrency: number; maxConcurrency?: number },
  ): void {
    const { sizing } = this.state;
    if (!sizing || finished.outcome !== 'active') return;
    observeRow(sizing, latencyMs, finished.statusReads);
    sizing.size = windowFor(sizing, limits.concurrency, limits.maxConcurrency ?? limits.concurrency);
  }

  /** Provisionings that have been in the window for longer than `ms` (to look up in case their report was lost). */
  waitingLongerThan(ms: number, now: number): string[] {
    return this.inFlight()
      .filter(([, e]) => now - e.since >= ms)
      .map(([id]) => id);
  }
}
