/**
 * Loaded into the bench's worker process (`node --expose-gc --import tsx --import ./scripts/bench/memory-probe.mjs`),
 * in the main thread and in the SDK's workflow thread (which inherits execArgv; plain JS because tsx does not register
 * there): appends the process's RSS and this thread's V8 heap (MiB) to BENCH_MEMORY_FILE every 250 ms.
 *
 * When the bench writes a label to `<BENCH_MEMORY_FILE>.gc`, each thread runs a full GC (so the steady state is the
 * live memory, not whatever garbage V8 has not yet collected) and marks its next sample with `gc: <label>`; with
 * BENCH_HEAP_SNAPSHOT_DIR set it also writes `<label>-<thread>.heapsnapshot` there (what holds the heap).
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  const MiB = 1024 * 1024;
  const thread = isMainThread ? 'main' : threadId;
  let handledAt = Date.now();
  const gcRequest = () => {
    try {
      const at = statSync(`${file}.gc`).mtimeMs;
      if (at <= handledAt) return undefined;
      handledAt = at;
      return readFileSync(`${file}.gc`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  setInterval(() => {
    const label = gcRequest();
    if (label !== undefined) {
      globalThis.gc?.();
      const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
      if (dir) writeHeapSnapshot(join(dir, `${label}-${thread}.heapsnapshot`));
    }
    const m = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ at: Date.now(), thread, rss: m.rss / MiB, heapUsed: m.heapUsed / MiB, ...(label !== undefined ? { gc: label } : {}) })}\n`,
    );
  }, 250).unref();
}
