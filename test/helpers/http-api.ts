/**
 * The HTTP API on a test stack: the real server on a random port, keys for the stack's workspace and for another
 * one, and a `call` that makes a real HTTP request and checks request and response against the served OpenAPI
 * document with openapi-backend (the validator the Bird contract tests use).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { type Document } from 'openapi-backend';
import { buildApiServer, type ApiServerOptions } from '../../src/api/server';
import { Secret } from '../../src/base/secret';
import { describeErrors, type JsonObject } from './contract';
import type { Stack } from './stack';

export interface ApiHarness {
  app: FastifyInstance;
  url: string;
  keyA: string;
  keyB: string;
  otherWorkspaceId: string;
  validator: OpenAPIBackend;
  call(method: string, path: string, opts?: CallOptions): Promise<ApiResponse>;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** Skip the contract check (for requests that are meant to break it). */
  unchecked?: boolean;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let validatorOnce: Promise<OpenAPIBackend> | undefined;

export async function startApi(stack: Stack, overrides: Partial<ApiServerOptions> = {}): Promise<ApiHarness> {
  const keyA = randomBytes(24).toString('base64url');
  const keyB = randomBytes(24).toString('base64url');
  const otherWorkspaceId = randomUUID();
  const app = await buildApiServer({
    client: stack.client,
    taskQueue: stack.taskQueue,
    bulkStore: stack.bulkStore,
    keys: [
      { name: 'crm', secret: new Secret(keyA), workspaces: new Set([stack.workspaceId]) },
      { name: 'other', secret: new Secret(keyB), workspaces: new Set([otherWorkspaceId]) },
    ],
    sseIntervalMs: 200,
    ...overrides,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as JsonObject;
  validatorOnce ??= buildValidator31(document);
  const validator = await validatorOnce;
  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> => {
    const key = opts.key === undefined ? keyA : opts.key;
    const headers: Record<string, string> = {};
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!opts.unchecked) checkExchange(validator, { method, path, headers, body: opts.body }, response, json);
    return { status: response.status, headers: response.headers, text, json };
  };
  return { app, url, keyA, keyB, otherWorkspaceId, validator, call };
}

function checkExchange(
  api: OpenAPIBackend,
  req: { method: string; path: string; headers: Record<string, string>; body?: unknown },
  res: Response,
  json: unknown,
): void {
  const request = { method: req.method, path: req.path, headers: req.headers, query: {}, body: req.body };
  const operation = api.matchOperation(request);
  if (!operation) return; // an undocumented route: its 404/405 body is still checked by the test itself
  if (res.status < 400) {
    const valid = api.validateRequest(request, operation);
    assert.ok(valid.valid, `${req.method} ${req.path} request breaks the contract: ${JSON.stringify(valid.errors)}`);
  }
  const documented = Object.keys((operation.responses ?? {}) as JsonObject);
  assert.ok(
    documented.includes(String(res.status)),
    `${operation.operationId} answered ${res.status}, not documented (${documented.join(', ')})`,
  );
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) {
    const valid = api.validateResponse(json, operation, res.status);
    assert.ok(
      !valid.errors?.length,
      `${operation.operationId} ${res.status} response breaks the contract: ${describeErrors(valid.errors as never)} ${JSON.stringify(json).slice(0, 500)}`,
    );
  }
}

/**
 * openapi-backend checks a definition against the OpenAPI 3.0 schema only; the document is checked as 3.1 by
 * @seriousme/openapi-schema-validator (its own test), and openapi-backend validates with a JSON Schema 2020-12 ajv
 * (what OpenAPI 3.1 schemas are).
 */
async function buildValidator31(definition: JsonObject): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: definition as unknown as Document,
    strict: true,
    quick: false,
    validate: true,
    customizeAjv: () => {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      return ajv as never;
    },
  });
  // Its 3.0-only definition check is replaced by the 3.1 one of the document's own test; everything else is as is.
  api.validateDefinition = () => api.document;
  await api.init();
  assert.ok(api.getOperations().length >= 7, 'the router knows every operation');
  return api;
}
