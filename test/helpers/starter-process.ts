/** `starter <command>` as a user runs it: a real process from the project's root, pointed at the stack's server. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { Stack } from './stack';
import { temporal } from './temporal';

const ROOT = resolve(__dirname, '..', '..');

export interface StarterRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `starter ...args` against the stack's dev server, task queue and bulk store, with no terminal on stdin;
 * killed after `timeoutMs` (60 s unless a longer run, such as a bulk one, needs more).
 */
export async function runStarter(stack: Stack, args: string[], opts: { timeoutMs?: number } = {}): Promise<StarterRun> {
  const { env } = await temporal();
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/starter.ts', ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_TASK_QUEUE: stack.taskQueue,
          BULK_STORE_DIR: stack.bulkStore.dir,
        },
        timeout: opts.timeoutMs ?? 60_000,
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** `starter bulk-offboard` of `file` in the stack's workspace, `more` flags after. */
export function bulkOffboardArgs(stack: Stack, file: string, ...more: string[]): string[] {
  return ['bulk-offboard', '--file', file, '--workspace', stack.workspaceId, ...more];
}
