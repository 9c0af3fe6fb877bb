/**
 * Whether a value can travel as JSON (a workflow input does): the first value that cannot, named by its path. Pure,
 * so workflow code may import it.
 */
import type { FieldProblem } from '../base/problems';

/** The first value JSON cannot carry (BigInt, function, symbol, NaN, a cycle) as a problem, else undefined. */
export function findNonJsonValue(
  value: unknown,
  path: string[] = [],
  ancestors: object[] = [],
): FieldProblem | undefined {
  const field = path.join('.') || '(root)';
  switch (typeof value) {
    case 'bigint':
    case 'function':
    case 'symbol':
      return { field, reason: `must be JSON (a ${typeof value} is not)` };
    case 'number':
      return Number.isFinite(value) ? undefined : { field, reason: 'must be a finite number' };
    case 'object': {
      if (value === null) return undefined;
      if (ancestors.includes(value)) return { field, reason: 'must be JSON (it refers back to itself)' };
      const next = [...ancestors, value];
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (const [key, child] of entries) {
        const problem = findNonJsonValue(child, [...path, key], next);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
