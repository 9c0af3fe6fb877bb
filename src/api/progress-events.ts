/**
 * A run's progress as Server-Sent Events, for every bulk run kind: a `progress` event at each change, a comment line
 * every 15 s without one (so proxies keep the connection), then one `end` event with the last progress once the run
 * has ended. A progress that cannot be read for a moment is a comment, and the stream goes on.
 */
import type { FastifyReply } from 'fastify';

/** One reading of the run: its progress (the events' data), and whether the run has ended. */
export interface ProgressTick {
  progress: unknown;
  ended: boolean;
}

const KEEP_ALIVE_MS = 15_000;

/** Streams from `first` (read before, so an unknown run is still a 404), reading `next` every `intervalMs`. */
export async function streamProgress(
  reply: FastifyReply,
  intervalMs: number,
  first: ProgressTick,
  next: () => Promise<ProgressTick>,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  raw.on('close', () => (closed = true));
  let tick = first;
  let last = '';
  let lastWrite = Date.now();
  for (;;) {
    const data = JSON.stringify(tick.progress);
    if (data !== last) {
      raw.write(`event: progress\ndata: ${data}\n\n`);
      last = data;
      lastWrite = Date.now();
    } else if (Date.now() - lastWrite > KEEP_ALIVE_MS) {
      raw.write(': still running\n\n');
      lastWrite = Date.now();
    }
    if (tick.ended) {
      raw.write(`event: end\ndata: ${data}\n\n`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (closed) break;
    try {
      tick = await next();
    } catch {
      // Temporal or the workers are away for a moment: the run goes on, and so does the stream.
      raw.write(': progress unavailable, retrying\n\n');
    }
  }
  raw.end();
}
