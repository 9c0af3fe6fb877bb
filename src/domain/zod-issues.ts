/**
 * The one formatter of zod issues for people: "field.path: reason" per issue. Used for process configuration,
 * provisioning input, Bird requests and responses alike. Values are never echoed (one of them may be a secret).
 * Pure, so workflow code may import it.
 */
import type { z } from 'zod';

export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String);
    // An unknown key is reported on its parent object; name the key itself, which is what the caller must remove.
    if (issue.code === 'unrecognized_keys' && issue.keys.length) path.push(issue.keys.join(', '));
    return `${prefix}${path.join('.') || '(root)'}: ${reasonOf(issue)}`;
  });
}

function reasonOf(issue: z.core.$ZodIssue): string {
  // zod says "expected string, received undefined" for a missing field; people say "required".
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'required';
  if (issue.code === 'unrecognized_keys') return 'unknown field';
  return issue.message;
}
