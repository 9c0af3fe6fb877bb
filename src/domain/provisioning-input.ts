/**
 * The input of a channel provisioning, shared by every client (typed API, CLI, bulk) and validated again inside
 * the workflow, so a run started by any other means still fails before it touches Bird.
 */
import { z } from 'zod';
import { BirdId, CreateConnectorRequest, WebhookEventFilter, WebhookUrl } from '../bird/schemas';
import { CONNECTOR_TEMPLATES, TEMPLATE_REFS, type ConnectorTemplate } from './connector-templates';
import { duration } from './duration';
import { provisioningWorkflowId } from './provisioning-identity';
import { InvalidFields, issueProblems, issueReason } from '../base/zod-issues';
import type { FieldProblem } from '../base/problems';
import { findNonJsonValue } from './json-value';

/**
 * Bird ids are UUIDs, and UUIDs are case-insensitive: one number written in two cases is one number. Every id
 * that names a provisioning (workflow id, search attributes, ownership checks) is lower-cased here, once.
 */
export const CanonicalId = BirdId.transform((id) => id.toLowerCase());

/** Temporal refuses workflow ids longer than this (the server's default limit.maxIDLengthLimit). */
export const MAX_WORKFLOW_ID_LENGTH = 1_000;
/**
 * The whole input, as JSON. Temporal refuses payloads over 2 MB and warns from 512 KB; a provisioning input is
 * copied into every history and bulk page that carries it, so it is kept far smaller.
 */
export const MAX_INPUT_BYTES = 64 * 1024;

const BLANK = 'must not be empty or only spaces';
/**
 * Free text that must say something: a blank name would reach Bird as " [prov-…]", a blank id or event as a
 * request Bird refuses later, in the middle of a run. Refused rather than trimmed, so an input that was valid stays
 * exactly what it was (names are part of workflow ids).
 */
const NonBlankText = z.string().regex(/\S/, BLANK);
/**
 * Names end up in workflow ids and URLs: a lone surrogate would surface later as "URI malformed". Checked as
 * patterns (not refinements) so the contract's JSON Schema says the same: `u` reads a surrogate pair as one
 * character, and a lone surrogate as itself, which the class refuses.
 */
const WellFormedName = z
  .string()
  .max(200)
  .regex(/\S/, BLANK)
  .regex(/^[^\uD800-\uDFFF]*$/u, 'must be valid Unicode text (it contains a lone surrogate)');

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
    /**
     * The minimum activation time: no status is read before this long after the connector was created (polls then
     * follow initialPollInterval ×backoffCoefficient). Unset, the first read comes at once, the fast feedback a
     * single provisioning wants; a bulk run sets it for its later rows from what its earlier rows observed
     * (docs/polling.md).
     */
    firstPollAfter: duration(0, 7 * 24 * 3_600_000).optional(),
    /**
     * How the run waits out `firstPollAfter`: `timer`, a workflow timer, so the wait takes nothing from the
     * rate-limited reads queue (what every starter of this product asks for); `retry-delay`, the poll activity's
     * first attempt reads nothing and asks to be retried then (runs started without the option, which replay so).
     */
    firstPollWait: z.enum(['timer', 'retry-delay']).optional(),
  })
  .refine((r) => r.maxPollInterval >= r.initialPollInterval, {
    path: ['maxPollInterval'],
    message: 'must not be smaller than initialPollInterval',
  })
  .meta({
    description:
      'maxPollInterval must not be smaller than initialPollInterval (a comparison of two fields, which JSON Schema cannot say)',
  });
export type ReadinessOptions = z.infer<typeof ReadinessOptions>;

/**
 * A subscription to register for the new channel once it is ready. Only services whose events can be filtered by
 * channel are accepted: the workflow adds the channelId filter itself, so a per-channel subscription can never
 * silently turn into a workspace-wide one.
 */
