/**
 * The idempotency tag that makes a connector recognisably ours.
 *
 * Bird's create has no idempotency key, and a create whose reply is lost may still have made a connector. The
 * workflow therefore names every connector it creates "<name> [prov-<16 hex>]" and finds it again with the list
 * endpoint by that tag. The name is the one field the contract guarantees Bird echoes back (required in Connector).
 *
 * The 16 hex digits come from the workflow's deterministic uuid4(), drawn once per provisioning: 64 random bits.
 * Not taken from the run id: run ids are UUIDv7, whose first 12 digits are the start millisecond, so runs started in
 * the same millisecond would share a tag and adopt each other's connectors.
 *
 * A tag alone never proves a connector ours: it must also be for the same template and number (isOwnConnector).
 */
export function idempotencyTag(randomUuid: string): string {
  return `prov-${randomUuid.replace(/-/g, '').slice(-16).toLowerCase()}`;
}

/** A tag as idempotencyTag makes it (a starter may pass one in at start: src/domain/provisioning-start.ts). */
export function isIdempotencyTag(value: unknown): value is string {
  return typeof value === 'string' && /^prov-[0-9a-f]{16}$/.test(value);
}

export function taggedConnectorName(name: string, tag: string): string {
  return `${name} [${tag}]`;
}

export function hasIdempotencyTag(connectorName: string, tag: string): boolean {
  return connectorName.endsWith(`[${tag}]`);
}

const TAGGED_NAME = / \[(prov-[0-9a-f]{16})\]$/;

/** The tag at the end of a connector's name and the name the provisioning was given, or undefined for an untagged name. */
export function parseTaggedName(connectorName: string): { tag: string; name: string } | undefined {
  const m = TAGGED_NAME.exec(connectorName);
  return m ? { tag: m[1]!, name: connectorName.slice(0, m.index) } : undefined;
}

/** What Bird echoes of a connector, as far as ownership is concerned (a subset of the contract's Connector). */
export interface EchoedConnector {
  name: string;
  connectorTemplateRef?: string;
  arguments?: Record<string, unknown> | null;
  number?: { numberId?: string } | null;
}

export interface Ownership {
  tag: string;
  templateRef?: string;
  phoneNumberId?: string;
}

/**
 * A connector is ours only if it carries our tag AND is for the same template and number wherever Bird echoes
 * them: a tag can be copied by hand into another connector's name, and it must never make us adopt or delete it.
 */
export function isOwnConnector(connector: EchoedConnector, own: Ownership): boolean {
  if (!hasIdempotencyTag(connector.name, own.tag)) return false;
  if (
    own.templateRef &&
    connector.connectorTemplateRef !== undefined &&
    connector.connectorTemplateRef !== own.templateRef
  )
    return false;
  if (own.phoneNumberId) {
    const want = own.phoneNumberId.toLowerCase();
    const echoedArg = connector.arguments?.['phoneNumberId'];
    if (typeof echoedArg === 'string' && echoedArg.toLowerCase() !== want) return false;
    const echoedNumber = connector.number?.numberId;
    if (typeof echoedNumber === 'string' && echoedNumber.toLowerCase() !== want) return false;
  }
  return true;
}
