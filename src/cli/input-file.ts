/**
 * Reads a JSON input file for a command, with errors a person can act on: "no such file: <path>", and for bad JSON
 * the line and column of the mistake.
 */
import { parse as parseTolerant, type ParseError } from 'jsonc-parser';
import { readFile } from 'node:fs/promises';
import { usageError } from './errors';

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

export async function readJsonFile(path: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw usageError(`${option}: ${FILE_ERRORS[code] ?? `cannot read (${code || (err as Error).message})`}: ${path}`);
  }
  return parseJsonText(text.replace(/^\uFEFF/, ''), `${option} ${path}`);
}

export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const stated = / at position (\d+)/.exec(message);
    const offset = stated ? Number(stated[1]) : locate(text);
    const { line, column } = lineAndColumn(text, offset);
    throw usageError(
      `${what} is not valid JSON: line ${line}, column ${column}: ${stated ? ownWords(message) : unexpectedAt(text, offset)}`,
    );
  }
}

/**
 * V8 states a position for most mistakes ("… in JSON at position 42") but not for an unexpected token or an early
 * end, so those are located with jsonc-parser's scanner (with strict JSON options).
 */
function locate(text: string): number {
  const errors: ParseError[] = [];
  parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset ?? text.length;
}

/** V8's message without the position (given as line and column instead). */
function ownWords(message: string): string {
  return message.replace(/(?: in JSON)? at position \d+.*$/, '').replace(/^./, (c) => c.toLowerCase());
}

function unexpectedAt(text: string, offset: number): string {
  if (offset >= text.trimEnd().length)
    return 'the input ends too early (an unclosed {, [ or string, or nothing at all)';
  const token = /^[^\s,:{}[\]"]+|^./.exec(text.slice(offset))![0];
  return `unexpected ${JSON.stringify(token.slice(0, 20))}`;
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}
