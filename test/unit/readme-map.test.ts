/**
 * The README is the front door and docs/ the rooms behind it: every repository path they name must exist, so the map
 * of src/ cannot drift from the tree when files move. Plain: reads files, no server.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const README_MAX_LINES = 300;

/** A path named in the text: src/…, test/…, scripts/…, docs/…, deploy/… (not dist/src/… nor .tools/src/…). */
const REPO_PATH = /(?<![\w./-])(?:src|test|scripts|docs|deploy)\/[\w.*/<>{}…-]*/g;
/** A markdown link's target: [text](target). */
const LINK = /\]\(([^)\s]+)\)/g;

/** The file a link points at, without its #fragment. */
function linkTarget(match: RegExpMatchArray): string {
  return (match[1] ?? '').split('#')[0] ?? '';
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name));
  return ['README.md', ...docs];
}

/** Every file under a directory, as paths relative to the repository root. */
function filesUnder(directory: string): string[] {
  const absolute = join(ROOT, directory);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) return [];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' }).map((entry) => join(directory, entry));
}

function globMatches(pattern: string): boolean {
  const firstGlob = pattern.indexOf('*');
  const base = pattern.slice(0, pattern.lastIndexOf('/', firstGlob));
  const source = pattern
    .split('**')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  const regex = new RegExp(`^${source}/?$`);
  return filesUnder(base).some((file) => regex.test(file.split('\\').join('/')));
}

/** Placeholders (`test/<file>.test.ts`, `docs/…`) name no one file. */
function isPlaceholder(path: string): boolean {
  return /[<>{}…]/.test(path);
}

function pathExists(path: string): boolean {
  return path.includes('*') ? globMatches(path) : existsSync(join(ROOT, path));
}

/** The repository paths a markdown file names, as paths from the root, with where they were named. */
export function namedPaths(file: string, text: string): { path: string; where: string }[] {
  const named: { path: string; where: string }[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  for (const match of text.matchAll(REPO_PATH)) {
    const path = match[0].replace(/[.,;:]+$/, '');
    if (!isPlaceholder(path)) named.push({ path, where: `${file}:${lineOf(match.index)}` });
  }
  for (const match of text.matchAll(LINK)) {
    const target = linkTarget(match);
    if (target === '' || /^[a-z]+:/i.test(target)) continue;
    const path = relative(ROOT, normalize(join(ROOT, dirname(file), target)));
    named.push({ path, where: `${file}:${lineOf(match.index)} (link ${target})` });
  }
  return named;
}

describe('README and docs/: the map matches the tree', () => {
  it('every path the README and docs/*.md name exists', () => {
    const missing = markdownFiles().flatMap((file) =>
      namedPaths(file, readFileSync(join(ROOT, file), 'utf8')).filter(({ path }) => !pathExists(path)),
    );
    assert.deepEqual(
      missing.map(({ path, where }) => `${where}: ${path}`),
      [],
      'paths named in the docs that do not exist',
    );
  });

  it(`the README stays a front door: at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines`);
  });

  it('every docs/*.md the README links to resolves, and the README links every docs/*.md', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(LINK)].map(linkTarget).filter((target) => target.startsWith('docs/'));
    assert.ok(linked.length > 0, 'the README links into docs/');
    for (const target of linked)
      assert.ok(existsSync(join(ROOT, target)), `README links ${target}, which does not exist`);
    const unlinked = markdownFiles()
      .slice(1)
      .filter((doc) => !linked.includes(doc));
    assert.deepEqual(unlinked, [], 'docs the README does not link to');
  });

  it('catches a path that does not exist, in backticks and in a link', () => {
    const named = namedPaths('docs/x.md', 'see `src/worker/nope.ts` and [it](missing.md), not `dist/src/x.js`');
    assert.deepEqual(
      named.map(({ path }) => path),
      ['src/worker/nope.ts', 'docs/missing.md'],
    );
    assert.ok(named.every(({ path }) => !pathExists(path)));
    assert.ok(pathExists('test/unit/*.test.ts') && !pathExists('test/unit/*.nothing.ts'));
  });
});
