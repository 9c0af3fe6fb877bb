/**
 * A bulk run's progress as the CLI shows it: a live bar on a terminal (cli-progress), a plain line every few seconds
 * otherwise (logs, CI). Both read the same BulkProgress, from the bulk workflow's query, so a run started elsewhere
 * shows the same.
 */
import { Presets, SingleBar } from 'cli-progress';
import { rowsHandled } from '../domain/bulk-report';
import { formatDuration } from '../domain/duration';
import type { BulkProgress } from '../domain/bulk-onboarding';

export interface ProgressView<P = BulkProgress> {
  update(p: P): void;
  stop(): void;
}

/** How a run's progress reads: its line (`<stage>: n/total done · …`), rows done and total. Bulk onboarding's by default. */
export interface ProgressReading<P> {
  line(p: P): string;
  done(p: P): number;
  total(p: P): number;
}

const bulkReading: ProgressReading<BulkProgress> = {
  line: (p) => progressLine(p),
  done: (p) => rowsHandled(p.counts),
  total: (p) => p.total,
};

/** Numbers per second since the run started, and the time left at that rate. */
export function rateOf(p: BulkProgress, now = Date.now()): { perSecond: number; eta?: string } {
  const elapsedS = Math.max(0.001, (now - Date.parse(p.startedAt)) / 1000);
  const perSecond = rowsHandled(p.counts) / elapsedS;
  const left = p.total - rowsHandled(p.counts);
  return {
    perSecond,
    eta:
      perSecond > 0 && left > 0 ? formatDuration(Math.round((left / perSecond) * 1000)) : left === 0 ? '0s' : undefined,
  };
}

export function progressLine(p: BulkProgress, now = Date.now()): string {
  const c = p.counts;
  const { perSecond, eta } = rateOf(p, now);
  return [
    `${p.stage}: ${rowsHandled(p.counts)}/${p.total} done`,
    `pending ${p.pending}`,
    `running ${p.running}${p.window ? `/${p.window}` : ''}`,
    `active ${c.active + c.alreadyActive}${c.alreadyActive ? ` (${c.alreadyActive} already)` : ''}`,
    `failed ${c.failed}`,
    `compensated ${c.compensated}`,
    ...(c.cancelled ? [`cancelled ${c.cancelled}`] : []),
    `${perSecond.toFixed(1)}/s`,
    `ETA ${eta ?? '?'}`,
  ].join(' · ');
}

export function progressView<P = BulkProgress>(
  stream: NodeJS.WriteStream = process.stderr,
  opts: { plainEveryMs?: number; reading?: ProgressReading<P> } = {},
): ProgressView<P> {
  const reading = opts.reading ?? (bulkReading as unknown as ProgressReading<P>);
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: '{bar} {value}/{total} · {details}',
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        stream,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const details = reading.line(p).replace(/^[^:]+: \d+\/\d+ done · /, '');
        if (!started) {
          bar.start(reading.total(p), reading.done(p), { details });
          started = true;
        } else {
          bar.setTotal(reading.total(p));
          bar.update(reading.done(p), { details });
        }
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  const every = opts.plainEveryMs ?? 5_000;
  let last = 0;
  let lastLine = '';
  return {
    update(p) {
      const line = reading.line(p);
      const now = Date.now();
      // A line when something changed and a few seconds passed, or when the stage changes.
      if (line !== lastLine && (now - last >= every || !lastLine || line.split(':')[0] !== lastLine.split(':')[0])) {
        stream.write(`${new Date(now).toISOString().slice(11, 19)} ${line}\n`);
        last = now;
        lastLine = line;
      }
    },
    stop: () => undefined,
  };
}
