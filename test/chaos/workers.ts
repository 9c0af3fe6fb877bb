/**
 * Worker processes for the fault suite: `node --import tsx src/worker.ts`, one process each, so SIGKILL kills the
 * worker itself. Every process ever started is kept, killed ones included: their output is checked for secrets too.
 */
import { hostname } from 'node:os';
import { startNodeProcess, type NodeProcess } from '../helpers/processes';

export interface WorkerProcess {
  proc: NodeProcess;
  pid: number;
  /** The SDK's default worker identity, as describe() shows it on a pending activity. */
  identity: string;
}

export class WorkerFleet {
  /** Every worker process started, running or not. */
  readonly started: NodeProcess[] = [];
  live: WorkerProcess[] = [];

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<WorkerProcess> {
    const proc = startNodeProcess('src/worker.ts', this.env, {
      node: process.execPath,
      execArgv: ['--import', 'tsx'],
    });
    this.started.push(proc);
    try {
      await proc.waitForLine('"worker started"', (l) => l.includes('"msg":"worker started"'), 120_000);
    } catch (err) {
      proc.kill();
      throw err;
    }
    const pid = proc.child.pid!;
    const worker = { proc, pid, identity: `${pid}@${hostname()}` };
    this.live.push(worker);
    return worker;
  }

  byIdentity(identity: string | null | undefined): WorkerProcess | undefined {
    return this.live.find((w) => w.identity === identity);
  }

  /** SIGKILL; resolves with the moment of the kill once the process is gone. */
  async kill(worker: WorkerProcess): Promise<number> {
    const at = Date.now();
    worker.proc.child.kill('SIGKILL');
    await worker.proc.exited;
    this.live = this.live.filter((w) => w !== worker);
    return at;
  }

  async stopAll(): Promise<void> {
    for (const w of this.live) w.proc.kill();
    await Promise.all(this.live.map((w) => w.proc.exited));
    this.live = [];
  }

  lines(): string[] {
    return this.started.flatMap((p) => p.lines);
  }
}
