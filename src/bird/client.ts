/**
 * Typed client for the Bird endpoints in contracts/bird-provisioning.openapi.json. No Temporal imports:
 * activities wrap it, the CLI and tests use it directly.
 */
import type { Span } from '@opentelemetry/api';
import type { z } from 'zod';
import { describeIssues } from '../base/zod-issues';
import type { Secret } from '../base/secret';
import { inCallSpan } from './call-span';
import { BirdApiError } from './errors';
import { parseRetryAfter } from './rate-limits/budget';
import type { BirdPacer, CallKind } from './rate-limits/pacer';
import {
  Connector,
  ConnectorList,
  ConnectorStatus,
  CreateConnectorRequest,
  CreateWebhookSubscriptionRequest,
  ErrorBody,
  WebhookSubscription,
} from './schemas';

export interface BirdClientOptions {
  baseUrl: string;
  accessKey: Secret;
  /** Per-request deadline; a request that outlives it is aborted and reported as a retryable timeout. */
  timeoutMs?: number;
  /** Injected in tests to observe traffic; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Told about every call once its reply (or transport failure) is known: metrics, never the request itself. */
  observe?: BirdCallObserver;
  /** Spaces the calls of each workspace evenly within this worker's share of Bird's limits (src/bird/rate-limits/pacer.ts). */
  pacer?: BirdPacer;
  /** The retry attempt of the call (the calling activity's), put on the call's span; absent outside an activity. */
  attempt?: () => number | undefined;
}

/** One finished Bird call: the HTTP status, or `timeout`/`network` when there was no reply. */
export type BirdCallObserver = (call: {
  operation: string;
  outcome: number | 'timeout' | 'network';
  durationMs: number;
}) => void;

export interface ListConnectorsOptions {
  templateRef?: string;
  /** Page size, 0..100 (Bird's default is 10). */
  limit?: number;
  reverse?: boolean;
}

type Method = 'GET' | 'POST' | 'DELETE';

export class BirdClient {
  readonly baseUrl: string;
  readonly #accessKey: Secret;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #observe: BirdCallObserver | undefined;
  readonly #pacer: BirdPacer | undefined;
  readonly #attempt: (() => number | undefined) | undefined;

  constructor(opts: BirdClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#accessKey = opts.accessKey;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#fetch = opts.fetch ?? fetch;
    this.#observe = opts.observe;
    this.#pacer = opts.pacer;
    this.#attempt = opts.attempt;
  }

  async createConnector(workspaceId: string, request: CreateConnectorRequest): Promise<Connector> {
    const body = checkRequest('createConnector', CreateConnectorRequest, request);
    return this.#call('createConnector', 'POST', `/workspaces/${seg(workspaceId)}/connectors`, Connector, [201], body);
  }

  /** One page; use listConnectors() to walk all of them. */
  async listConnectorsPage(
    workspaceId: string,
    opts: ListConnectorsOptions & { pageToken?: string } = {},
  ): Promise<ConnectorList> {
    const query = new URLSearchParams();
    if (opts.templateRef) query.set('templateRef', opts.templateRef);
    if (opts.limit !== undefined) query.set('limit', String(opts.limit));
    if (opts.pageToken) query.set('pageToken', opts.pageToken);
    if (opts.reverse !== undefined) query.set('reverse', String(opts.reverse));
    const qs = query.size ? `?${query.toString()}` : '';
    return this.#call('listConnectors', 'GET', `/workspaces/${seg(workspaceId)}/connectors${qs}`, ConnectorList, [200]);
  }

  /** Every connector of the workspace, following nextPageToken until Bird stops sending one. */
  async *listConnectors(workspaceId: string, opts: ListConnectorsOptions = {}): AsyncGenerator<Connector> {
    let pageToken: string | undefined;
    do {
      const page = await this.listConnectorsPage(workspaceId, { ...opts, pageToken });
      yield* page.results;
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
  }

  async getConnector(workspaceId: string, connectorId: string): Promise<Connector> {
    return this.#call(
      'getConnector',
      'GET',
      `/workspaces/${seg(workspaceId)}/connectors/${seg(connectorId)}`,
      Connector,
      [200],
    );
  }

  async getConnectorStatus(workspaceId: string, connectorId: string): Promise<ConnectorStatus> {
    const path = `/workspaces/${seg(workspaceId)}/connectors/${seg(connectorId)}/status`;
    return this.#call('getConnectorStatus', 'GET', path, ConnectorStatus, [200]);
  }

  /** 'not-found' when the connector is already gone: for compensation that is as good as deleted. */
  async deleteConnector(workspaceId: string, connectorId: string): Promise<'deleted' | 'not-found'> {
    const path = `/workspaces/${seg(workspaceId)}/connectors/${seg(connectorId)}`;
    try {
      await this.#call('deleteConnector', 'DELETE', path, null, [204, 200]);
      return 'deleted';
    } catch (err) {
      if (err instanceof BirdApiError && err.kind === 'http' && err.status === 404) return 'not-found';
      throw err;
    }
  }

