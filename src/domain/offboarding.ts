/**
 * Offboarding one channel, pure: its input, its workflow id (one per workspace and number, or template and name),
 * which connectors of a workspace belong to the channel and which of them are ours, and the report.
 *
 * A connector is ours when its name carries an idempotency tag (src/domain/idempotency.ts) and it is for this
 * number (or template and name). Nothing else is ever deleted: a connector for the number without our tag is
 * reported `foreign-left-untouched`.
 */
import { z } from 'zod';
import { BirdId } from '../bird/schemas';
import { duration } from './duration';
import { parseTaggedName } from './idempotency';
import { identifyingNumberOf, provisioningWorkflowId, type ProvisioningIdentity } from './provisioning-identity';
import { InvalidFields, parseFields } from '../base/zod-issues';
import type { FieldProblem } from '../base/problems';

const Lower = BirdId.transform((id) => id.toLowerCase());

export const OffboardInput = z
  .strictObject({
    workspaceId: Lower,
    /** The number whose channel goes (SMS templates). */
    phoneNumberId: Lower.optional(),
    /** Or, for templates keyed by name, the connector's identity as it was provisioned (without the tag). */
    connector: z.strictObject({ connectorTemplateRef: z.string().min(1), name: z.string().min(1) }).optional(),
    /** How long to keep reading until Bird confirms the connector gone (deprovisioned or 404). */
    confirmDeadline: duration(1_000, 24 * 3_600_000).default(10 * 60_000),
    /** Connectors per Bird list request, when no record names the connector. */
    pageSize: z.number().int().min(1).max(100).default(100),
  })
  .refine((v) => (v.phoneNumberId === undefined) !== (v.connector === undefined), {
    message: 'give exactly one of phoneNumberId or connector',
    path: ['phoneNumberId'],
  });
export type OffboardInputRaw = z.input<typeof OffboardInput>;
export type OffboardInput = z.output<typeof OffboardInput>;

export class InvalidOffboardInput extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('offboarding input', problems);
    this.name = 'InvalidOffboardInput';
  }
}

export function parseOffboardInput(raw: unknown): OffboardInput {
  return parseFields(OffboardInput, raw, (problems) => new InvalidOffboardInput(problems));
}

/** What names the channel: a number, or a template and a name. */
export type ChannelKey = Pick<OffboardInput, 'workspaceId' | 'phoneNumberId' | 'connector'>;

/** The provisioning of this channel (same rule as the clients start it with). */
export function provisioningIdOf(key: ChannelKey): string {
  return provisioningWorkflowId(
    key.phoneNumberId
      ? { workspaceId: key.workspaceId, phoneNumberId: key.phoneNumberId }
      : {
          workspaceId: key.workspaceId,
          connectorTemplateRef: key.connector!.connectorTemplateRef,
          name: key.connector!.name,
        },
  );
}

/** The channel a provisioning input is for: its number for a template identified by number, else its name. */
export function channelKeyOf(input: ProvisioningIdentity): ChannelKey {
  const number = identifyingNumberOf(input);
  return number
    ? { workspaceId: input.workspaceId, phoneNumberId: number.toLowerCase() }
    : {
        workspaceId: input.workspaceId,
        connector: { connectorTemplateRef: input.connector.connectorTemplateRef, name: input.connector.name },
      };
}

