/**
 * The bulk onboarding workflow's input, state, progress and result, shared by the workflow and every client (typed API,
 * CLI); its query is in src/domain/messages/bulk.ts.
 */
import type { RowOutcome } from './bulk-report';
import type { ActivationSamples } from './readiness';
import type { WindowSizing } from './bulk-window-size';

export type BulkStage = 'indexing' | 'onboarding' | 'cancelling' | 'completed' | 'cancelled';

export interface BulkOnboardInput {
  /** The inventory in the bulk store (never the rows themselves: those are read a page at a time). */
  bulkKey: string;
  workspaceId: string;
  /** Valid rows in the inventory. */
  rows: number;
  /** Rows refused at validation (reported as `invalid`; never started). */
  invalid: number;
  /** The file it came from, for people. */
  source: string;
  /** Templates in the inventory: Bird's connectors of these are indexed first. */
  templateRefs: string[];
  /** The sliding window: provisionings running at once (where it starts, when it adapts). */
  concurrency: number;
  /**
   * When set, the window adapts between `concurrency` and this by Little's law (src/domain/bulk-window-size.ts), so
   * a run keeps Bird's GET budget busy; unset, it stays at `concurrency` (a window the starter chose).
   */
  maxConcurrency?: number;
  /** Rows per inventory page read. */
  pageSize: number;
  /** Continue-as-new after this many provisionings were started in one run (bounds each run's history). */
  startsPerRun: number;
  /** How often provisionings that have not reported are looked up (ms). */
  sweepIntervalMs: number;
  /** Set by an apply's create child: provision again a number whose completed run's connector is gone. */
  createAgain?: boolean;
  /** Set by continue-as-new only. */
  carried?: BulkWindowState;
}

/** A provisioning the window waits for. */
export interface InFlight {
  row: number;
  /** When it entered the window (ms since epoch). */
  since: number;
  /** Found already running, started elsewhere: watched, not ours to cancel. */
  attached: boolean;
  /** Started before the run had learned its rows' activation time, to learn it (see BulkLearning). */
  scout?: boolean;
  /** Started with the learned poll schedule: its readiness wait does not measure the activation time. */
  learned?: boolean;
}

/**
 * What the run learns its rows' poll schedule from (docs/polling.md): the first rows (scouts) poll as their input
 * says; the others start once enough scouts have reported, with the schedule their observations give.
 */
export interface BulkLearning {
  samples: ActivationSamples;
  /** Scouts started so far, and those still running. */
  scouts: number;
  scoutsRunning: number;
  /** The rows bring their own schedule (a minimum activation time) or read by webhook only: nothing to learn. */
  off?: boolean;
  /** Rows started on the learned schedule since the last scout. */
  sinceScout?: number;
}

export interface BulkCounts {
  active: number;
  alreadyActive: number;
  failed: number;
  /** Failed or cancelled runs whose compensation undid everything. */
  compensated: number;
  cancelled: number;
  notStarted: number;
}

/** Everything the next run needs after continue-as-new (children stay where they are: they report by signal). */
export interface BulkWindowState {
  /** The next inventory row to handle; rows before it are started or decided. */
  nextRow: number;
  inFlight: Record<string, InFlight>;
  counts: BulkCounts;
  /** Outcomes not yet written to the store. */
  unflushed: RowOutcome[];
  /** Sequence number of the next outcome batch. */
  nextBatch: number;
  startedAt: string;
  /** When Bird's connectors were indexed; unset until then. */
  indexedAt?: string;
  /** How many runs this bulk run has continued through. */
  continuedAsNew: number;
  /** Set by runs that learn their rows' poll schedule. */
  learning?: BulkLearning;
  /** Set by runs whose window adapts (`maxConcurrency`). */
  sizing?: WindowSizing;
}

export interface BulkProgress {
  stage: BulkStage;
  bulkKey: string;
  /** The bulk run's first run id: the key of its outcomes in the store. */
  runKey: string;
  workspaceId: string;
  source: string;
  total: number;
  invalid: number;
  /** Rows not handled yet. */
  pending: number;
  /** Provisionings in the window. */
  running: number;
  /** How many the window holds now (it adapts when the run was started with a maximum). */
  window?: number;
  counts: BulkCounts;
  startedAt: string;
  finishedAt?: string;
  continuedAsNew: number;
}

export interface BulkOnboardResult {
  progress: BulkProgress;
}
