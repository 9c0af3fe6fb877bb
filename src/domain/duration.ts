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

/**
 * The duration strings the contract (contracts/provisioning-input.schema.json) describes: a number and one of the
 * units `ms` reads, written in lower case without surrounding spaces. parseDuration reads more (upper case, spaces
 * around, a minus sign); the contract says less, never more, so an input valid by it is read here. At most 100
 * characters, as `ms` reads no longer string.
 */
export const DURATION_PATTERN =
  '^(\\d+|\\d*\\.\\d+) *(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)$';

/**
 * A zod duration field with bounds, parsed to milliseconds. Its JSON Schema (the meta) bounds numbers; a string's
 * bounds apply to the duration it reads as, which JSON Schema cannot say: the description does.
 */
export function duration(minMs: number, maxMs: number) {
  const bounds = `between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`;
  return z
    .union([z.number(), z.string()])
    .transform((raw, ctx) => {
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
          message: `must be ${bounds} (${minMs}–${maxMs} ms)`,
        });
        return z.NEVER;
      }
      return millis;
    })
    .meta({
      description: `milliseconds, or a string like "2s", "1m", "1h"; ${bounds} (a string's bounds apply to the duration it reads as, which JSON Schema cannot say)`,
      anyOf: [
        { type: 'number', minimum: minMs, maximum: maxMs },
        { type: 'string', maxLength: 100, pattern: DURATION_PATTERN },
      ],
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
