/**
 * What names a provisioning, whichever door it came through: its workspace and its template's identity (the number
 * for SMS, the connector name for the others: src/domain/connector-templates.ts). One provisioning per identity:
 * starting the same one twice attaches to the running workflow instead of creating a second connector.
 */
import { z } from 'zod';
import { BirdId } from '../bird/schemas';
import { TEMPLATE_REFS, templateOf } from './connector-templates';

/** Enough of an input (or of a connector Bird lists) to derive its workflow id. */
export interface ProvisioningIdentity {
  workspaceId: string;
  connector: { connectorTemplateRef: string; name: string; arguments?: Record<string, unknown> | null };
}

/** How a caller names one provisioning afterwards (to read or cancel it): the ids lower-cased, as the input's. */
export type ProvisioningRef =
  { workspaceId: string; phoneNumberId: string } | { workspaceId: string; connectorTemplateRef: string; name: string };

const LowerId = BirdId.transform((id) => id.toLowerCase());

/**
 * A ref as a caller writes it, checked by field (the one decoder of refs for every door): a number, or a template
 * identified by name and the connector's name.
 */
export const ProvisioningRefSchema = z
  .strictObject({
    workspaceId: LowerId,
    phoneNumberId: LowerId.optional(),
    connectorTemplateRef: z.enum(TEMPLATE_REFS).optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .superRefine((ref, ctx) => {
    const byName = ref.connectorTemplateRef !== undefined || ref.name !== undefined;
    if (ref.phoneNumberId !== undefined && byName)
      ctx.addIssue({
        code: 'custom',
        path: ['phoneNumberId'],
        message: 'either phoneNumberId, or connectorTemplateRef and name',
      });
    else if (!byName && ref.phoneNumberId === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['phoneNumberId'],
        message: 'required (or connectorTemplateRef and name, for a template identified by name)',
      });
    else if (byName && (ref.connectorTemplateRef === undefined || ref.name === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [ref.connectorTemplateRef === undefined ? 'connectorTemplateRef' : 'name'],
        message: 'required (with the other, for a template identified by name)',
      });
    else if (ref.connectorTemplateRef && templateOf(ref.connectorTemplateRef)?.identity === 'phone-number')
      ctx.addIssue({
        code: 'custom',
        path: ['connectorTemplateRef'],
        message: `${ref.connectorTemplateRef} is identified by its number: give phoneNumberId instead`,
      });
  })
  .transform((ref): ProvisioningRef =>
    ref.phoneNumberId !== undefined
      ? { workspaceId: ref.workspaceId, phoneNumberId: ref.phoneNumberId }
      : { workspaceId: ref.workspaceId, connectorTemplateRef: ref.connectorTemplateRef!, name: ref.name! },
  );

/** The phone number id an input or connector carries in its arguments, whatever its template (else undefined). */
export function phoneNumberIdOf(input: Pick<ProvisioningIdentity, 'connector'>): string | undefined {
  const id = input.connector.arguments?.['phoneNumberId'];
  return typeof id === 'string' ? id : undefined;
}

/** The number that identifies this provisioning, for a template identified by number (else undefined). */
export function identifyingNumberOf(input: Pick<ProvisioningIdentity, 'connector'>): string | undefined {
  return templateOf(input.connector.connectorTemplateRef)?.identity === 'phone-number'
    ? phoneNumberIdOf(input)
    : undefined;
}

/** The ref a caller uses later for the provisioning this input starts. */
export function refOf(input: ProvisioningIdentity): ProvisioningRef {
  const number = identifyingNumberOf(input);
  return number
    ? { workspaceId: input.workspaceId, phoneNumberId: number }
    : {
        workspaceId: input.workspaceId,
        connectorTemplateRef: input.connector.connectorTemplateRef,
        name: input.connector.name,
      };
}

/** The workflow id of a provisioning, from its input or from a ref (the number's for SMS, unchanged since 0.1). */
export function provisioningWorkflowId(of: ProvisioningIdentity | ProvisioningRef): string {
  const ref = 'connector' in of ? refOf(of) : of;
  return `provision/${ref.workspaceId}/${identityKey(ref)}`;
}

/**
 * The identity part of the workflow id: the number, or `<template>/<name, URI-encoded>`. What keys a bulk file's
 * rows (duplicates, the report, --retry-failed, Bird's connectors found already there) within one workspace.
 */
export function identityKey(ref: { phoneNumberId: string } | { connectorTemplateRef: string; name: string }): string {
  if ('phoneNumberId' in ref) return ref.phoneNumberId;
  return `${ref.connectorTemplateRef}/${encodeURIComponent(ref.name)}`;
}