  async createWebhookSubscription(
    organizationId: string,
    workspaceId: string,
    request: CreateWebhookSubscriptionRequest,
  ): Promise<WebhookSubscription> {
    const body = checkRequest('createLegacyWebhookSubscription', CreateWebhookSubscriptionRequest, request);
    const path = `/organizations/${seg(organizationId)}/workspaces/${seg(workspaceId)}/webhook-subscriptions`;
    return this.#call('createLegacyWebhookSubscription', 'POST', path, WebhookSubscription, [201], body);
  }

  #call<T>(
    operation: string,
    method: Method,
    path: string,
    schema: z.ZodType<T> | null,
    okStatuses: number[],
    body?: unknown,
  ): Promise<T> {
    const attempt = this.#attempt?.();
    return inCallSpan({ operation, method, attempt }, (span) =>
      this.#send(span, operation, method, path, schema, okStatuses, body),
    );
  }

  async #send<T>(
    span: Span,
    operation: string,
    method: Method,
    path: string,
    schema: z.ZodType<T> | null,
    okStatuses: number[],
    body?: unknown,
  ): Promise<T> {
    const headers: Record<string, string> = {
      Authorization: `AccessKey ${this.#accessKey.reveal()}`,
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const lane = this.#pacer ? paceLane(path, method) : undefined;
    if (lane) {
      // A turn further away than a request may take is not waited for: the activity's start-to-close timeout
      // allows one request and the wait before it, and a retry after the wait costs less than a timed-out attempt.
      const queued = performance.now();
      const { waitMs } = await this.#pacer!.acquire(lane.workspaceId, lane.kind, this.#timeoutMs);
      span.setAttribute('bird.pacer.held_ms', Math.round(performance.now() - queued));
      if (waitMs !== undefined) {
        throw new BirdApiError({
          operation,
          kind: 'timeout',
          detail: `not sent: its turn under Bird's rate limit is ${Math.round(waitMs)} ms away`,
          retryAfterMs: Math.ceil(waitMs),
        });
      }
    }
    let response: Response;
    const started = performance.now();
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const failure = transportError(operation, err, this.#timeoutMs);
      this.#observe?.({
        operation,
        outcome: failure.kind === 'timeout' ? 'timeout' : 'network',
        durationMs: performance.now() - started,
      });
      throw failure;
    }
    this.#observe?.({ operation, outcome: response.status, durationMs: performance.now() - started });
    span.setAttributes({ 'http.response.status_code': response.status, 'bird.rate_limited': response.status === 429 });
    if (lane) this.#pacer!.observe(lane.workspaceId, lane.kind, response.status);

    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw transportError(operation, err, this.#timeoutMs);
    }

    if (!okStatuses.includes(response.status)) {
      const parsed = ErrorBody.safeParse(safeJson(text));
      throw new BirdApiError({
        operation,
        kind: 'http',
        status: response.status,
        code: parsed.success ? parsed.data.code : undefined,
        birdMessage: parsed.success ? parsed.data.message : undefined,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      });
    }
    if (schema === null) return undefined as T;

    const json = safeJson(text);
    if (json === undefined) {
      throw new BirdApiError({ operation, kind: 'contract', status: response.status, detail: 'body is not JSON' });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new BirdApiError({
        operation,
        kind: 'contract',
        status: response.status,
        detail: describeIssues(parsed.error.issues).join('; '),
      });
    }
    return parsed.data;
  }
}

function checkRequest<T>(operation: string, schema: z.ZodType<T>, request: unknown): T {
  const parsed = schema.safeParse(request);
  if (!parsed.success) {
    throw new BirdApiError({
      operation,
      kind: 'invalid-request',
      detail: describeIssues(parsed.error.issues).join('; '),
    });
  }
  return parsed.data;
}

function transportError(operation: string, err: unknown, timeoutMs: number): BirdApiError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new BirdApiError({ operation, kind: 'timeout', detail: `no reply within ${timeoutMs} ms` });
  }
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new BirdApiError({ operation, kind: 'network', detail });
}

/** Bird's limits are per workspace and per kind of call: the workspace is the path's (already encoded) segment. */
function paceLane(path: string, method: Method): { workspaceId: string; kind: CallKind } | undefined {
  const workspaceId = /\/workspaces\/([^/?]+)/.exec(path)?.[1];
  return workspaceId
    ? { workspaceId: decodeURIComponent(workspaceId), kind: method === 'GET' ? 'get' : 'write' }
    : undefined;
}

function safeJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Path segments come from callers; encode them so an id can never rewrite the path. encodeURIComponent leaves
 * "." and ".." alone and URL parsing would resolve them, so those (and empty ids) are refused outright.
 */
function seg(value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new BirdApiError({ operation: 'request', kind: 'invalid-request', detail: `"${value}" is not a valid id` });
  }
  return encodeURIComponent(value);
}
