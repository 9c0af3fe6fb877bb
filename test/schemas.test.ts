/**
 * The contract is the source of truth; these checks make the hand-written zod schemas fail CI the day they drift
 * from it (a field, a required flag, an enum value or the URL pattern).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  ComponentStage,
  ComponentStatus,
  Connector,
  CreateConnectorRequest,
  CreateWebhookSubscriptionRequest,
  FILTER_KEYS_BY_SERVICE,
  WEBHOOK_URL_PATTERN,
  WebhookFilterKey,
  WebhookService,
  WebhookSubscription,
} from '../src/bird/schemas';

type Schema = {
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: string[];
  pattern?: string;
  allOf?: Schema[];
  items?: Schema;
  oneOf?: Schema[];
};
const contract = JSON.parse(
  readFileSync(resolve(__dirname, '../contracts/bird-provisioning.openapi.json'), 'utf8'),
) as { components: { schemas: Record<string, Schema> } };
const schemas = contract.components.schemas;
const schema = (name: string): Schema => {
  const s = schemas[name];
  assert.ok(s, `contract has ${name}`);
  return s;
};

function shapeOf(zodObject: z.ZodType): { keys: string[]; required: string[] } {
  const json = z.toJSONSchema(zodObject, { io: 'input', unrepresentable: 'any' }) as Schema;
  const root = json.allOf?.[0] ?? json;
  return { keys: Object.keys(root.properties ?? {}).sort(), required: [...(root.required ?? [])].sort() };
}

describe('zod schemas agree with the contract', () => {
  it('CreateConnectorReq: same fields, same required', () => {
    const c = schema('CreateConnectorReq');
    const z1 = shapeOf(CreateConnectorRequest);
    assert.deepEqual(z1.keys, Object.keys(c.properties!).sort());
    assert.deepEqual(z1.required, [...c.required!].sort());
  });

  it('CreateWebhookSubscription: same fields, same required, same URL pattern', () => {
    const c = schema('CreateWebhookSubscription').allOf![0]!;
    const z1 = shapeOf(CreateWebhookSubscriptionRequest);
    assert.deepEqual(z1.keys, Object.keys(c.properties!).sort());
    assert.deepEqual(z1.required, [...c.required!].sort());
    assert.equal(WEBHOOK_URL_PATTERN.source.replace(/\\\//g, '/'), schema('Url').pattern);
  });

  it('responses: every field the contract requires is required by the client too', () => {
    for (const [name, zodSchema] of [
      ['Connector', Connector],
      ['WebhookSubscription', WebhookSubscription],
    ] as const) {
      const required = new Set(shapeOf(zodSchema).required);
      for (const field of schema(name).required ?? []) assert.ok(required.has(field), `${name}.${field}`);
      const known = new Set(Object.keys(schema(name).properties!));
      for (const key of shapeOf(zodSchema).keys) assert.ok(known.has(key), `${name}.${key} is a contract field`);
    }
  });

  it('enums: services, filter keys, channel status and stage', () => {
    assert.deepEqual([...WebhookService.options], schema('WebhookService').enum);
    assert.deepEqual([...WebhookFilterKey.options], schema('WebhookEventFilter').properties!.key!.enum);
    const channel = schema('ConnectorStatus').properties!.channel!.properties!;
    assert.deepEqual([...ComponentStatus.options], channel.status!.enum);
    assert.deepEqual([...ComponentStage.options], channel.stage!.enum);
  });

  it('filter keys allowed per service match the discriminated oneOf', () => {
    const mapping: Record<string, string> = {
      channels: 'EventFiltersChannels',
      conversations: 'EventFiltersConversations',
      templates: 'EventFiltersTemplates',
      numbers: 'EventFiltersNumbers',
      payments: 'EventFiltersPayments',
    };
    for (const [service, name] of Object.entries(mapping)) {
      const items = schema(name).properties!.eventFilters!.items!;
      const keys = items.oneOf ? items.oneOf.flatMap((o) => o.properties!.key!.enum ?? []) : 'any';
      const ours = FILTER_KEYS_BY_SERVICE[service as keyof typeof FILTER_KEYS_BY_SERVICE];
      assert.deepEqual(ours === 'any' ? ours : [...ours].sort(), keys === 'any' ? keys : [...keys].sort(), service);
    }
  });
});
