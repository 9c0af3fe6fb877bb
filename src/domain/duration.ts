/**
 * Durations in workflow input: milliseconds, or a string such as "500ms", "2s", "1m", "30m", "1h"
 * (the notation Temporal users already write for timeouts).
 */
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

export function parseDuration(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/** A zod duration field with bounds, parsed to milliseconds. */
export function duration(minMs: number, maxMs: number) {
  return z.union([z.number(), z.string()]).transform((raw, ctx) => {
    const ms = typeof raw === 'number' ? raw : parseDuration(raw);
    if (ms === undefined || !Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${String(raw)}" is not a duration (use milliseconds or e.g. "2s", "1m")` });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `must be between ${minMs} ms and ${maxMs} ms` });
      return z.NEVER;
    }
    return ms;
  });
}

/** Milliseconds as people write durations: "500ms", "2s", "1m30s", "30m", "168h". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  const h = Math.floor(rest / 3_600);
  rest -= h * 3_600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || !parts.length) parts.push(`${s}s`);
  return parts.join('');
}
