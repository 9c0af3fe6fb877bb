/**
 * Bulk runs follow upgrades. A bulk run is PINNED like every run (the worker's default), so without this a large
 * file kept the build it started on through all its continue-as-new runs, and that build could not be retired until
 * the file was done. With Worker Deployment versioning, the server tells a pinned run that its task queue's current
 * version has changed (workflowInfo().targetWorkerDeploymentVersionChanged, Server 1.30+); the bulk run then stops
 * starting rows on its old build and continues as new with initialVersioningBehavior AUTO_UPGRADE: the next run
 * starts on the current version (and is pinned there again), carrying the window. The children already started stay
 * pinned to the old build, finish there, and report by signal to the bulk run's id, which reaches the new run.
 *
 * Safe to replay: the flag is false in every history recorded before (unversioned workers, or a server that does not
 * set it), so those runs take the same path; the continue-as-new that moves a run is marked with patched().
 *
 * Experimental in the SDK (1.24) and the server; a server without the feature (Server 1.29, the Compose stack's)
 * never sets the flag, and a bulk run then stays on its build as before. test/upgrade/bulk.upgrade.ts shows it on
 * Server 1.30.9 (docs/upgrades.md).
 */
import {
  makeContinueAsNewFunc,
  patched,
  workflowInfo,
  type ContinueAsNewOptions,
  type Workflow,
} from '@temporalio/workflow';

export const BULK_UPGRADE_PATCH = 'bulk-upgrade-on-continue-as-new';

/** The current version of this run's deployment is no longer the one it is pinned to. */
export function newVersionAvailable(): boolean {
  return workflowInfo().targetWorkerDeploymentVersionChanged === true;
}

/** Continues as new; onto the current deployment version when it has changed since this run started. */
export function continueAsNewFollowingUpgrades<F extends Workflow>(...args: Parameters<F>): Promise<never> {
  const options: ContinueAsNewOptions =
    newVersionAvailable() && patched(BULK_UPGRADE_PATCH) ? { initialVersioningBehavior: 'AUTO_UPGRADE' } : {};
  return makeContinueAsNewFunc<F>(options)(...args);
}
