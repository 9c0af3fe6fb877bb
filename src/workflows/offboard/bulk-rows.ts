/**
 * Where a bulkOffboard run gets its rows and keeps their results, decided by its input's shape at start:
 * - StoredRows (every run the client starts now): the rows are in the bulk store, read a page at a time by an
 *   activity; results are written back in batches and the run carries only counts, so nothing grows with the file.
 * - InlineRows (runs started before, their histories replayed as recorded): the rows are in the input and the results
 *   are carried across continue-as-new; no activity is ever called.
 */
import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  channelKeyOfRow,
  countOutcomes,
  type BulkOffboardCarried,
  type BulkOffboardCounts,
  type BulkOffboardInput,
  type BulkOffboardRow,
  type BulkOffboardRowResult,
  type InlineBulkOffboardInput,
  type StoredBulkOffboardInput,
  type StoredOffboardCarried,
} from '../../domain/bulk-offboarding';
import { withoutStack } from '../../domain/failure-types';
import { offboardWorkflowId } from '../../domain/offboarding';
import { bulkStoreOptions } from '../activity-options';

const { readOffboardRows, recordOffboardOutcomes } = proxyActivities<Activities>(bulkStoreOptions);

/** Results written per batch (a few dozen KB). */
const FLUSH_ROWS = 200;

export interface OffboardRows {
  readonly total: number;
  readonly nextRow: number;
  readonly startedAt: string;
  readonly continuedAsNew: number;
  /** Whether the next row is at hand (else `readPage` first). */
  buffered(): boolean;
  readPage(): Promise<void>;
  /** The next row and its index. */
  take(): [number, BulkOffboardRow];
  record(result: BulkOffboardRowResult): void;
  counts(): BulkOffboardCounts;
  flushDue(): boolean;
  flush(): Promise<void>;
  /** The rows never started, once the run is cancelled. */
  notStarted(): void;
  /** The next run's input. */
  next(): BulkOffboardInput;
  /** The results as the run ends with them (and as its report query answers). */
  results(): { results?: BulkOffboardRowResult[]; stored?: { bulkKey: string; runKey: string } };
}

export function offboardRows(input: BulkOffboardInput): OffboardRows {
  return 'stored' in input ? new StoredRows(input) : new InlineRows(input);
}

/** What both kinds of rows carry across continue-as-new, and the next run's input. */
abstract class CarriedRows<
  S extends { nextRow: number; startedAt: string; continuedAsNew: number },
  I extends { carried?: S },
> {
  protected readonly state: S;

  constructor(
    readonly input: I,
    fresh: () => S,
  ) {
    this.state = input.carried ?? fresh();
  }

  get nextRow() {
    return this.state.nextRow;
  }
  get startedAt() {
    return this.state.startedAt;
  }
  get continuedAsNew() {
    return this.state.continuedAsNew;
  }
  next(): I {
    return { ...this.input, carried: { ...this.state, continuedAsNew: this.state.continuedAsNew + 1 } };
  }
}

class InlineRows extends CarriedRows<BulkOffboardCarried, InlineBulkOffboardInput> implements OffboardRows {
  constructor(input: InlineBulkOffboardInput) {
    super(input, () => ({ nextRow: 0, results: [], startedAt: new Date().toISOString(), continuedAsNew: 0 }));
  }

  get total() {
    return this.input.rows.length;
  }
  buffered() {
    return true;
  }
  async readPage() {}
  take(): [number, BulkOffboardRow] {
    const row = this.state.nextRow++;
    return [row, this.input.rows[row]!];
  }
  record(result: BulkOffboardRowResult) {
    this.state.results.push(result);
  }
  counts() {
    return countOutcomes(this.state.results);
  }
  flushDue() {
    return false;
  }
  async flush() {}
  notStarted() {
    for (; this.state.nextRow < this.total; this.state.nextRow++)
      this.state.results.push({
        row: this.state.nextRow,
        outcome: 'not-started',
        workflowId: offboardWorkflowId(channelKeyOfRow(this.input.workspaceId, this.input.rows[this.state.nextRow]!)),
      });
  }
  results() {
    return { results: [...this.state.results].sort((a, b) => a.row - b.row) };
  }
}

class StoredRows extends CarriedRows<StoredOffboardCarried, StoredBulkOffboardInput> implements OffboardRows {
  #page: BulkOffboardRow[] = [];
  #unflushed: BulkOffboardRowResult[] = [];

  constructor(input: StoredBulkOffboardInput) {
    super(input, () => ({
      nextRow: 0,
      counts: countOutcomes([]),
      startedAt: new Date().toISOString(),
      continuedAsNew: 0,
      runKey: workflowInfo().firstExecutionRunId,
      nextBatch: 0,
    }));
  }

  get total() {
    return this.input.stored.rowCount;
  }
  buffered() {
    return this.#page.length > 0;
  }
  async readPage() {
    const { nextRow } = this.state;
    const limit = Math.min(this.input.pageSize, this.total - nextRow);
    const rows = await readOffboardRows.executeWithOptions(
      { summary: `read rows ${nextRow + 1}–${nextRow + limit} of ${this.total}` },
      [{ bulkKey: this.input.stored.bulkKey, offset: nextRow, limit }],
    );
    // Missing or altered objects fail the activity (refused by digest); rows fewer than the count said, the run.
    if (!rows.length)
      throw withoutStack(
        ApplicationFailure.nonRetryable(
          `the stored rows end at row ${nextRow} of ${this.total}`,
          'BulkInventoryCorrupt',
        ),
      );
    this.#page = rows;
  }
  take(): [number, BulkOffboardRow] {
    return [this.state.nextRow++, this.#page.shift()!];
  }
  record(result: BulkOffboardRowResult) {
    this.#unflushed.push(result);
    this.state.counts[result.outcome]++;
  }
  counts() {
    return this.state.counts;
  }
  flushDue() {
    return this.#unflushed.length >= FLUSH_ROWS;
  }
  async flush() {
    if (!this.#unflushed.length) return;
    const results = this.#unflushed;
    this.#unflushed = [];
    const seq = this.state.nextBatch++;
    await recordOffboardOutcomes.executeWithOptions(
      { summary: `record ${results.length} results (batch ${seq + 1})` },
      [{ bulkKey: this.input.stored.bulkKey, runKey: this.state.runKey, seq, results }],
    );
  }
  notStarted() {
    // Not written row by row: the report gives every row without a result `not-started`.
    this.state.counts['not-started'] += this.total - this.state.nextRow;
    this.state.nextRow = this.total;
  }
  results() {
    return { stored: { bulkKey: this.input.stored.bulkKey, runKey: this.state.runKey } };
  }
}
