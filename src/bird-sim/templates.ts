/**
 * What Bird documents per connector template: the known refs, and for SMS the required arguments.
 * Other templates take their arguments as-is (their requirements are not in the seed documentation).
 */
import { z } from 'zod';
import { ConnectorTemplateRef, KNOWN_TEMPLATE_REFS, SMS_CHANNEL_MESSAGE_TYPES } from '../bird/schemas';

export const KNOWN_REFS: readonly string[] = KNOWN_TEMPLATE_REFS;

export function isSmsTemplate(ref: string): boolean {
  return ref === ConnectorTemplateRef.sms;
}

/** 'sms-messagebird:1' -> 'sms-messagebird' (used as slug and as channel platform). */
export function templateSlug(ref: string): string {
  return ref.replace(/:\d+$/, '');
}

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

export const SmsArguments = z.looseObject({
  phoneNumberId: z.guid({ error: required('a UUID (8-4-4-4-12 hex)') }),
  channelMessageType: z.enum(SMS_CHANNEL_MESSAGE_TYPES, {
    error: required(`one of ${SMS_CHANNEL_MESSAGE_TYPES.join(', ')}`),
  }),
  useCaseId: z.string({ error: required('a string') }).optional(),
});

/** A stable Dutch +3197 number per phone number id, so the same number always shows the same identifier. */
export function phoneNumberFor(phoneNumberId: string): string {
  const digits = BigInt(`0x${phoneNumberId.replace(/-/g, '')}`) % 100_000_000n;
  return `+3197${digits.toString().padStart(8, '0')}`;
}
