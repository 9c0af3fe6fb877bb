/**
 * The Bird OpenAPI contract as a test oracle: the document, a real OpenAPI validator built from it
 * (openapi-backend + ajv-formats), and a fetch wrapper that records every exchange a BirdClient makes so each
 * request and response can be validated against the operation it belongs to.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAPIBackend, { type Document } from 'openapi-backend';

export const CONTRACT_PATH = path.join(__dirname, '..', '..', 'contracts', 'bird-provisioning.openapi.json');

export type JsonObject = Record<string, unknown>;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export interface ContractOperation {
  operationId: string;
  method: string;
  path: string;
  /** Documented response status codes, as written in the contract ("201", "404", ...). */
  statuses: string[];
}

/** A fresh copy on every call: the validator and the tests must not share (and mutate) one object. */
export function loadContract(): JsonObject {
  return JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as JsonObject;
}

export function contractOperations(doc: JsonObject): ContractOperation[] {
  const ops: ContractOperation[] = [];
  for (const [p, item] of Object.entries(doc.paths as Record<string, JsonObject>)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as JsonObject | undefined;
      if (!op) continue;
      ops.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        path: p,
        statuses: Object.keys(op.responses as JsonObject),
      });
    }
  }
  return ops;
}

function resolvePointer(doc: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, got ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => {
      if (!node || typeof node !== 'object' || !(key in node)) throw new Error(`dangling $ref ${ref}`);
      return (node as JsonObject)[key];
    }, doc);
}

/**
 * Inlines every local $ref. Keywords written next to a $ref are kept and merged over the target, which is what
 * openapi-backend's own dereferencer (json-schema-ref-parser) does and what the contract's authors meant by
 * `{ "nullable": true, "$ref": ... }`. Each such sibling is reported, because strict OpenAPI 3.0 tooling ignores it.
 */
function inlineRefs(node: unknown, doc: JsonObject, at: string, notes: string[], stack: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n, i) => inlineRefs(n, doc, `${at}/${i}`, notes, stack));
  if (!node || typeof node !== 'object') return node;
  const obj = node as JsonObject;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    if (stack.includes(ref)) throw new Error(`circular $ref ${ref} at ${at}`);
    const { $ref: _ref, ...siblings } = obj;
    const siblingKeys = Object.keys(siblings);
    if (siblingKeys.length > 0 && stack.length === 0)
      notes.push(`keywords beside $ref at ${at}: ${siblingKeys.sort().join(', ')}`);
    const target = inlineRefs(resolvePointer(doc, ref), doc, at, notes, [...stack, ref]) as JsonObject;
    return { ...target, ...(inlineRefs(siblings, doc, at, notes, stack) as JsonObject) };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) out[key] = inlineRefs(value, doc, `${at}/${key}`, notes, stack);
  return out;
}

/**
 * OpenAPI 3.0 requires every `{name}` in a path to be declared as a required path parameter. Undeclared ones are
 * added as plain strings (the contract says nothing more about them) and reported.
 */
function declarePathParameters(doc: JsonObject, notes: string[]): void {
  for (const [p, item] of Object.entries(doc.paths as Record<string, JsonObject>)) {
    const names = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const shared = (item.parameters as JsonObject[] | undefined) ?? [];
    for (const method of HTTP_METHODS) {
      const op = item[method] as JsonObject | undefined;
      if (!op) continue;
      const own = (op.parameters as JsonObject[] | undefined) ?? [];
      const declared = new Set([...shared, ...own].filter((prm) => prm.in === 'path').map((prm) => prm.name as string));
      const missing = names.filter((n) => !declared.has(n));
      if (missing.length === 0) continue;
      notes.push(`${op.operationId as string}: path parameters not declared: ${missing.join(', ')}`);
      op.parameters = [
        ...own,
        ...missing.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ];
    }
  }
}

/**
 * `explode` only changes how arrays and objects are serialised; on a primitive it is a no-op. openapi-backend
 * nevertheless splits every `explode: false` query value on commas into an array, so a string parameter would
 * then fail its own `type: string`. Dropped from primitive parameters (and reported).
 */
function dropPrimitiveExplode(doc: JsonObject, notes: string[]): void {
  for (const item of Object.values(doc.paths as Record<string, JsonObject>)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as JsonObject | undefined;
      for (const prm of (op?.parameters as JsonObject[] | undefined) ?? []) {
        const type = (prm.schema as JsonObject | undefined)?.type;
        if (prm.explode === undefined || type === 'array' || type === 'object') continue;
        notes.push(
          `${op!.operationId as string}: explode on ${String(type)} parameter ${prm.name as string} (no meaning; openapi-backend splits it)`,
        );
        delete prm.explode;
      }
    }
  }
}

export interface NormalisedContract {
  /** The contract with $refs inlined, path parameters declared, primitive `explode` dropped: what the validator uses. */
  definition: JsonObject;
  /** Every change normalisation had to make, one line each. Empty for a contract strict tools accept as-is. */
  notes: string[];
}

export function normaliseContract(raw: JsonObject): NormalisedContract {
  const notes: string[] = [];
  const copy = structuredClone(raw);
  const definition = inlineRefs(copy, copy, '#', notes) as JsonObject;
  declarePathParameters(definition, notes);
  dropPrimitiveExplode(definition, notes);
  return { definition, notes };
}

/** openapi-backend registers only the OpenAPI numeric/binary formats; without ajv-formats uuid/date-time pass unchecked. */
export async function buildValidator(definition: JsonObject): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: definition as unknown as Document,
    // strict: with strict:false a definition that openapi-backend's own OpenAPI check rejects only logs a warning
    // and leaves the router without any operation, so every later validation would throw "Unknown operation".
    strict: true,
    quick: false,
    validate: true,
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
  });
  await api.init();
  return api;
}

/** A standalone ajv (draft-07, OpenAPI `nullable` understood by ajv 8) for one component schema. */
export function compileComponent(definition: JsonObject, name: string): ValidateFunction {
  const schemas = (definition.components as JsonObject).schemas as JsonObject;
  const schema = schemas[name];
  if (!schema) throw new Error(`no component schema ${name}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema as JsonObject);
}

export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`)
    .join('; ');
}

// ---- recording fetch ---------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  rawBody?: string;
  /** Parsed JSON body; the raw string when it is not JSON. */
  body?: unknown;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON body; undefined for an empty body; the raw text when it is not JSON. */
  body?: unknown;
}

export interface Exchange {
  request: RecordedRequest;
  response?: RecordedResponse;
  /** Set when fetch itself failed (no response). */
  error?: unknown;
}

function parseMaybeJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function headersObject(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}

/** A fetch that records each exchange into `log` and otherwise behaves exactly like `inner`. */
export function recordingFetch(log: Exchange[], inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = headersObject(new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)));
    const rawBody = typeof init?.body === 'string' ? init.body : init?.body == null ? undefined : '[non-string body]';
    const exchange: Exchange = {
      request: {
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        ...(rawBody !== undefined ? { rawBody, body: parseMaybeJson(rawBody) } : {}),
      },
    };
    log.push(exchange);
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (err) {
      exchange.error = err;
      throw err;
    }
    // Read a clone, so the caller still gets an unread body.
    const text = await response.clone().text();
    exchange.response = {
      status: response.status,
      headers: headersObject(response.headers),
      text,
      body: parseMaybeJson(text),
    };
    return response;
  };
}
