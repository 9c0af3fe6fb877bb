/**
 * How many provisionings a bulk run keeps in flight when its window adapts (docs/bulk.md). Little's law: a run whose
 * rows each take W seconds from start to report, and that Bird lets read at λ rows per second, keeps Bird's budget
 * busy only with λ·W rows in flight. λ is Bird's GET limit (as the worker is told it, the rate its reads queue is
 * served at) over the status reads a row costs; W and the reads per row are what the run's own rows reported. Pure,
 * so the workflow stays deterministic; the state rides in the bulk window through continue-as-new.
 */

export interface WindowSizing {
  /** The window now: starts are held while this many are in flight. */
  size: number;
  /** Bird's GET limit per second, as the worker reported it (undefined until it has). */
  getPerSecond?: number;
  /** Start-to-report times (ms) of the latest rows, oldest first. */
  latenciesMs: number[];
  /** Rows that reported how many status reads they made, and those reads. */
  rowsReporting: number;
  statusReads: number;
}

/** Latencies kept; enough for a stable median, small enough to carry through continue-as-new. */
const LATENCY_SAMPLES = 64;
/** Rows that must have reported before the window moves from where it started. */
export const MIN_SIZING_SAMPLES = 8;
/** Above λ·W: a row's latency varies, and a window that is just big enough starves Bird whenever rows are slow. */
const MARGIN = 1.25;
/** A window sustaining this share of λ keeps Bird busy: the pacer serves 95% of the limit, and reads vary by row. */
const BUSY = 0.85;
/** Reads a row is assumed to cost before any row has said (a poll run's first read usually finds it active). */
const DEFAULT_READS_PER_ROW = 1;

export function initialSizing(size: number): WindowSizing {
  return { size, latenciesMs: [], rowsReporting: 0, statusReads: 0 };
}

/** A row reported: its start-to-report time, and the status reads it made when it says so. */
export function observeRow(s: WindowSizing, latencyMs: number, statusReads?: number): void {
  s.latenciesMs.push(Math.max(0, Math.round(latencyMs)));
  if (s.latenciesMs.length > LATENCY_SAMPLES) s.latenciesMs.splice(0, s.latenciesMs.length - LATENCY_SAMPLES);
  if (typeof statusReads === 'number' && statusReads >= 0) {
    s.rowsReporting++;
    s.statusReads += statusReads;
  }
}

/**
 * The window Little's law asks for, between `floor` (the run's starting window) and `max` (the worker's memory
 * goal). Unchanged until enough rows have reported and the worker has said Bird's limit.
 */
export function windowFor(s: WindowSizing, floor: number, max: number): number {
  const n = s.latenciesMs.length;
  if (n < MIN_SIZING_SAMPLES || s.getPerSecond === undefined) return s.size;
  const readsPerRow = s.rowsReporting ? s.statusReads / s.rowsReporting : DEFAULT_READS_PER_ROW;
  // A run that reads (almost) nothing is bound by neither budget here: λ is then only the memory goal's concern.
  const rowsPerSecond = s.getPerSecond / Math.max(readsPerRow, 0.05);
  const sorted = [...s.latenciesMs].sort((a, b) => a - b);
  const medianS = sorted[Math.floor((n - 1) / 2)]! / 1000;
  const target = Math.ceil(rowsPerSecond * medianS * MARGIN);
  // Little's law read the other way: the window now sustains size / W rows per second. Near λ, Bird's budget is
  // what binds, and more rows in flight would only wait in the reads queue (and lengthen W, which must not grow
  // the window in turn): it may shrink then, never grow.
  const busy = s.size / Math.max(medianS, 0.001) >= BUSY * rowsPerSecond;
  return Math.max(floor, Math.min(max, busy ? Math.min(s.size, target) : target));
}