export const ChannelSubscriptionSpec = z.strictObject({
  service: z.enum(['channels', 'conversations']),
  event: NonBlankText,
  url: WebhookUrl,
  eventFilters: z
    .array(WebhookEventFilter.extend({ value: NonBlankText }))
    .max(10)
    .refine(
      (filters) => filters.every((f) => f.key !== 'channelId'),
      'channelId is added by the workflow; leave it out',
    )
    .meta({ not: { contains: { type: 'object', properties: { key: { const: 'channelId' } }, required: ['key'] } } })
    .default([]),
  signingKeyRef: SecretRef.optional(),
});
export type ChannelSubscriptionSpec = z.infer<typeof ChannelSubscriptionSpec>;

/**
 * The `arguments` each template requires (src/domain/connector-templates.ts), checked in place of the free-form
 * record (a template without them takes any object). The contract's JSON Schema says the same, one
 * `if template then arguments` per entry (src/client/contract-json-schema.ts).
 */
export const CONNECTOR_ARGUMENTS: Readonly<Record<string, z.ZodType<Record<string, unknown>>>> = Object.fromEntries(
  Object.values(CONNECTOR_TEMPLATES as Record<string, ConnectorTemplate>).flatMap((t) =>
    t.arguments ? [[t.ref, t.arguments]] : [],
  ),
);

export const ConnectorSpec = CreateConnectorRequest.omit({ securityArguments: true })
  .extend({
    connectorTemplateRef: z.enum(TEMPLATE_REFS),
    // Names stay short enough for Bird once the workflow appends its idempotency tag.
    name: WellFormedName,
    invitationToken: NonBlankText.nullable().optional(),
    securityArgumentsRef: SecretRef.optional(),
  })
  .transform((c, ctx) => {
    const templateArguments = CONNECTOR_ARGUMENTS[c.connectorTemplateRef];
    if (!templateArguments) return c;
    const parsed = templateArguments.safeParse(c.arguments ?? undefined);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({
          ...issue,
          code: 'custom',
          path: ['arguments', ...issue.path],
          message: issueReason(issue, c.arguments ?? {}),
        } as never);
      }
      return z.NEVER;
    }
    // As parsed: the canonical form (lower-case ids) is what Bird is sent and what names the workflow.
    return { ...c, arguments: { ...c.arguments, ...parsed.data } };
  });
export type ConnectorSpec = z.infer<typeof ConnectorSpec>;

export const ProvisionChannelInput = z.strictObject({
  workspaceId: CanonicalId,
  organizationId: CanonicalId,
  connector: ConnectorSpec,
  readiness: ReadinessOptions.default(ReadinessOptions.parse({})),
  subscriptions: z.array(ChannelSubscriptionSpec).max(20).default([]),
  /**
   * Where the run checks that every secret reference exists, before anything is made in Bird: `before-create` (also
   * when absent: runs started by hand, and runs started before this option existed) in a local activity of its own,
   * whose marker is a billable action; `with-create` inside the create activity, before its POST, which saves that
   * action. The typed client, the Nexus handler and the bulk run ask for `with-create` (provisioningStartOptions).
   * No default: the workflow parses a short-notation input again on replay, and a new default would change the
   * commands of a run in flight.
   */
  secretCheck: z.enum(['before-create', 'with-create']).optional(),
});
/** What callers write (durations may be strings, defaults may be left out). */
export type ProvisionChannelInputRaw = z.input<typeof ProvisionChannelInput>;
/** What the workflow works with. */
export type ProvisionChannelInput = z.output<typeof ProvisionChannelInput>;

declare const parsedOnce: unique symbol;
/**
 * An input parseProvisioningInput accepted (a type-only mark: nothing is added at run time). The typed client starts
 * only this, so a door parses what it is given once and passes the result on; a raw object does not type-check.
 */
export type ParsedProvisioningInput = ProvisionChannelInput & { readonly [parsedOnce]: true };

export class InvalidProvisioningInput extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('provisioning input', problems);
    this.name = 'InvalidProvisioningInput';
  }
}

