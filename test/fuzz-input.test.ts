/**
 * Property-based tests (fast-check) of every door bad input comes in by: the provisioning input and the typed client
 * that starts runs with it, the bulk defaults, the CSV and JSON Lines readers with the row validation behind them,
 * and the webhook receiver's body handling (test/fuzz/properties.ts). A bounded number of runs each, so the file stays
 * fast; `npm run chaos` runs the same properties many more times. A failure names its seed and path; FUZZ_SEED
 * replays it (docs/seeds-blanks-logs-stacks.md).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  allProperties,
  checkJsonLines,
  JSON_LINES_EXAMPLES,
  namedProperty,
  PropertyFailed,
  readFieldName,
} from './fuzz/properties';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

describe('bad input (property-based)', function () {
  this.timeout(120_000);
  for (const { name, check } of allProperties()) {
    it(name, () => check(RUNS, seed));
  }
});

describe('the properties themselves', () => {
  it('issue 17: the fault suite counterexample (seed 1785237381, path "1334:2:1:1:1:1:1:1:1:8:8") holds', () => {
    // `readiness.","`: an unknown key that is not a plain name, under a known field; the oracle once threw reading it.
    for (const [lines] of JSON_LINES_EXAMPLES) checkJsonLines(lines);
  });

  it('reads back field names as the product writes them', () => {
    assert.deepEqual(readFieldName('readiness.","'), { path: ['readiness'], keys: [','] });
    assert.deepEqual(readFieldName('connector.arguments.phoneNumberId'), {
      path: ['connector', 'arguments'],
      keys: ['phoneNumberId'],
    });
    assert.deepEqual(readFieldName('x, "a.b", "\\"", ""'), { path: [], keys: ['x', 'a.b', '"', ''] });
    assert.deepEqual(readFieldName('subscriptions.0.eventFilters'), {
      path: ['subscriptions', '0'],
      keys: ['eventFilters'],
    });
    assert.equal(readFieldName('readiness."'), undefined);
    assert.equal(readFieldName('a, b.c'), undefined);
  });

  it('a failing property names its seed and path, and the same seed finds the same counterexample again', async () => {
    const property = namedProperty(
      'fails on large numbers',
      fc.property(fc.integer(), (n) => assert.ok(n < 1_000, `${n} is large`)),
    );
    const failure = async (s?: number) => {
      const err = await property.check(100, s).then(
        () => assert.fail('the property held'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PropertyFailed, String(err));
      return err;
    };
    const first = await failure();
    assert.match(
      first.message.split('\n')[0]!,
      new RegExp(
        `^failed after \\d+ tests, seed ${first.seed}, path "${first.path}" \\(replay: FUZZ_SEED=${first.seed} .*npm run chaos -- --seed ${first.seed} --only bad-input\\)$`,
      ),
    );
    assert.match(first.message, /\n  error: AssertionError: \d+ is large\n  counterexample: \[\d+\]$/);
    const again = await failure(first.seed);
    assert.equal(again.seed, first.seed);
    assert.equal(again.path, first.path);
    assert.equal(again.message, first.message);
  });
});
