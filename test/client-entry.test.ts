/**
 * `bird-channel-provisioning/client` is a real entry point: package.json's `exports` maps it to src/client/index.ts
 * (types) and its compiled JavaScript (runtime), and what it loads is the typed client and what it needs, never the
 * CLI, the worker, activities, workflow implementations or the servers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const run = promisify(execFile);

/** Files under src/ the entry may never load, and packages only servers, the CLI or the worker need. */
const FORBIDDEN_FILES = [
  /^src\/cli\//,
  /^src\/activities\//,
  /^src\/worker/,
  /^src\/bird-sim\//,
  /^src\/webhook-receiver\//,
  /^src\/api\//,
  /^src\/codec\//,
  /^src\/starter\.ts$/,
  /^src\/workflows\/(?!definitions\.ts$|bulk-definitions\.ts$|describe\.ts$)/,
];
const FORBIDDEN_PACKAGES = [
  '@temporalio/worker',
  '@temporalio/activity',
  'commander',
  'cli-progress',
  'fastify',
  'pino',
];

/** Value imports only (`import type`, type-only specifiers and re-exports are erased by the compiler). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly =
        clause?.isTypeOnly ||
        (!clause?.name && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly));
      if (!typeOnly) specs.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      if (!node.isTypeOnly && !(named && named.length > 0 && named.every((e) => e.isTypeOnly)))
        specs.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specs;
}

function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    const rel = relative(ROOT, file);
    if (files.has(rel)) return;
    files.add(rel);
    for (const spec of runtimeImports(file)) {
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
      assert.ok(target, `${rel}: cannot resolve ${spec}`);
      visit(target);
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

describe('package entry point bird-channel-provisioning/client', function () {
  this.timeout(120_000);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, { types: string; default: string }>;
  };

  it('loads no CLI, worker, activity, workflow implementation or server code', () => {
    const entry = pkg.exports['./client']!;
    assert.equal(entry.types, './src/client/index.ts');
    const { files, packages } = importGraph(join(ROOT, entry.types));
    assert.ok(
      files.includes('src/client/provisioning-client.ts') && files.includes('src/domain/provisioning-input.ts'),
      files.join(' '),
    );
    for (const file of files) assert.ok(!FORBIDDEN_FILES.some((re) => re.test(file)), `the client entry loads ${file}`);
    for (const name of FORBIDDEN_PACKAGES) assert.ok(!packages.includes(name), `the client entry loads ${name}`);
    assert.ok(files.length < 40, `a small entry (${files.length} files: ${files.join(' ')})`);
  });

  it('is importable by its package name, compiled on its own', async () => {
    // The entry compiled alone (only what it imports), laid out as an installed package would be.
    const consumer = mkdtempSync(join(tmpdir(), 'client-consumer-'));
    try {
      const pkgDir = join(consumer, 'node_modules', pkg.name);
      mkdirSync(pkgDir, { recursive: true });
      writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg));
      symlinkSync(join(ROOT, 'node_modules'), join(pkgDir, 'node_modules'));
      // Each file of the entry's graph transpiled (no type check: typecheck does that) to where `build` puts it.
      for (const file of importGraph(join(ROOT, pkg.exports['./client']!.types)).files) {
        const out = join(pkgDir, 'dist', file.replace(/\.ts$/, '.js'));
        mkdirSync(dirname(out), { recursive: true });
        const js = ts.transpileModule(readFileSync(join(ROOT, file), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        });
        writeFileSync(out, js.outputText);
      }
      const script = `const c = require('${pkg.name}/client'); const loaded = Object.keys(require.cache).filter((f) => !f.includes('node_modules/${pkg.name}/node_modules/')).filter((f) => f.includes('/dist/')).map((f) => f.split('/dist/')[1]);
        console.log(JSON.stringify({ exports: Object.keys(c).sort(), loaded }));`;
      const { stdout } = await run(process.execPath, ['-e', script], { cwd: consumer });
      const { exports, loaded } = JSON.parse(stdout) as { exports: string[]; loaded: string[] };
      for (const name of [
        'startProvisioning',
        'attachOrStart',
        'getProgress',
        'cancelProvisioning',
        'awaitResult',
        'startBulk',
        'getBulkProgress',
        'ProvisioningInputSchema',
        'FailureType',
      ]) {
        assert.ok(exports.includes(name), `exports ${name}`);
      }
      assert.ok(loaded.includes('src/client/index.js'), loaded.join(' '));
      for (const file of loaded)
        assert.ok(!FORBIDDEN_FILES.some((re) => re.test(file.replace(/\.js$/, '.ts'))), `loaded ${file}`);
    } finally {
      rmSync(consumer, { recursive: true, force: true });
    }
  });
});
