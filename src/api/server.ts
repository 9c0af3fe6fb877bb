/**
 * The HTTP API (fastify) for services that do not speak Temporal: authentication by API key scoped to workspaces,
 * a per-key rate limit, body limits, one JSON error shape, 404/405 for unknown routes and methods, 503 with
 * Retry-After while Temporal or the workers are away. The Temporal address, namespace and task queue are this
 * server's configuration; no request can name them.
 */
import rateLimit from '@fastify/rate-limit';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { BulkStore } from '../bulk/store';
import { workflowTaskPollers } from '../client/task-queue-pollers';
import { authenticate, type ApiKey, type Caller } from './api-keys';
import { registerBulkOffboardRoutes } from './bulk-offboard-routes';
import { registerBulkRoutes } from './bulk-routes';
import { ApiError, notFound, refusalOf, temporalUnavailable } from './errors';
import { documentedRoutes, openApiDocument } from './openapi';
import { registerApplyRoutes } from './apply-routes';
import { registerOffboardingRoutes } from './offboarding-routes';
import { registerPlanRoutes } from './plan-routes';
import { registerProvisioningRoutes } from './provisioning-routes';
import type { ApiContext } from './context';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export interface ApiServerOptions {
  client: Client;
  taskQueue: string;
  keys: readonly ApiKey[];
  bulkStore: BulkStore;
  logger?: FastifyBaseLogger;
  /** Requests per key per window (429 + Retry-After beyond). */
  rateLimit?: { max: number; windowMs: number };
  /** Largest JSON body (a provisioning input is at most 64 KiB). */
  bodyLimitBytes?: number;
  /** Largest bulk upload. */
  bulkBodyLimitBytes?: number;
  queryTimeoutMs?: number;
  sseIntervalMs?: number;
}

export const DEFAULT_BODY_LIMIT = 128 * 1024;
export const DEFAULT_BULK_BODY_LIMIT = 16 * 1024 * 1024;

export async function buildApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    return503OnClosing: true,
  });
  let workersSeenAt = 0;
  const ctx: ApiContext = {
    client: opts.client,
    taskQueue: opts.taskQueue,
    bulkStore: opts.bulkStore,
    queryTimeoutMs: opts.queryTimeoutMs ?? 5_000,
    sseIntervalMs: opts.sseIntervalMs ?? 1_000,
    requireWorkspace(request, workspaceId) {
      if (!request.caller?.workspaces.has(workspaceId.toLowerCase())) throw notFound('such workspace');
    },
    async requireWorkers() {
      // A worker seen in the last few seconds is enough; asking the server on every request would double the calls.
      if (Date.now() - workersSeenAt < 5_000) return;
      const pollers = await opts.client.withDeadline(Date.now() + 3_000, () =>
        workflowTaskPollers(opts.client, opts.taskQueue),
      );
      if (!pollers.live)
        throw new ApiError(
          503,
          'no-worker',
          'no worker is serving provisionings right now; nothing was started',
          undefined,
          10,
        );
      workersSeenAt = Date.now();
    },
  };

  // JSON only (fastify also parses text/plain by default): anything else is 415.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' && request.url === '/openapi.json') return;
    const caller = authenticate(opts.keys, request.headers.authorization);
    if (!caller) throw new ApiError(401, 'unauthorized', 'an API key is required: Authorization: Bearer <key>');
    request.caller = caller;
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.rateLimit?.max ?? 600,
    timeWindow: opts.rateLimit?.windowMs ?? 60_000,
    // The key's name, never the key: the limiter's store is another place a key must not end up.
    keyGenerator: (request) => request.caller?.keyName ?? request.ip,
    allowList: (request) => request.url === '/openapi.json',
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'rate-limited',
        `at most ${context.max} requests per ${context.after} for this API key`,
        undefined,
        Math.ceil(context.ttl / 1000),
      ),
  });

  app.get('/openapi.json', async () => openApiDocument());
  registerProvisioningRoutes(app, ctx);
  registerBulkRoutes(app, ctx, { bodyLimit: opts.bulkBodyLimitBytes ?? DEFAULT_BULK_BODY_LIMIT });
  registerOffboardingRoutes(app, ctx);
  registerBulkOffboardRoutes(app, ctx, { bodyLimit: opts.bulkBodyLimitBytes ?? DEFAULT_BULK_BODY_LIMIT });
  registerPlanRoutes(app, ctx, { bodyLimit: opts.bulkBodyLimitBytes ?? DEFAULT_BULK_BODY_LIMIT });
  registerApplyRoutes(app, ctx, { bodyLimit: opts.bulkBodyLimitBytes ?? DEFAULT_BULK_BODY_LIMIT });

  const routes = documentedRoutes();
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const route = routes.find((r) => r.pattern.test(path));
    if (route && !route.methods.includes(request.method)) {
      return reply
        .code(405)
        .header('allow', route.methods.join(', '))
        .send(
          errorBody(
            new ApiError(
              405,
              'method-not-allowed',
              `${request.method} is not allowed here (allowed: ${route.methods.join(', ')})`,
            ),
          ),
        );
    }
    return reply.code(404).send(errorBody(new ApiError(404, 'no-such-route', `no route ${request.method} ${path}`)));
  });

  app.setErrorHandler(async (err: FastifyError | ApiError | Error, request, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500 && apiError.status !== 503) request.log.error({ err }, 'request failed');
    if (apiError.retryAfterS !== undefined) void reply.header('retry-after', String(apiError.retryAfterS));
    if (apiError.status === 401) void reply.header('www-authenticate', 'Bearer');
    return reply.code(apiError.status).send(errorBody(apiError));
  });
  return app;
}

function toApiError(err: FastifyError | ApiError | Error): ApiError {
  if (err instanceof ApiError) return err;
  const refusal = refusalOf(err);
  if (refusal) return refusal;
  if (temporalUnavailable(err))
    return new ApiError(
      503,
      'temporal-unavailable',
      'Temporal cannot be reached right now; nothing was done',
      undefined,
      5,
    );
  const status = (err as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code = (err as FastifyError).code ?? 'bad-request';
    const message =
      status === 413
        ? 'the body is too large'
        : status === 415
          ? 'the body must be application/json'
          : status === 400
            ? `the body is not valid JSON: ${err.message}`
            : err.message;
    return new ApiError(
      status,
      code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body-too-large' : code,
      message,
      status === 400 ? [{ field: '(body)', reason: err.message }] : undefined,
    );
  }
  return new ApiError(500, 'internal', 'internal error');
}

function errorBody(err: ApiError) {
  return {
    error: {
      status: err.status,
      code: err.code,
      message: err.message,
      ...(err.problems?.length ? { problems: err.problems } : {}),
    },
  };
}
