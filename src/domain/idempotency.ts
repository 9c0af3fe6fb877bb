/**
 * The idempotency tag that makes a connector recognisably ours.
 *
 * Bird's create has no idempotency key, and a create whose reply is lost may still have made a connector. The
 * workflow therefore names every connector it creates "<name> [prov-<12 hex of its first run id>]": a retry that
 * meets 409, and the compensation that must delete what may exist, find it with the list endpoint by that tag. A
 * connector without our tag is someone else's and is never adopted or deleted. The name is the one field the
 * contract guarantees Bird echoes back (required in Connector), which is why the tag lives there.
 */
export function idempotencyTag(firstExecutionRunId: string): string {
  return `prov-${firstExecutionRunId.replace(/-/g, '').slice(0, 12).toLowerCase()}`;
}

export function taggedConnectorName(name: string, tag: string): string {
  return `${name} [${tag}]`;
}

export function hasIdempotencyTag(connectorName: string, tag: string): boolean {
  return connectorName.endsWith(`[${tag}]`);
}
