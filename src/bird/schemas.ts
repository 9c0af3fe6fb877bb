/**
 * zod schemas for the Bird endpoints we call, mirroring contracts/bird-provisioning.openapi.json.
 *
 * The OpenAPI contract is the source of truth; test/contract.test.ts validates every request our client
 * sends and every response our simulator returns against it with a real OpenAPI validator, so these
 * schemas cannot drift from it silently.
 *
 * Requests are strict (the contract says additionalProperties: false and Bird answers 422 to unknown fields).
 * Responses are loose objects: the client checks every field it relies on but tolerates fields Bird adds later,
 * so a new response field in production does not take the orchestrator down.
 *
 * Ids use z.guid() rather than z.uuid(): Bird's own documented example ids (e.g. 2cffb55c-120e-91a8-…)
 * are not RFC 4122 version-tagged, and the contract's `format: uuid` only means 8-4-4-4-12 hex.
 */
import { z } from 'zod';

// A missing id keeps zod's own issue (described as "required"); a malformed one says what an id looks like.
export const BirdId = z.guid({
  error: (issue) => (issue.input === undefined ? undefined : 'must be a UUID (8-4-4-4-12 hex digits)'),
});

export const ErrorBody = z.looseObject({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---- Connectors --------------------------------------------------------------------------------

// The templates Bird lists, with their arguments, are described once in src/domain/connector-templates.ts.
export const SMS_CHANNEL_MESSAGE_TYPES = [
  'promotional',
  'transactional',
  'conversational',
  'emergency',
  '2fa',
] as const;

export const SecurityArgumentsMap = z.record(z.string(), z.record(z.string(), z.string()));

export const CreateConnectorRequest = z.strictObject({
  name: z.string().min(1),
  connectorTemplateRef: z.string().min(1).optional(),
  arguments: z.record(z.string(), z.unknown()).nullable().optional(),
  securityArguments: SecurityArgumentsMap.nullable().optional(),
  channelConversationalStatusEnabled: z.boolean().nullable().optional(),
  invitationToken: z.string().nullable().optional(),
});
export type CreateConnectorRequest = z.infer<typeof CreateConnectorRequest>;

export const ChannelConfig = z.looseObject({ channelId: BirdId, platform: z.string() });

export const NumberConfig = z.looseObject({
  profileId: BirdId,
  numberId: BirdId,
  phoneNumber: z.string().optional(),
  capabilities: z.string().optional(),
  numberType: z.string().optional(),
  endpointType: z.string().optional(),
  country: z.string().optional(),
});

export const Connector = z.looseObject({
  id: BirdId,
  workspaceId: BirdId.optional(),
  name: z.string(),
  region: z.string().optional(),
  description: z.string().optional(),
  arguments: z.record(z.string(), z.unknown()).nullable().optional(),
  channel: ChannelConfig.nullable().optional(),
  number: NumberConfig.nullable().optional(),
  connectorTemplateSlug: z.string().optional(),
  connectorTemplateRef: z.string().optional(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
});
export type Connector = z.infer<typeof Connector>;

export const ConnectorList = z.looseObject({
  results: z.array(Connector),
  nextPageToken: z.string().optional(),
});
export type ConnectorList = z.infer<typeof ConnectorList>;

export const ComponentStatus = z.enum(['ok', 'pending', 'error', 'unknown']);
export type ComponentStatus = z.infer<typeof ComponentStatus>;
export const ComponentStage = z.enum(['active', 'inactive', 'provisioning', 'deprovisioning', 'deprovisioned']);
export type ComponentStage = z.infer<typeof ComponentStage>;

const ComponentState = {
  status: ComponentStatus.nullable().optional(),
  stage: ComponentStage.nullable().optional(),
  errorMessage: z.string().nullable().optional(),
};

export const ConnectorStatus = z.looseObject({
  channel: z
    .looseObject({
      channelId: BirdId.nullable().optional(),
      platformName: z.string().nullable().optional(),
      ...ComponentState,
    })
    .nullable()
    .optional(),
  number: z
    .looseObject({
      numberId: BirdId.nullable().optional(),
      profileId: BirdId.nullable().optional(),
      phoneNumber: z.string().nullable().optional(),
      ...ComponentState,
    })
    .nullable()
    .optional(),
});
export type ConnectorStatus = z.infer<typeof ConnectorStatus>;

// ---- Webhook subscriptions ---------------------------------------------------------------------

export const WebhookService = z.enum(['channels', 'numbers', 'payments', 'conversations', 'templates']);
export type WebhookService = z.infer<typeof WebhookService>;

export const WebhookFilterKey = z.enum([
  'channelId',
  'platformId',
  'channelStatus',
  'interactionType',
  'messageStatus',
  'status',
  'eventDestination',
  'navigatorId',
]);

/** Bird only delivers to public https URLs; this is the contract's own pattern. */
export const WEBHOOK_URL_PATTERN = /^https:\/\/([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}(\/[^\s]*)?$/;
export const WebhookUrl = z
  .string()
  .regex(WEBHOOK_URL_PATTERN, 'must be a public https URL (Bird rejects anything else)');

export const WebhookEventFilter = z.strictObject({ key: WebhookFilterKey, value: z.string() });
export type WebhookEventFilter = z.infer<typeof WebhookEventFilter>;

/** Filter keys the contract allows per service (the discriminated oneOf of CreateWebhookSubscription). */
export const FILTER_KEYS_BY_SERVICE: Record<WebhookService, readonly string[] | 'any'> = {
  channels: ['channelId', 'messageStatus', 'interactionType', 'channelStatus', 'platformId', 'status'],
  numbers: 'any',
  payments: 'any',
  conversations: ['channelId'],
  templates: ['platformId'],
};

export const CreateWebhookSubscriptionRequest = z
  .strictObject({
    service: WebhookService,
    event: z.string().min(1),
    eventFilters: z.array(WebhookEventFilter).nullable().optional(),
    template: z.string().optional(),
    url: WebhookUrl,
    signingKey: z.string().optional(),
  })
  .superRefine((req, ctx) => {
    const allowed = FILTER_KEYS_BY_SERVICE[req.service];
    (req.eventFilters ?? []).forEach((filter, i) => {
      if (allowed !== 'any' && !allowed.includes(filter.key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['eventFilters', i, 'key'],
          message: `filter key "${filter.key}" is not allowed for service "${req.service}" (allowed: ${allowed.join(', ')})`,
        });
      }
      if (filter.key === 'channelId' && !BirdId.safeParse(filter.value).success) {
        ctx.addIssue({
          code: 'custom',
          path: ['eventFilters', i, 'value'],
          message: 'channelId filter value must be a UUID',
        });
      }
    });
  });
export type CreateWebhookSubscriptionRequest = z.infer<typeof CreateWebhookSubscriptionRequest>;

export const WebhookSubscription = z.looseObject({
  id: BirdId,
  organizationId: BirdId,
  workspaceId: BirdId,
  service: WebhookService,
  event: z.string(),
  eventFilters: z.array(z.looseObject({ key: z.string(), value: z.string() })).optional(),
  template: z.string().optional(),
  url: z.string(),
  signingKey: z.string().optional(),
  status: z.enum(['active', 'inactive']),
  statusReason: z.string().optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;
