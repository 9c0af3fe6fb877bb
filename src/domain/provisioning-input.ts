/**
 * The input of a channel provisioning, shared by every client (typed API, CLI, bulk) and validated again inside
 * the workflow, so a run started by any other means still fails before it touches Bird.
 */
import { z } from 'zod';
import {
  BirdId,
  CreateConnectorRequest,
  KNOWN_TEMPLATE_REFS,
  SMS_CHANNEL_MESSAGE_TYPES,
  WebhookEventFilter,
  WebhookUrl,
} from '../bird/schemas';
import { duration } from './duration';

/** The name of a secret the worker resolves (BIRD_SECRET_<REF>); never the secret itself. */
export const SecretRef = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'must be a secret reference name like WEBHOOK_SIGNING_KEY (upper case, digits, _)');

export const ReadinessOptions = z
  .strictObject({
    mode: z.enum(['poll', 'webhook', 'both']).default('both'),
    initialPollInterval: duration(100, 3_600_000).default(2_000),
    backoffCoefficient: z.number().min(1).max(10).default(2),
    maxPollInterval: duration(100, 3_600_000).default(60_000),
    deadline: duration(1_000, 7 * 24 * 3_600_000).default(30 * 60_000),
  })
  .refine((r) => r.maxPollInterval >= r.initialPollInterval, {
    path: ['maxPollInterval'],
    message: 'must not be smaller than initialPollInterval',
  });
export type ReadinessOptions = z.infer<typeof ReadinessOptions>;

/**
 * A subscription to register for the new channel once it is ready. Only services whose events can be filtered by
 * channel are accepted: the workflow adds the channelId filter itself, so a per-channel subscription can never
 * silently turn into a workspace-wide one.
 */
export const ChannelSubscriptionSpec = z.strictObject({
  service: z.enum(['channels', 'conversations']),
  event: z.string().min(1),
  url: WebhookUrl,
  eventFilters: z
    .array(WebhookEventFilter)
    .max(10)
    .refine((filters) => filters.every((f) => f.key !== 'channelId'), 'channelId is added by the workflow; leave it out')
    .default([]),
  signingKeyRef: SecretRef.optional(),
});
export type ChannelSubscriptionSpec = z.infer<typeof ChannelSubscriptionSpec>;

const SmsArguments = z.looseObject({
  phoneNumberId: BirdId,
  channelMessageType: z.enum(SMS_CHANNEL_MESSAGE_TYPES),
  useCaseId: z.string().min(1).optional(),
});

export const ConnectorSpec = CreateConnectorRequest.omit({ securityArguments: true })
  .extend({
    connectorTemplateRef: z.enum(KNOWN_TEMPLATE_REFS as [string, ...string[]]),
    // Names stay short enough for Bird once the workflow appends its idempotency tag.
    name: z.string().min(1).max(200),
    securityArgumentsRef: SecretRef.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.connectorTemplateRef !== 'sms-messagebird:1') return;
    const parsed = SmsArguments.safeParse(c.arguments ?? undefined);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, code: 'custom', path: ['arguments', ...issue.path], message: issue.message } as never);
      }
    }
  });
export type ConnectorSpec = z.infer<typeof ConnectorSpec>;

export const ProvisionChannelInput = z
  .strictObject({
    workspaceId: BirdId,
    organizationId: BirdId,
    connector: ConnectorSpec,
    readiness: ReadinessOptions.default(ReadinessOptions.parse({})),
    subscriptions: z.array(ChannelSubscriptionSpec).max(20).default([]),
  });
/** What callers write (durations may be strings, defaults may be left out). */
export type ProvisionChannelInputRaw = z.input<typeof ProvisionChannelInput>;
/** What the workflow works with. */
export type ProvisionChannelInput = z.output<typeof ProvisionChannelInput>;

export class InvalidProvisioningInput extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid provisioning input:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidProvisioningInput';
  }
}

export function parseProvisioningInput(raw: unknown): ProvisionChannelInput {
  const problems: string[] = [];
  let candidate = raw;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    // Report secrets passed by value with a pointer to the by-reference field, then check the rest as if they were
    // absent, so every other bad field is named in the same error.
    const copy = { ...(raw as Record<string, unknown>) };
    const connector = copy.connector;
    if (connector && typeof connector === 'object' && 'securityArguments' in connector) {
      problems.push('connector.securityArguments: secrets are never passed by value; put them in the worker secret store and use connector.securityArgumentsRef');
      const { securityArguments: _dropped, ...rest } = connector as Record<string, unknown>;
      copy.connector = rest;
    }
    if (Array.isArray(copy.subscriptions)) {
      copy.subscriptions = (copy.subscriptions as unknown[]).map((s, i) => {
        if (!s || typeof s !== 'object' || !('signingKey' in s)) return s;
        problems.push(`subscriptions.${i}.signingKey: secrets are never passed by value; use signingKeyRef`);
        const { signingKey: _dropped, ...rest } = s as Record<string, unknown>;
        return rest;
      });
    }
    candidate = copy;
  }
  const parsed = ProvisionChannelInput.safeParse(candidate);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`));
  }
  if (problems.length || !parsed.success) throw new InvalidProvisioningInput(problems);
  return parsed.data;
}

/** The phone number id of an SMS connector, or undefined for other templates. */
export function phoneNumberIdOf(input: Pick<ProvisionChannelInput, 'connector'>): string | undefined {
  const id = input.connector.arguments?.['phoneNumberId'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * One provisioning per workspace and number (or connector name): starting the same one twice attaches to the
 * running workflow instead of creating a second connector.
 */
export function provisioningWorkflowId(input: Pick<ProvisionChannelInput, 'workspaceId' | 'connector'>): string {
  const number = phoneNumberIdOf(input);
  if (number) return `provision/${input.workspaceId}/${number}`;
  return `provision/${input.workspaceId}/${input.connector.connectorTemplateRef}/${encodeURIComponent(input.connector.name)}`;
}

/**
 * The workspace-wide subscription the webhook receiver needs (channel.updated / channel.created for every channel).
 * Bird's API has no list of subscriptions, so "ensure it exists" is made idempotent by Temporal itself: one
 * long-lived workflow per (workspace, event, url), started with USE_EXISTING.
 */
export const WorkspaceSubscriptionInput = z.strictObject({
  organizationId: BirdId,
  workspaceId: BirdId,
  service: z.literal('channels').default('channels'),
  event: z.enum(['channel.created', 'channel.updated']),
  url: WebhookUrl,
  signingKeyRef: SecretRef.optional(),
});
export type WorkspaceSubscriptionInputRaw = z.input<typeof WorkspaceSubscriptionInput>;

export function workspaceSubscriptionWorkflowId(input: Pick<WorkspaceSubscriptionInputRaw, 'workspaceId' | 'event' | 'url'>): string {
  return `webhook-subscription/${input.workspaceId}/${input.event}/${input.url}`;
}
