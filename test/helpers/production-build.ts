/**
 * Builds the app the way the Dockerfile does — `tsc -p tsconfig.build.json` then the compiled
 * scripts/bundle-workflows.js writing workflow-bundle.js beside the compiled sources — into .test-build/ (inside
 * the project, so Node resolves node_modules from it exactly as in the image's /app). Once per test run.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = resolve(__dirname, '..', '..');
export const BUILD_DIR = resolve(ROOT, '.test-build');

let built: Promise<{ workerJs: string; receiverJs: string; bundle: string; bundleLog: string }> | undefined;

export function productionBuild(): Promise<{
  workerJs: string;
  receiverJs: string;
  bundle: string;
  bundleLog: string;
}> {
  built ??= (async () => {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    await run(resolve(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], {
      cwd: ROOT,
    });
    // As in the Dockerfile: no argument, so the compiled script's own default (beside dist/src/) is what is tested.
    const { stdout } = await run(process.execPath, [resolve(BUILD_DIR, 'scripts', 'bundle-workflows.js')], {
      cwd: ROOT,
    });
    const bundle = resolve(BUILD_DIR, 'workflow-bundle.js');
    if (!existsSync(bundle)) throw new Error(`bundle-workflows.js wrote no ${bundle}: ${stdout}`);
    return {
      workerJs: resolve(BUILD_DIR, 'src', 'worker.js'),
      receiverJs: resolve(BUILD_DIR, 'src', 'webhook-receiver', 'main.js'),
      bundle,
      bundleLog: stdout,
    };
  })();
  return built;
}
