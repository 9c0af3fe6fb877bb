/** Mocha root hooks: tear down the shared Temporal dev server once, after every file has run. */
import { shutdownTemporal } from './temporal';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await shutdownTemporal();
  },
};
