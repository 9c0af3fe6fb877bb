/** Every workflow the worker registers. */
export { provisionChannel } from './provision-channel';
export { webhookSubscription } from './webhook-subscription';
export { bulkOnboard } from './bulk-onboard';
export { reconcileConnectors } from './reconcile';
export { offboardChannel } from './offboard-channel';
export { planInventory } from './plan-inventory';
export { applyInventory } from './apply-inventory';
export { bulkOffboard } from './bulk-offboard';
