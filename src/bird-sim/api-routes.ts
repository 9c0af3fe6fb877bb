/**
 * The contract's routes, each wrapped in what sits in front of Bird's handlers: latency, access-key check,
 * fault injection, and call recording. Order matters: auth runs before faults so an unauthenticated probe
 * does not consume a fault a test scripted for the real client.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectorOperations, Query } from './connectors';
import type { FaultPlan } from './faults';
import type { RateLimiter } from './rate-limits';
import { error, parseJson, type ApiResult } from './results';
import { sleep } from './sleep';
import type { SubscriptionOperations } from './subscriptions';
import type { OperationId, ScriptedFault, SimCall } from './types';

/** How long a 'timeout' fault holds a request: longer than any sane client timeout. */
export const TIMEOUT_FAULT_HOLD_MS = 30_000;

export interface ApiDeps {
  accessKeys: ReadonlySet<string>;
  faults: FaultPlan;
  rateLimits: RateLimiter;
  connectors: ConnectorOperations;
  subscriptions: SubscriptionOperations;
  /** Records the call at receipt; the wrapper fills in status/fault on the same object as they become known. */
  record: (call: SimCall) => void;
  finished: (call: SimCall) => void;
  /** Aborted by close(): ends latency sleeps and held requests. */
  closing: AbortSignal;
}

interface ApiInput {
  params: Record<string, string>;
  query: Query;
  rawBody: string | undefined;
}

type Operation = (input: ApiInput) => ApiResult;

function firstValues(query: unknown): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const value: unknown = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
}

/** Request fields that carry secrets: kept out of the call log that /_sim/calls serves. */
const SECRET_FIELDS = ['signingKey', 'securityArguments'] as const;

/** The recorded body is served by /_sim/calls, so no secret (signing key, security arguments) may end up in it. */
function recordableBody(raw: string | undefined): unknown {
  if (raw === undefined || raw === '') return undefined;
  const json = parseJson(raw);
  if (!json.ok) return raw;
  const value = json.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const redacted: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of SECRET_FIELDS) {
    if (field in redacted && redacted[field] !== undefined && redacted[field] !== null) redacted[field] = '[redacted]';
  }
  return redacted;
}

function authorized(req: FastifyRequest, keys: ReadonlySet<string>): boolean {
  const match = /^AccessKey\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] !== undefined && keys.has(match[1]);
}

function faultResult(fault: '503' | '500' | '429' | '429-retry-after', retryAfterSeconds: number | null): ApiResult {
  switch (fault) {
    case '503':
      return error(503, 'ServiceUnavailable', 'service temporarily unavailable (injected fault)');
    case '500':
      return error(500, 'InternalServerError', 'internal server error (injected fault)');
    case '429':
      return error(429, 'TooManyRequests', 'rate limit exceeded (injected fault)');
    case '429-retry-after':
      return {
        ...error(429, 'TooManyRequests', 'rate limit exceeded (injected fault)'),
        headers: { 'retry-after': String(retryAfterSeconds ?? 1) },
      };
  }
}

function send(reply: FastifyReply, result: ApiResult): FastifyReply {
  reply.code(result.status);
  if (result.headers) reply.headers(result.headers);
  return result.body === undefined ? reply.send() : reply.send(result.body);
}

/** Drop the connection without a byte of response: the client sees a reset, not an HTTP error. */
function drop(req: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  req.raw.socket.destroy();
}

/** Hold the request open until the client gives up (its socket closes), the simulator closes, or the cap passes. */
async function hold(req: FastifyRequest, reply: FastifyReply, closing: AbortSignal): Promise<void> {
  reply.hijack();
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  req.raw.socket.once('close', onClose);
  await sleep(TIMEOUT_FAULT_HOLD_MS, AbortSignal.any([closing, gone.signal]));
  req.raw.socket.off('close', onClose);
  req.raw.socket.destroy();
}

function wrap(deps: ApiDeps, operationId: OperationId, operation: Operation) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const rawBody = typeof req.body === 'string' ? req.body : undefined;
    const call: SimCall = { operationId, method: req.method, path: req.url, status: null, at: Date.now() };
    const body = recordableBody(rawBody);
    if (body !== undefined) call.body = body;
    deps.record(call);
    const finish = (fault?: ScriptedFault): void => {
      if (fault) call.fault = fault;
      deps.finished(call);
    };

    await sleep(deps.faults.config.latencyMs, deps.closing);
    if (deps.closing.aborted) {
      drop(req, reply);
      return undefined;
    }
    if (!authorized(req, deps.accessKeys)) {
      const result = error(
        401,
        'Unauthorized',
        'missing or invalid access key (expected "Authorization: AccessKey <key>")',
      );
      call.status = result.status;
      finish();
      return send(reply, result);
    }

    // Bird's own limits before any injected fault: a request over the workspace's budget is refused, not performed.
    const workspaceId = (req.params as Record<string, string>).workspaceId ?? '';
    const budget = deps.rateLimits.take(workspaceId, req.method);
    if (!budget.ok) {
      const result = {
        ...error(429, 'TooManyRequests', 'rate limit exceeded for this workspace'),
        headers: { 'retry-after': String(budget.retryAfterSeconds) },
      };
      call.status = result.status;
      call.rateLimited = true;
      finish();
      return send(reply, result);
    }

    const fault = deps.faults.next(operationId);
    if (fault === 'timeout') {
      // Not performed: models a request that never got past Bird's edge (unlike lost-response).
      finish(fault);
      await hold(req, reply, deps.closing);
      return undefined;
    }
    if (fault && fault !== 'lost-response') {
      const result = faultResult(fault, deps.faults.config.retryAfterSeconds);
      call.status = result.status;
      finish(fault);
      return send(reply, result);
    }

    const result = operation({ params: req.params as Record<string, string>, query: firstValues(req.query), rawBody });
    call.status = result.status;
    const lose =
      fault === 'lost-response' ||
      (operationId === 'createConnector' && result.status === 201 && deps.faults.loseCreateResponse());
    if (lose) {
      // The operation is committed; only the reply is lost. This is what makes client-side idempotency necessary.
      finish('lost-response');
      drop(req, reply);
      return undefined;
    }
    finish();
    return send(reply, result);
  };
}

export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { connectors, subscriptions } = deps;
  app.post(
    '/workspaces/:workspaceId/connectors',
    wrap(deps, 'createConnector', ({ params, rawBody }) => connectors.create(params.workspaceId!, rawBody)),
  );
  app.get(
    '/workspaces/:workspaceId/connectors',
    wrap(deps, 'listConnectors', ({ params, query }) => connectors.list(params.workspaceId!, query)),
  );
  app.get(
    '/workspaces/:workspaceId/connectors/:connectorId',
    wrap(deps, 'getConnector', ({ params }) => connectors.get(params.workspaceId!, params.connectorId!)),
  );
  app.delete(
    '/workspaces/:workspaceId/connectors/:connectorId',
    wrap(deps, 'deleteConnector', ({ params }) => connectors.delete(params.workspaceId!, params.connectorId!)),
  );
  app.get(
    '/workspaces/:workspaceId/connectors/:connectorId/status',
    wrap(deps, 'getConnectorStatus', ({ params }) => connectors.status(params.workspaceId!, params.connectorId!)),
  );
  app.post(
    '/organizations/:organizationId/workspaces/:workspaceId/webhook-subscriptions',
    wrap(deps, 'createLegacyWebhookSubscription', ({ params, rawBody }) =>
      subscriptions.create(params.organizationId!, params.workspaceId!, rawBody),
    ),
  );
}