/** One offboarding per channel at a time: starting it twice attaches to the running one. */
export function offboardWorkflowId(key: ChannelKey): string {
  return provisioningIdOf(key).replace(/^provision\//, 'offboard/');
}

/** Who the channel is, for summaries and reports. */
export function channelLabel(key: ChannelKey): string {
  return key.phoneNumberId
    ? `number ${key.phoneNumberId}`
    : `${key.connector!.connectorTemplateRef} "${key.connector!.name}"`;
}

/** A connector as the list endpoint shows it, as far as offboarding is concerned. */
export interface ListedConnector {
  id: string;
  name: string;
  connectorTemplateRef?: string;
  arguments?: Record<string, unknown> | null;
  number?: { numberId?: string } | null;
  stage?: string | null;
}

export interface ChannelConnector {
  connectorId: string;
  name: string;
  /** Our idempotency tag, for ours. */
  tag?: string;
  /** Already on its way out (deprovisioning or deprovisioned): confirmed, not deleted again. */
  leaving: boolean;
}

export function numberOf(c: ListedConnector): string | undefined {
  const arg = c.arguments?.['phoneNumberId'];
  const id = typeof arg === 'string' ? arg : (c.number?.numberId ?? undefined);
  return id?.toLowerCase();
}

/** Is this connector the channel's? By number, or by template and (untagged) name. */
export function isChannelConnector(c: ListedConnector, key: ChannelKey): boolean {
  if (key.phoneNumberId) return numberOf(c) === key.phoneNumberId;
  const name = parseTaggedName(c.name)?.name ?? c.name;
  return c.connectorTemplateRef === key.connector!.connectorTemplateRef && name === key.connector!.name;
}

/** The channel's connectors among `listed`, split into ours (tagged) and foreign (never touched). */
export function channelConnectors(
  listed: ListedConnector[],
  key: ChannelKey,
): { own: ChannelConnector[]; foreign: ChannelConnector[] } {
  const own: ChannelConnector[] = [];
  const foreign: ChannelConnector[] = [];
  for (const c of listed) {
    if (!isChannelConnector(c, key)) continue;
    const tag = parseTaggedName(c.name)?.tag;
    const leaving = c.stage === 'deprovisioning' || c.stage === 'deprovisioned';
    const entry: ChannelConnector = { connectorId: c.id, name: c.name, leaving, ...(tag ? { tag } : {}) };
    (tag ? own : foreign).push(entry);
  }
  return { own, foreign };
}

export type OffboardOutcome = 'offboarded' | 'already-absent' | 'foreign-left-untouched';

export interface OffboardResult {
  workflowId: string;
  workspaceId: string;
  phoneNumberId?: string;
  connector?: { connectorTemplateRef: string; name: string };
  outcome: OffboardOutcome;
  /** Our connectors, each confirmed gone: Bird answered `deprovisioned` or 404. */
  deleted: Array<{ connectorId: string; name: string; confirmedBy: 'deprovisioned' | 'not-found' }>;
  /** Connectors for the channel without our tag: never touched. */
  foreign: Array<{ connectorId: string; name: string }>;
  /** What stays at Bird: its API has no way to delete a webhook subscription. */
  leftBehind: Array<{ kind: 'webhook-subscription'; subscriptionId: string }>;
  /** The provisioning that was running and was cancelled (and compensated) first. */
  cancelledProvisioning?: { workflowId: string; runId: string };
  /** Bird DELETEs sent by this run. */
  birdWrites: number;
}

/** A cancelled provisioning's compensation deleted its connector: that too is an offboarding. */
export function outcomeOf(r: Pick<OffboardResult, 'deleted' | 'foreign' | 'cancelledProvisioning'>): OffboardOutcome {
  if (r.deleted.length || r.cancelledProvisioning) return 'offboarded';
  return r.foreign.length ? 'foreign-left-untouched' : 'already-absent';
}

export type OffboardStage = 'stopping-provisioning' | 'finding' | 'deleting' | 'confirming' | 'done';

export interface OffboardProgress {
  stage: OffboardStage;
  pagesRead: number;
  result: Omit<OffboardResult, 'outcome'> & { outcome?: OffboardOutcome };
}

/** The run's current details in the Temporal UI (markdown list, like a provisioning's). */
export function describeOffboard(p: OffboardProgress): string {
  const r = p.result;
  const lines = [
    `**Stage:** ${p.stage}`,
    `**Channel:** ${channelLabel(r)} in workspace ${r.workspaceId}`,
    r.cancelledProvisioning ? `**Cancelled provisioning:** ${r.cancelledProvisioning.workflowId}` : undefined,
    r.deleted.length
      ? `**Deleted:** ${r.deleted.map((d) => `${d.connectorId} (${d.confirmedBy})`).join(', ')}`
      : undefined,
    r.foreign.length
      ? `**Foreign, left untouched:** ${r.foreign.map((f) => `${f.connectorId} "${f.name}"`).join(', ')}`
      : undefined,
    r.leftBehind.length
      ? `**Left behind:** ${r.leftBehind.map((l) => `webhook subscription ${l.subscriptionId}`).join(', ')}`
      : undefined,
    r.outcome ? `**Outcome:** ${r.outcome}` : undefined,
  ];
  return lines
    .filter((l): l is string => !!l)
    .map((l) => `- ${l}`)
    .join('\n');
}

/** One line for people (CLI, bulk report). */
export function offboardSummary(r: OffboardResult): string {
  const parts: string[] = [`${channelLabel(r)}: ${r.outcome}`];
  if (r.cancelledProvisioning) parts.push(`cancelled running provisioning ${r.cancelledProvisioning.workflowId}`);
  for (const d of r.deleted) parts.push(`deleted ${d.connectorId} (confirmed ${d.confirmedBy})`);
  for (const f of r.foreign) parts.push(`foreign connector ${f.connectorId} "${f.name}" left untouched`);
  if (r.leftBehind.length)
    parts.push(`left behind: webhook subscription(s) ${r.leftBehind.map((l) => l.subscriptionId).join(', ')}`);
  return parts.join('; ');
}

/** Why a provisioning is refused while its channel's offboarding runs (the doors' refusal and the create's alike). */
export function beingOffboardedMessage(key: ChannelKey, offboardingWorkflowId: string): string {
  return `${channelLabel(key)} is being offboarded (${offboardingWorkflowId}); start its provisioning again once that has finished`;
}
