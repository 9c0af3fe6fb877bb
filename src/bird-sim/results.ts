/**
 * Operation outcomes as plain values, so handlers stay free of HTTP plumbing and the route wrapper can decide
 * to send, drop or hold the reply (fault injection) after the operation has run.
 *
 * Every error body here fits the contract's Error/errorResponse schema: code and message of at least 5
 * characters, nothing beyond code, message and details.
 */
import type { z } from 'zod';

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function ok(status: number, body?: unknown): ApiResult {
  return { status, body };
}

export function error(status: number, code: string, message: string, details?: Record<string, unknown>): ApiResult {
  return { status, body: details ? { code, message, details } : { code, message } };
}

export function invalidField(field: string, reason: string, extra: Record<string, unknown> = {}): ApiResult {
  return error(422, 'InvalidData', `${field}: ${reason}`, { field, ...extra });
}

/** 422 naming the first offending field; all issues go in details for whoever debugs the client. */
export function invalidFromZod(err: z.ZodError, prefix = ''): ApiResult {
  const issues = err.issues.map((issue) => {
    const path = issue.path.map(String);
    // An unknown key is reported on its parent object; name the key itself, that is what the caller must remove.
    if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    return { field: prefix + (path.join('.') || 'body'), message: issue.message, code: issue.code };
  });
  const first = issues[0] ?? { field: prefix || 'body', message: 'invalid value' };
  return invalidField(first.field, first.message, { issues });
}

export type JsonParse = { ok: true; value: unknown } | { ok: false };

export function parseJson(raw: string | undefined): JsonParse {
  if (raw === undefined || raw.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}
