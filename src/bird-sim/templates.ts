/**
 * How the simulated Bird treats each connector template it lists: the templates are the product's own table
 * (src/domain/connector-templates.ts), and each has one rule here: the arguments Bird itself checks, and the number
 * it attaches when the connector is for one. Adding a template is one entry there and one rule here.
 */
import { z } from 'zod';
import { SMS_CHANNEL_MESSAGE_TYPES } from '../bird/schemas';
import { TEMPLATE_REFS, type TemplateRef } from '../domain/connector-templates';

export const KNOWN_REFS: readonly string[] = TEMPLATE_REFS;

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

export const SmsArguments = z.looseObject({
  phoneNumberId: z.guid({ error: required('a UUID (8-4-4-4-12 hex)') }),
  channelMessageType: z.enum(SMS_CHANNEL_MESSAGE_TYPES, {
    error: required(`one of ${SMS_CHANNEL_MESSAGE_TYPES.join(', ')}`),
  }),
  useCaseId: z.string({ error: required('a string') }).optional(),
});

export interface SimTemplateRule {
  /** What Bird refuses (422) in the arguments; undefined: any object. */
  arguments?: z.ZodType<{ phoneNumberId?: string; useCaseId?: string }>;
  /** Whether the connector is for a number (arguments.phoneNumberId): Bird attaches it and refuses a second. */
  forNumber: boolean;
}

const CHANNEL_ONLY: SimTemplateRule = { forNumber: false };

export const SIM_TEMPLATE_RULES: Record<TemplateRef, SimTemplateRule> = {
  'sms-messagebird:1': { arguments: SmsArguments, forNumber: true },
  'whatsapp:1': CHANNEL_ONLY,
  'instagram:1': CHANNEL_ONLY,
  'facebook:1': CHANNEL_ONLY,
  'telegram:1': CHANNEL_ONLY,
  'line:1': CHANNEL_ONLY,
  'email-messagebird:1': CHANNEL_ONLY,
};

/** 'sms-messagebird:1' -> 'sms-messagebird' (used as slug and as channel platform). */
export function templateSlug(ref: string): string {
  return ref.replace(/:\d+$/, '');
}

/** A stable Dutch +3197 number per phone number id, so the same number always shows the same identifier. */
export function phoneNumberFor(phoneNumberId: string): string {
  const digits = BigInt(`0x${phoneNumberId.replace(/-/g, '')}`) % 100_000_000n;
  return `+3197${digits.toString().padStart(8, '0')}`;
}
