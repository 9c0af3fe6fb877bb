/**
 * Durations in workflow input: milliseconds, or a string such as "500ms", "2s", "1m", "30m", "1h", "2 days"
 * (the notation Temporal users already write for timeouts), read by the `ms` package Temporal itself uses.
 */
import ms from 'ms';
import { z } from 'zod';

export function parseDuration(value: string): number | undefined {
  let parsed: number | undefined;
  try {
    parsed = ms(value.trim() as ms.StringValue) as number | undefined;
  } catch {
    return undefined; // an empty string
  }
  // A bare number string is milliseconds to `ms`; people who write a string mean a unit, so say which.
  if (parsed === undefined || !Number.isFinite(parsed) || /^[\d.]+$/.test(value.trim())) return undefined;
  return Math.round(parsed);
}

/** A zod duration field with bounds, parsed to milliseconds. */
export function duration(minMs: number, maxMs: number) {
  return z.union([z.number(), z.string()]).transform((raw, ctx) => {
    const millis = typeof raw === 'number' ? raw : parseDuration(raw);
    if (millis === undefined || !Number.isFinite(millis)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${String(raw)}" is not a duration (use milliseconds or e.g. "2s", "1m")`,
      });
      return z.NEVER;
    }
    if (millis < minMs || millis > maxMs) {
      ctx.addIssue({
        code: 'custom',
        message: `must be between ${formatDuration(minMs)} and ${formatDuration(maxMs)} (${minMs}–${maxMs} ms)`,
      });
      return z.NEVER;
    }
    return millis;
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
