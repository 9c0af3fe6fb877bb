/**
 * The one formatter of zod issues: a problem (field path, reason) per issue, and as text "field.path: reason". Used for process configuration,
 * provisioning input, Bird requests and responses alike. Values are never echoed (one of them may be a secret).
 * Pure, so workflow code may import it.
 */
import type { z } from 'zod';
import { problemText, type FieldProblem } from './problems';

/**
 * Input refused for named reasons (a field and a reason each, as data), whatever the input: configuration, provisioning,
 * bulk defaults, an audit. One shape so that every caller (the CLI's exit code 2, a workflow's non-retryable
 * failure) can treat them alike; each subclass keeps its own name so callers can still tell them apart.
 */
export class InvalidFields extends Error {
  constructor(
    what: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super(`invalid ${what}:\n  - ${problems.map(problemText).join('\n  - ')}`);
    this.name = 'InvalidFields';
  }
}

/**
 * Parses `raw` with `schema`, or throws `refuse(problems)` naming every bad field: the one "safeParse, then
 * describe the issues" of every door that refuses input by field (environment, bulk defaults, audit input).
 */
export function parseFields<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  refuse: (problems: FieldProblem[]) => InvalidFields,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw refuse(issueProblems(parsed.error.issues));
  return parsed.data;
}

/**
 * `input`, when given, is what was parsed: a field missing from it is reported as "required" whatever its schema
 * (zod words a missing enum as "Invalid option: expected one of …" and a missing union as "Invalid input").
 */
export function issueProblems(issues: readonly z.core.$ZodIssue[], input?: unknown): FieldProblem[] {
  return issues.map((issue) => {
    const path = issue.path.map(String);
    // An unknown key is reported on its parent object; name the key itself, which is what the caller must remove.
    if (issue.code === 'unrecognized_keys' && issue.keys.length) path.push(issue.keys.map(keyName).join(', '));
    return { field: path.join('.') || '(root)', reason: issueReason(issue, input) };
  });
}

/** The same problems as text, "prefix field.path: reason" each, for logs and messages that are text only. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = '', input?: unknown): string[] {
  return issueProblems(issues, input).map((p) => `${prefix}${problemText(p)}`);
}

/** A key as people can read it back: quoted (JSON) when empty or not a plain name, e.g. "" or "a, b". */
function keyName(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
}

/** The reason alone, for a caller that re-words the path (input: as for describeIssues). */
export function issueReason(issue: z.core.$ZodIssue, input?: unknown): string {
  // zod says "expected string, received undefined" for a missing field; people say "required".
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'required';
  if (issue.code === 'unrecognized_keys') return 'unknown field';
  if (
    (issue.code === 'invalid_value' || issue.code === 'invalid_union') &&
    input !== undefined &&
    isMissing(input, issue.path)
  ) {
    return issue.code === 'invalid_value'
      ? `required (one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`
      : 'required';
  }
  return issue.message;
}

/** Whether the object holding the last path segment exists and lacks it (not: a parent is itself missing). */
function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let node = input;
  for (const key of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  const last = path[path.length - 1];
  return (
    last !== undefined &&
    !!node &&
    typeof node === 'object' &&
    (node as Record<PropertyKey, unknown>)[last] === undefined
  );
}
