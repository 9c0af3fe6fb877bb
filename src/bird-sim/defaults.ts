/** Defaults shared by the in-process simulator and the CLI, so the printed ids are the ones actually served. */
import type { FaultConfig, SimWorkspace } from './types';

export const DEFAULT_ACCESS_KEY = 'sim-access-key';

export const DEFAULT_WORKSPACE: SimWorkspace = {
  id: '8f0a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
  organizationId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
};

export const DEFAULT_PROVISIONING_DELAY_MS = 1500;
export const DEFAULT_DELIVERY_TIMEOUT_MS = 5000;

export const NO_FAULTS: FaultConfig = {
  latencyMs: 0,
  serverErrorRate: 0,
  rateLimitRate: 0,
  retryAfterSeconds: null,
  lostCreateResponseRate: 0,
};
