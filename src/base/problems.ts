/**
 * What is wrong with an input, as data: the field at fault (as the caller wrote it), or the line of a file (and the
 * field on it, when one is at fault), and the reason. Every door maps these once to its own shape (HTTP body, Nexus
 * HandlerError, CLI message); nothing parses a message back into them. Pure, so workflow code may import it.
 */
export type Problem = FieldProblem | LineProblem;

export interface FieldProblem {
  field: string;
  reason: string;
}

export interface LineProblem {
  line: number;
  field?: string;
  reason: string;
}

/** The problem for people, one line: "field: reason", "line N: field: reason" or "line N: reason". */
export function problemText(p: Problem): string {
  if (!('line' in p)) return `${p.field}: ${p.reason}`;
  return `line ${p.line}: ${p.field ? `${p.field}: ` : ''}${p.reason}`;
}
