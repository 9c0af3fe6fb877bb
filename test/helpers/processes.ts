/**
 * Real processes for the tests that need one (signals, Prometheus endpoints, logs): runs an entry point under tsx
 * with a given environment, keeps every stdout/stderr line, and lets the test wait for a line or the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait';

const ROOT = resolve(__dirname, '..', '..');
const TSX = resolve(ROOT, 'node_modules', '.bin', 'tsx');

export interface NodeProcess {
  child: ChildProcess;
  lines: string[];
  /** The process's JSON log lines, parsed (non-JSON lines skipped). */
  json(): Record<string, unknown>[];
  waitForLine(what: string, match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (after-hooks). */
  kill(): void;
}

/**
 * `node` runs the entry with that Node binary (and `execArgv`, e.g. ['--import', 'tsx'] for sources) as the one
 * process signals go to; otherwise tsx's CLI wraps it, which relays a signal to its child but SIGKILLs it when the
 * child does not acknowledge within ~60 ms (a loaded machine), so signal tests use `node`.
 */
export function startNodeProcess(
  entry: string,
  env: Record<string, string>,
  opts: { args?: string[]; node?: string; execArgv?: string[] } = {},
): NodeProcess {
  const child = opts.node
    ? spawn(opts.node, [...(opts.execArgv ?? []), entry, ...(opts.args ?? [])], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(TSX, [entry, ...(opts.args ?? [])], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    lines,
    json: () =>
      lines.flatMap((l) => {
        try {
          const v = JSON.parse(l) as unknown;
          return v && typeof v === 'object' ? [v as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    waitForLine: (what, match, timeoutMs = 60_000) =>
      waitFor(
        what,
        () => {
          const hit = lines.find(match);
          if (hit) return hit;
          if (done) throw new Error(`process exited while waiting for ${what}:\n${lines.slice(-30).join('\n')}`);
          return undefined;
        },
        timeoutMs,
        50,
      ),
    exited,
    kill: () => {
      if (!done) child.kill('SIGKILL');
    },
  };
}

/** Fetches a Prometheus text page and returns `name{labels} value` samples. */
export async function scrape(
  url: string,
): Promise<{ text: string; samples: { name: string; labels: Record<string, string>; value: number }[] }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  const text = await res.text();
  const samples = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(l);
      if (!m) return undefined;
      const labels: Record<string, string> = {};
      for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!;
      return { name: m[1]!, labels, value: Number(m[3]) };
    })
    .filter((s): s is NonNullable<typeof s> => s !== undefined);
  return { text, samples };
}

export function sum(
  samples: { name: string; labels: Record<string, string>; value: number }[],
  name: string,
  labels: Record<string, string> = {},
): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((acc, s) => acc + s.value, 0);
}