export function parseProvisioningInput(raw: unknown): ParsedProvisioningInput {
  const problems: FieldProblem[] = [];
  let candidate = raw;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    // Report secrets passed by value with a pointer to the by-reference field, then check the rest as if they were
    // absent, so every other bad field is named in the same error.
    const copy = { ...(raw as Record<string, unknown>) };
    const connector = copy.connector;
    if (connector && typeof connector === 'object' && 'securityArguments' in connector) {
      problems.push({
        field: 'connector.securityArguments',
        reason:
          'secrets are never passed by value; put them in the worker secret store and use connector.securityArgumentsRef',
      });
      const { securityArguments: _dropped, ...rest } = connector as Record<string, unknown>;
      copy.connector = rest;
    }
    if (Array.isArray(copy.subscriptions)) {
      copy.subscriptions = (copy.subscriptions as unknown[]).map((s, i) => {
        if (!s || typeof s !== 'object' || !('signingKey' in s)) return s;
        problems.push({
          field: `subscriptions.${i}.signingKey`,
          reason: 'secrets are never passed by value; use signingKeyRef',
        });
        const { signingKey: _dropped, ...rest } = s as Record<string, unknown>;
        return rest;
      });
    }
    candidate = copy;
  }
  const notJson = findNonJsonValue(candidate);
  if (notJson) throw new InvalidProvisioningInput([...problems, notJson]);
  const parsed = ProvisionChannelInput.safeParse(candidate);
  if (!parsed.success) problems.push(...issueProblems(parsed.error.issues, candidate));
  if (problems.length || !parsed.success) throw new InvalidProvisioningInput(problems);
  problems.push(...startLimitProblems(parsed.data));
  if (problems.length) throw new InvalidProvisioningInput(problems);
  return parsed.data as ParsedProvisioningInput;
}

/**
 * What the schema cannot see but Temporal would refuse at start ("Failed to start Workflow" with no field): the
 * workflow id's length and the payload's size. Named by field here, before anything starts.
 */
function startLimitProblems(input: ProvisionChannelInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const workflowId = provisioningWorkflowId(input);
  if (workflowId.length > MAX_WORKFLOW_ID_LENGTH) {
    problems.push({
      field: 'connector.name',
      reason: `too long for a workflow id once encoded (${workflowId.length} > ${MAX_WORKFLOW_ID_LENGTH} characters); use a shorter name`,
    });
  }
  const size = utf8Length(JSON.stringify(input));
  if (size > MAX_INPUT_BYTES) {
    // Name the most specific field that makes up most of it.
    const fields: Array<[string, unknown]> = [
      ['connector.arguments', input.connector.arguments],
      ['connector.name', input.connector.name],
      ...input.subscriptions.map((sub, i): [string, unknown] => [`subscriptions.${i}`, sub]),
      ['subscriptions', input.subscriptions],
      ['connector', input.connector],
    ];
    const culprit = fields.find(([, v]) => utf8Length(JSON.stringify(v) ?? '') * 2 >= size)?.[0] ?? '(root)';
    problems.push({
      field: culprit,
      reason: `too large (the whole input is ${size} bytes as JSON; at most ${MAX_INPUT_BYTES})`,
    });
  }
  return problems;
}

/** UTF-8 length without Node's Buffer (this module runs in the workflow sandbox too). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * The workflow is handed the input already parsed, with its defaults applied, and does not parse it again: a later
 * change of a default or of a rule must not change or break a run already in flight (its input is replayed as
 * recorded). Only an input that is not in that resolved form (a run started by hand from the Temporal CLI or UI
 * with the short notation) is parsed inside, failing the run cleanly when it is invalid.
 */
export function isResolvedInput(value: unknown): value is ProvisionChannelInput {
  if (!value || typeof value !== 'object') return false;
  const v = value as Partial<ProvisionChannelInput>;
  const r = v.readiness as Partial<ReadinessOptions> | undefined;
  return (
    typeof v.workspaceId === 'string' &&
    typeof v.organizationId === 'string' &&
    !!v.connector &&
    typeof v.connector === 'object' &&
    Array.isArray(v.subscriptions) &&
    !!r &&
    typeof r.mode === 'string' &&
    typeof r.initialPollInterval === 'number' &&
    typeof r.backoffCoefficient === 'number' &&
    typeof r.maxPollInterval === 'number' &&
    typeof r.deadline === 'number'
  );
}

/** The subscriptions' signing-key references, checked with the connector's before the create. */
export function signingKeyRefsOf(input: ProvisionChannelInput): string[] {
  return input.subscriptions.flatMap((s) => (s.signingKeyRef ? [s.signingKeyRef] : []));
}
