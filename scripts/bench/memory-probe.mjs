/**
 * Loaded into the bench's worker process (`node --import tsx --import ./scripts/bench/memory-probe.mjs`), in the
 * main thread and in the SDK's workflow thread (which inherits execArgv; plain JS because tsx does not register
 * there): appends the process's RSS and this thread's V8 heap (MiB) to BENCH_MEMORY_FILE every 250 ms.
 */
import { appendFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  const MiB = 1024 * 1024;
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ at: Date.now(), thread: isMainThread ? 'main' : threadId, rss: m.rss / MiB, heapUsed: m.heapUsed / MiB })}\n`,
    );
  }, 250).unref();
}
