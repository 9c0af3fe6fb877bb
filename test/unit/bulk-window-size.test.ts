/**
 * The adapting bulk window (src/domain/bulk-window-size.ts): Little's law, in flight = rate × latency, with the rate
 * Bird's GET limit over the reads a row costs; held where Bird's budget is already what binds.
 */
import assert from 'node:assert/strict';
import { initialSizing, MIN_SIZING_SAMPLES, observeRow, windowFor } from '../../src/domain/bulk-window-size';

function sizing(opts: { size: number; getPerSecond?: number; latencyMs: number; reads: number; rows?: number }) {
  const s = initialSizing(opts.size);
  s.getPerSecond = opts.getPerSecond;
  for (let i = 0; i < (opts.rows ?? MIN_SIZING_SAMPLES); i++) observeRow(s, opts.latencyMs, opts.reads);
  return s;
}

describe('the adapting bulk window', () => {
  it('stays where it started until enough rows have reported and the worker has said Bird’s limit', () => {
    assert.equal(
      windowFor(sizing({ size: 100, getPerSecond: 50, latencyMs: 80_000, reads: 1, rows: 7 }), 100, 1000),
      100,
    );
    assert.equal(windowFor(sizing({ size: 100, latencyMs: 80_000, reads: 1 }), 100, 1000), 100);
  });

  it('grows to rate × latency when the window, not Bird, binds (Bird’s 50 GET/s, 80 s activations)', () => {
    // 100 in flight for 80 s each is 1.25 rows/s, against the 50 Bird would read: the window must hold more.
    const s = sizing({ size: 100, getPerSecond: 50, latencyMs: 8_000, reads: 1 });
    assert.equal(windowFor(s, 100, 1000), 500); // 50 rows/s × 8 s × 1.25
    assert.equal(windowFor(sizing({ size: 100, getPerSecond: 50, latencyMs: 80_000, reads: 1 }), 100, 1000), 1000);
  });

  it('holds when the rows in flight already keep Bird’s budget busy (latency from queueing must not grow it)', () => {
    // 8 GET/s, 1.1 reads a row: about 7.3 rows/s. 100 rows in 13.7 s each is that rate: Bird binds.
    const s = sizing({ size: 100, getPerSecond: 8, latencyMs: 13_700, reads: 1.1 });
    assert.equal(windowFor(s, 100, 1000), 100);
  });

  it('never drops below the starting window nor rises above the maximum', () => {
    assert.equal(windowFor(sizing({ size: 300, getPerSecond: 50, latencyMs: 100, reads: 1 }), 100, 1000), 100);
    assert.equal(windowFor(sizing({ size: 100, getPerSecond: 500, latencyMs: 60_000, reads: 0 }), 100, 400), 400);
  });

  it('counts the reads rows report, and keeps a bounded number of latencies', () => {
    const s = sizing({ size: 100, getPerSecond: 8, latencyMs: 1_000, reads: 2, rows: 200 });
    assert.equal(s.latenciesMs.length, 64);
    assert.equal(s.statusReads / s.rowsReporting, 2);
  });
});
