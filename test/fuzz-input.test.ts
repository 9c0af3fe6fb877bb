/**
 * Property-based tests (fast-check) of every door bad input comes in by: the provisioning input and the typed client
 * that starts runs with it, the bulk defaults, the CSV and JSON Lines readers with the row validation behind them,
 * and the webhook receiver's body handling (test/fuzz/properties.ts). A bounded number of runs each, so the file stays
 * fast; `npm run chaos` runs the same properties many more times. FUZZ_SEED replays a failure.
 */
import { allProperties } from './fuzz/properties';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

describe('bad input (property-based)', function () {
  this.timeout(120_000);
  for (const { name, check } of allProperties()) {
    it(name, () => check(RUNS, seed));
  }
});
