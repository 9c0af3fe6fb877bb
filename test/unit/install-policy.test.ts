/**
 * A fresh `npm ci` prints nothing to puzzle over: no dependency refuses the Node versions the project declares and
 * runs on (EBADENGINE), and every dependency with an install script has a decision in package.json's `allowScripts`
 * (npm 11 blocks unreviewed ones and lists them after the install). Plain: reads package.json and the lockfile.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { transformSync } from '@swc/core';
import semver from 'semver';

const ROOT = join(__dirname, '..', '..');

interface LockEntry {
  name?: string;
  version?: string;
  dev?: boolean;
  engines?: { node?: string };
  hasInstallScript?: boolean;
}
interface PackageJson {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
  overrides?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** Every installed package of the lockfile, with the name it is installed under. */
const installed = Object.entries(lock.packages)
  .filter(([path]) => path !== '')
  .map(([path, entry]) => ({ ...entry, name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 13) }));

const refusing = (node: string, entries: typeof installed) =>
  entries
    .filter((e) => e.engines?.node && !semver.satisfies(node, e.engines.node))
    .map((e) => `${e.name}@${e.version} wants node ${e.engines?.node}`);

/** An allowScripts key: `name` or `name@range` (a scoped name starts with its own @). */
function allowKey(key: string): { name: string; range: string } {
  const at = key.lastIndexOf('@');
  return at > 0 ? { name: key.slice(0, at), range: key.slice(at + 1) } : { name: key, range: '*' };
}

describe('a fresh npm ci', () => {
  it("records package.json's engines in the lockfile", () => {
    assert.deepEqual(lock.packages['']?.engines, pkg.engines);
  });

  it('installs no runtime dependency that refuses the lowest Node package.json declares', () => {
    const lowest = semver.minVersion(pkg.engines.node);
    assert.ok(lowest, `engines.node "${pkg.engines.node}" has no lowest version`);
    assert.deepEqual(
      refusing(
        lowest.version,
        installed.filter((e) => !e.dev),
      ),
      [],
    );
  });

  it('installs no dependency, dev tools included, that refuses the Node running it (CI: 20 and 24)', () => {
    assert.deepEqual(refusing(process.version, installed), []);
  });

  it('has an allowScripts decision for every package with an install script, and none for others', () => {
    const decisions = Object.keys(pkg.allowScripts ?? {}).map(allowKey);
    const covered = (e: (typeof installed)[number]) =>
      decisions.some((d) => d.name === e.name && semver.satisfies(e.version ?? '', d.range));
    const withScripts = installed.filter((e) => e.hasInstallScript);
    assert.deepEqual(
      withScripts.filter((e) => !covered(e)).map((e) => `${e.name}@${e.version}`),
      [],
      'decide in package.json allowScripts (npm install-scripts approve|deny <pkg>)',
    );
    const stale = decisions.filter((d) => !withScripts.some((e) => e.name === d.name));
    assert.deepEqual(stale, [], 'allowScripts names a package that has no install script (npm install-scripts prune)');
  });

  // The denied scripts only check what these prove: the platform binaries came with the optional dependencies.
  it("works without esbuild's install script: its native binary runs (esbuild refuses a binary of another version)", async () => {
    const out = await transform('const a: number = 1', { loader: 'ts' });
    assert.equal(out.code.trim(), 'const a = 1;');
  });

  it("works without @swc/core's install script: its native binding loads (no @swc/wasm fallback needed)", () => {
    const out = transformSync('const a: number = 1', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } });
    assert.match(out.code, /const a = 1;/);
  });
});
