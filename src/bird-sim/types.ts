/**
 * Public types of the Bird simulator. Kept apart from the implementation so tests and the demo can import
 * them without pulling in fastify.
 */
import type { ComponentStage, ComponentStatus, WebhookEventFilter, WebhookService } from '../bird/schemas';

export type { ComponentStage, ComponentStatus };

export interface SimWorkspace {
  id: string;
  organizationId: string;
}

export interface NumberBehaviour {
  outcome: 'active' | 'error';
  delayMs?: number;
  errorMessage?: string;
  /** A US 10DLC number: Bird requires arguments.useCaseId for it, so create answers 422 without one. */
  tenDlc?: boolean;
  /** The connector's template is still referenced elsewhere: delete answers 422 (the contract's documented refusal). */
  deleteRefused?: boolean;
}

export interface FaultConfig {
  /** Added to every API request (never to /_sim). */
  latencyMs: number;
  /** 0..1 fraction of API requests answered 503. */
  serverErrorRate: number;
  /** 0..1 fraction of API requests answered 429. */
  rateLimitRate: number;
  /** Retry-After value on injected 429s; null sends none. */
  retryAfterSeconds: number | null;
  /** 0..1 fraction of successful creates whose reply is dropped after the connector is committed. */
  lostCreateResponseRate: number;
}

export type ScriptedFault = '503' | '500' | '429' | '429-retry-after' | 'lost-response' | 'timeout';

export const OPERATION_IDS = [
  'createConnector',
  'listConnectors',
  'getConnector',
  'deleteConnector',
  'getConnectorStatus',
  'createLegacyWebhookSubscription',
] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

export interface SimulatorOptions {
  host?: string;
  port?: number;
  accessKeys?: string[];
  workspaces?: SimWorkspace[];
  provisioningDelayMs?: number;
  /** How long a deleted connector stays `deprovisioning` before it is `deprovisioned` and gone (0: at once). */
  deprovisioningDelayMs?: number;
  faults?: Partial<FaultConfig>;
  deliveryTimeoutMs?: number;
  /**
   * Bird's rate limits per workspace, enforced as 429 with Retry-After; none when absent. `window` picks the model
   * (src/bird-sim/rate-limits.ts): `token-bucket` (default) or the strict `sliding-window`.
   */
  rateLimits?: { getPerSecond: number; postPerSecond: number; window?: 'token-bucket' | 'sliding-window' };
  /** Bird's webhook retry schedule (about a day) times this factor; 1 = real time. */
  webhookRetryScale?: number;
  seed?: number;
  /** Called once per API call when its outcome is known (answered, dropped or held); used by the CLI to log. */
  onCall?: (call: SimCall) => void;
}

export interface ChannelState {
  status: ComponentStatus;
  stage: ComponentStage;
  errorMessage?: string;
}

export interface SimNumber {
  numberId: string;
  profileId: string;
  phoneNumber: string;
}

export interface SimConnector {
  id: string;
  workspaceId: string;
  name: string;
  connectorTemplateRef: string;
  connectorTemplateSlug: string;
  arguments: Record<string, unknown> | null;
  channelId: string;
  platform: string;
  /** Only for SMS connectors. */
  number?: SimNumber;
  /** Channel provisioning state; the SMS number mirrors it. */
  state: ChannelState;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
  /** Deleted and still deprovisioning (gettable, listed, its number still taken) until deletedAt. */
  deletingAt?: string;
}

export interface SimCall {
  /** null when the request matched no contract route (a client bug worth seeing). */
  operationId: OperationId | null;
  method: string;
  /** Request URL including the query string. */
  path: string;
  /** Status the operation produced; for 'lost-response' that status was never sent; null for 'timeout'. */
  status: number | null;
  at: number;
  fault?: ScriptedFault;
  /** Refused with 429 by the workspace's rate limit (not an injected fault). */
  rateLimited?: true;
  /** Parsed JSON body (raw string if not JSON); signingKey is redacted. */
  body?: unknown;
}

export interface SimSubscription {
  id: string;
  organizationId: string;
  workspaceId: string;
  service: WebhookService;
  event: string;
  eventFilters: WebhookEventFilter[];
  template?: string;
  url: string;
  status: 'active' | 'inactive';
  createdAt: string;
  updatedAt: string;
  /** The key itself is never exposed, not even to introspection. */
  hasSigningKey: boolean;
}

export type ChannelEventName = 'channel.created' | 'channel.updated';

export interface ChannelEventBody {
  service: 'channels';
  event: ChannelEventName;
  payload: {
    channelId: string;
    connectorId: string;
    platformId: string;
    identifier?: string;
    status: ComponentStatus;
    stage: ComponentStage;
    errorMessage?: string;
  };
}

export interface SimDelivery {
  subscriptionId: string;
  /** The subscription's (public) url, which the signature covers. */
  url: string;
  /** Where the request actually went (differs from url when routeDeliveries matched). */
  target: string;
  event: ChannelEventName;
  requestId: string;
  timestamp: string;
  /** 1 for the first try, up to 4 with retries. */
  attempt: number;
  at: number;
  status: number | 'error';
  error?: string;
  body: ChannelEventBody;
}
