/**
 * One descriptor per connector template Bird lists: its ref, the arguments it takes, what identifies one
 * provisioning of it (and so its workflow id and the ownership check of its connector), and its bulk columns.
 * Every door reads this table (through the input schema and the identity below); so does the simulator.
 * Adding a template is one entry here and one rule in src/bird-sim/templates.ts.
 */
import { z } from 'zod';
import { BirdId, SMS_CHANNEL_MESSAGE_TYPES } from '../bird/schemas';

/**
 * Free text that must say something (a blank id reaches Bird as a request it refuses mid-run). A pattern, not a
 * refinement, so the contract's JSON Schema says the same.
 */
const NonBlank = z.string().regex(/\S/, 'must not be empty or only spaces');

/**
 * - `phone-number`: one provisioning per workspace and number (arguments.phoneNumberId); the connector Bird echoes
 *   must be for that number to be ours.
 * - `name`: one per workspace, template and connector name; the template and the tag make a connector ours.
 */
export type TemplateIdentity = 'phone-number' | 'name';

export interface ConnectorTemplate {
  ref: string;
  /** What people call the channel. */
  channel: string;
  /**
   * The arguments as Bird documents them, checked before anything starts; the canonical form (lower-case ids) is
   * what Bird is sent. Without one, the arguments pass through as Bird defines them (secrets never: they go by
   * reference, connector.securityArgumentsRef).
   */
  arguments?: z.ZodType<Record<string, unknown>>;
  identity: TemplateIdentity;
  /**
   * The columns a bulk file's row of this template may fill, each with where it lands in the provisioning input
   * (src/domain/bulk-input.ts takes the union as the file's columns, and refuses a row filling another template's).
   */
  bulkColumns: Readonly<Record<string, readonly string[]>>;
}

const ARGUMENT = (name: string) => ['connector', 'arguments', name] as const;

/**
 * Pass-through templates: identified by name, their arguments as Bird defines them (in a bulk file, from the
 * defaults or a JSON line's `connector.arguments`); each connector's secrets by reference.
 */
const byName = (ref: string, channel: string): ConnectorTemplate => ({
  ref,
  channel,
  identity: 'name',
  bulkColumns: {
    name: ['connector', 'name'],
    connectorTemplateRef: ['connector', 'connectorTemplateRef'],
    securityArgumentsRef: ['connector', 'securityArgumentsRef'],
  },
});

export const CONNECTOR_TEMPLATES = {
  'sms-messagebird:1': {
    ref: 'sms-messagebird:1',
    channel: 'SMS',
    arguments: z.looseObject({
      phoneNumberId: BirdId.transform((id) => id.toLowerCase()),
      channelMessageType: z.enum(SMS_CHANNEL_MESSAGE_TYPES),
      useCaseId: NonBlank.optional(),
    }),
    identity: 'phone-number',
    bulkColumns: {
      phoneNumberId: ARGUMENT('phoneNumberId'),
      name: ['connector', 'name'],
      channelMessageType: ARGUMENT('channelMessageType'),
      useCaseId: ARGUMENT('useCaseId'),
      connectorTemplateRef: ['connector', 'connectorTemplateRef'],
    },
  },
  'whatsapp:1': byName('whatsapp:1', 'WhatsApp'),
  'instagram:1': byName('instagram:1', 'Instagram'),
  'facebook:1': byName('facebook:1', 'Facebook Messenger'),
  'telegram:1': byName('telegram:1', 'Telegram'),
  'line:1': byName('line:1', 'LINE'),
  'email-messagebird:1': byName('email-messagebird:1', 'Email'),
} as const satisfies Record<string, ConnectorTemplate>;

export type TemplateRef = keyof typeof CONNECTOR_TEMPLATES;
export const TEMPLATE_REFS = Object.keys(CONNECTOR_TEMPLATES) as [TemplateRef, ...TemplateRef[]];

export function templateOf(ref: string): ConnectorTemplate | undefined {
  return Object.hasOwn(CONNECTOR_TEMPLATES, ref) ? CONNECTOR_TEMPLATES[ref as TemplateRef] : undefined;
}
