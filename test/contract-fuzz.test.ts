/**
 * The contract says no more than the API accepts. Provisioning inputs generated from the served OpenAPI document's
 * request schema, and field-by-field mutations of them, go to the real HTTP API over real HTTP: every one the API
 * refuses must be invalid by that schema and by contracts/provisioning-input.schema.json, unless it is refused only
 * for a rule the schema says it cannot express. The API runs against the real dev server with no worker on its task
 * queue: an input that passes validation is answered 503 (nothing started), so nothing is made.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { buildApiServer } from '../src/api/server';
import { BulkStore } from '../src/bulk/store';
import { Secret } from '../src/base/secret';
import { mutated, SchemaArbitraries } from './helpers/schema-arbitrary';
import { temporal } from './helpers/temporal';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

type Json = Record<string, unknown>;
interface Problem {
  field?: string;
  reason: string;
}

/** The rules the contract says it cannot express (ProvisioningInput's description), as the API words a refusal. */
const BEYOND_JSON_SCHEMA: Array<{ says: RegExp; refuses: (p: Problem, body: unknown) => boolean }> = [
  {
    says: /the bounds of a duration written as a string/,
    refuses: (p, body) =>
      /^readiness\.\w+$/.test(p.field ?? '') &&
      p.reason.startsWith('must be between') &&
      typeof valueAt(body, p.field!) === 'string',
  },
  {
    says: /readiness\.maxPollInterval not smaller than readiness\.initialPollInterval/,
    refuses: (p) =>
      p.field === 'readiness.maxPollInterval' && p.reason === 'must not be smaller than initialPollInterval',
  },
  { says: /at most 65536 bytes as JSON/, refuses: (p) => p.reason.includes('(the whole input is') },
  {
    says: /a workflow id of at most 1000 characters/,
    refuses: (p) => p.reason.startsWith('too long for a workflow id'),
  },
];

function valueAt(body: unknown, field: string): unknown {
  return field.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], body);
}

describe('the contract says no more than the API accepts (property-based, real HTTP)', function () {
  this.timeout(120_000);
  const workspaceId = randomUUID();
  const key = randomBytes(24).toString('base64url');
  let app: FastifyInstance;
  let url: string;
  let doc: Json;

  before(async () => {
    const { env } = await temporal();
    app = await buildApiServer({
      client: env.client,
      taskQueue: `no-worker-${randomUUID()}`,
      bulkStore: new BulkStore(mkdtempSync(join(tmpdir(), 'contract-fuzz-'))),
      keys: [{ name: 'fuzz', secret: new Secret(key), workspaces: new Set([workspaceId]) }],
      rateLimit: { max: 1_000_000, windowMs: 60_000 },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    doc = (await (await fetch(`${url}/openapi.json`)).json()) as Json;
  });
  after(async () => app?.close());

  const schemas = () => (doc.components as { schemas: Record<string, Json> }).schemas;

  it('names, in the input schema, each rule it cannot express', () => {
    const description = String(schemas().ProvisioningInput!.description);
    for (const rule of BEYOND_JSON_SCHEMA) assert.match(description, rule.says);
  });

  it('an input valid by the schema is accepted; one the API refuses is invalid by it', async () => {
    const request = (
      (doc.paths as Json)['/v1/provisionings'] as {
        post: { requestBody: { content: { 'application/json': { schema: Json } } } };
      }
    ).post.requestBody.content['application/json'].schema;
    const api = new SchemaArbitraries(doc);
    const contractFile = JSON.parse(
      readFileSync(join(__dirname, '..', 'contracts', 'provisioning-input.schema.json'), 'utf8'),
    ) as Json;
    const file = new SchemaArbitraries(contractFile);
    // The key's own workspace (another one is answered 404 before the input is read), in either case.
    const valid = fc
      .tuple(api.arbitrary(request), fc.boolean())
      .map(([body, upper]) => ({ ...(body as Json), workspaceId: upper ? workspaceId.toUpperCase() : workspaceId }));
    const counts = { validAccepted: 0, validBeyond: 0, invalidRefused: 0, invalidAccepted: 0 };
    const property = fc.asyncProperty(fc.oneof({ arbitrary: valid, weight: 2 }, mutated(valid)), async (body) => {
      const response = await fetch(`${url}/v1/provisionings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { error: { code: string; problems?: Problem[] } };
      const accepted = response.status === 503 && answer.error.code === 'no-worker';
      assert.ok(accepted || [400, 404, 413, 422].includes(response.status), JSON.stringify(answer));
      const byRequest = api.valid(request, body);
      const byFile = file.valid(contractFile, body) && isUuid(valueAt(body, 'connector.arguments.phoneNumberId'));
      if (accepted) {
        if (byRequest) counts.validAccepted++;
        else counts.invalidAccepted++;
        return;
      }
      if (!byRequest && !byFile) return void counts.invalidRefused++;
      const problems = answer.error.problems ?? [];
      const beyond =
        response.status === 422 &&
        problems.length > 0 &&
        problems.every((p) => BEYOND_JSON_SCHEMA.some((rule) => rule.refuses(p, body)));
      assert.ok(
        beyond,
        `valid by ${byRequest ? 'the OpenAPI request schema' : 'contracts/provisioning-input.schema.json'}, refused ${response.status}: ${JSON.stringify(answer.error)}`,
      );
      counts.validBeyond++;
    });
    const started = Date.now();
    await fc.assert(property, { numRuns: RUNS, seed, endOnFailure: false });
    if (process.env.FUZZ_VERBOSE) console.log(counts, `${Date.now() - started} ms`);
    // Both sides were reached: the generated inputs are mostly valid, the mutations mostly not.
    assert.ok(counts.validAccepted >= RUNS / 6, JSON.stringify(counts));
    assert.ok(counts.invalidRefused >= RUNS / 5, JSON.stringify(counts));
  });
});

function isUuid(value: unknown): boolean {
  return typeof value === 'string' && /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(value);
}
