/**
 * The layers of src/ hold: no import cycle, not even between folders (bird/ ↔ domain/ was one), base/ and bird/ at the
 * bottom, nothing under activities/, bird/, bulk/, domain/ or the callers imports
 * workflow code, domain/ stays pure, the simulator stays apart (.dependency-cruiser.cjs says each rule and why).
 * dependency-cruiser reads the graph the way TypeScript resolves it, type-only imports included.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

interface CruiseResult {
  summary: {
    violations: Array<{ rule: { name: string }; from: string; to: string; cycle?: Array<{ name: string }> }>;
    totalCruised: number;
  };
}

describe('import graph of src/', function () {
  this.timeout(120_000);

  it('has no cycle and no arrow against the layers', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
        'src',
        '--config',
        '.dependency-cruiser.cjs',
        '--output-type',
        'json',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const result = JSON.parse(stdout) as CruiseResult;
    assert.ok(
      result.summary.totalCruised > 100,
      `only ${result.summary.totalCruised} modules cruised: is the config reading src/?`,
    );
    const violations = result.summary.violations.map(
      (v) => `${v.rule.name}: ${v.from} → ${v.cycle ? v.cycle.map((c) => c.name).join(' → ') : v.to}`,
    );
    assert.deepEqual(violations, []);
  });

  it('checks loops between folders, not only between files', async () => {
    const config = createRequire(__filename)('../.dependency-cruiser.cjs') as {
      forbidden: Array<{ name: string; scope?: string; to: { circular?: boolean } }>;
    };
    const rule = config.forbidden.find((r) => r.name === 'no-folder-cycle');
    assert.equal(rule?.scope, 'folder');
    assert.equal(rule?.to.circular, true);
  });
});
