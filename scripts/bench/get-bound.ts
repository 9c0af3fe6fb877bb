/**
 * How well a bulk run spends Bird's GET budget when that budget is what binds it (`--get-limit`): the bound the GETs
 * it chose to make set at the limit, the wall time's ratio to that bound, and the accepted GETs per second over
 * 10-second windows (median and 10th percentile) from the run's start until its last GET: over every window, and
 * over the windows in which the run was bound (the reads queue held a backlog: the server was holding reads back at
 * Bird's limit). A run that keeps Bird busy accepts close to the limit in every window; one that starves it shows a
 * low median however few 429s it gets.
 */
import type { SimCall } from '../../src/bird-sim';
import type { BacklogSample } from './window-sampler';

export interface GetBoundFigures {
  /** Accepted GETs (status reads and list pages) divided by the GET limit: the fastest those GETs could go. */
  getBoundSeconds: number;
  /** The same for the writes (POST, DELETE) at the POST limit. */
  postBoundSeconds: number;
  /** Wall time over the larger of the two bounds. */
  ratioToBound: number;
  /** Median accepted GETs per second over the run's full 10-second windows. */
  acceptedGetsPerSecondMedian: number;
  /** 10th percentile of the same. */
  acceptedGetsPerSecondP10: number;
  /** The same over the windows in which the reads queue held a backlog (the run was bound by Bird's limit). */
  boundWindows: number;
  acceptedGetsPerSecondMedianWhileBound: number;
  acceptedGetsPerSecondP10WhileBound: number;
  /** The median as a share of the limit: how much of Bird's GET budget the run spent (while bound, when it was). */
  getBudgetSpent: number;
  /** Whether the GET bound is the larger one (the run is bound by Bird's GET limit, not by its writes). */
  boundByGets: boolean;
}

const WINDOW_MS = 10_000;

export function getBoundFigures(args: {
  calls: SimCall[];
  startedAt: number;
  wallSeconds: number;
  getPerSecond: number;
  postPerSecond: number;
  backlog?: BacklogSample[];
}): GetBoundFigures {
  const accepted = args.calls.filter((c) => !c.rateLimited && c.status !== 429);
  const gets = accepted.filter((c) => c.method === 'GET');
  const getBound = gets.length / args.getPerSecond;
  const postBound = (accepted.length - gets.length) / args.postPerSecond;
  const rates = windowRates(
    gets.map((c) => c.at),
    args.startedAt,
  );
  const bound = boundWindowRates(rates, args.startedAt, args.backlog ?? []);
  const median = percentile(bound.length ? bound : rates, 0.5);
  return {
    getBoundSeconds: round(getBound, 1),
    postBoundSeconds: round(postBound, 1),
    ratioToBound: round(args.wallSeconds / Math.max(getBound, postBound, 1e-9), 2),
    acceptedGetsPerSecondMedian: round(median, 2),
    acceptedGetsPerSecondP10: round(percentile(rates, 0.1), 2),
    boundWindows: bound.length,
    acceptedGetsPerSecondMedianWhileBound: round(percentile(bound, 0.5), 2),
    acceptedGetsPerSecondP10WhileBound: round(percentile(bound, 0.1), 2),
    getBudgetSpent: round(median / args.getPerSecond, 3),
    boundByGets: getBound >= postBound,
  };
}

/** GETs per second in each full 10-second window from `from` until the last GET. */
export function windowRates(times: number[], from: number): number[] {
  if (!times.length) return [];
  const last = Math.max(...times);
  const windows = Math.floor((last - from) / WINDOW_MS);
  const counts = new Array<number>(Math.max(0, windows)).fill(0);
  for (const t of times) {
    const i = Math.floor((t - from) / WINDOW_MS);
    if (i >= 0 && i < windows) counts[i]!++;
  }
  return counts.map((k) => k / (WINDOW_MS / 1000));
}

/** The rates of the windows in which most backlog samples saw reads held back. */
function boundWindowRates(rates: number[], from: number, backlog: BacklogSample[]): number[] {
  return rates.filter((_, i) => {
    const inWindow = backlog.filter((b) => b.at >= from + i * WINDOW_MS && b.at < from + (i + 1) * WINDOW_MS);
    return inWindow.length > 0 && inWindow.filter((b) => b.backlog > 0).length * 2 >= inWindow.length;
  });
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
}

function round(x: number, digits: number): number {
  return +x.toFixed(digits);
}
