/**
 * Blank free text (a name of spaces, an empty filter value) is refused by the provisioning input schema; it was
 * accepted before. A run started by hand with such an input then (in the short notation, which the workflow parses
 * itself) must replay as it ran: this is what the workflow parses it with when its history says so.
 */
import { parseProvisioningInput, type ProvisionChannelInput } from './provisioning-input';

/**
 * Free text checked for blanks, with the shortest value the schema accepted there before it refused blanks: a run
 * started by hand with such a value then must replay as it ran (see blankTextAcceptedBefore).
 */
const BLANK_CHECKED: ReadonlyArray<{ path: readonly string[]; acceptedFrom: number }> = [
  { path: ['connector', 'name'], acceptedFrom: 1 },
  { path: ['connector', 'invitationToken'], acceptedFrom: 0 },
  { path: ['connector', 'arguments', 'useCaseId'], acceptedFrom: 1 },
  { path: ['subscriptions', '*', 'event'], acceptedFrom: 1 },
  { path: ['subscriptions', '*', 'eventFilters', '*', 'value'], acceptedFrom: 0 },
];

/** The blank free-text values of `raw` that the schema accepted before it refused blanks, with their paths. */
export function blankTextAcceptedBefore(raw: unknown): Array<{ path: string[]; value: string }> {
  const found: Array<{ path: string[]; value: string }> = [];
  const walk = (node: unknown, rest: readonly string[], at: string[], acceptedFrom: number): void => {
    if (!rest.length) {
      if (typeof node === 'string' && node.trim() === '' && node.length >= acceptedFrom)
        found.push({ path: at, value: node });
      return;
    }
    if (!node || typeof node !== 'object') return;
    const [key, ...next] = rest as [string, ...string[]];
    const keys = key === '*' ? (Array.isArray(node) ? node.map((_, i) => String(i)) : []) : [key];
    for (const k of keys) walk((node as Record<string, unknown>)[k], next, [...at, k], acceptedFrom);
  };
  for (const { path, acceptedFrom } of BLANK_CHECKED) walk(raw, path, [], acceptedFrom);
  return found;
}

/**
 * parseProvisioningInput as it was before blank free text was refused, for the runs started with it then (the
 * workflow's replay of them): each blank value is parsed as a placeholder and put back as it was.
 */
export function parseProvisioningInputAcceptingBlankText(raw: unknown): ProvisionChannelInput {
  const blanks = blankTextAcceptedBefore(raw);
  let copy = raw;
  for (const { path } of blanks) copy = withValueAt(copy, path, 'x');
  const input = parseProvisioningInput(copy);
  for (const { path, value } of blanks) {
    const parent = path
      .slice(0, -1)
      .reduce<Record<string, unknown>>(
        (node, key) => node[key] as Record<string, unknown>,
        input as unknown as Record<string, unknown>,
      );
    parent[path[path.length - 1]!] = value;
  }
  return input;
}

/** A copy of `node` with `value` at `path`, copying only the objects and arrays on the way. */
function withValueAt(node: unknown, path: string[], value: unknown): unknown {
  if (!path.length) return value;
  const [key, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> = Array.isArray(node)
    ? ([...(node as unknown[])] as unknown as Record<string, unknown>)
    : { ...(node as Record<string, unknown>) };
  copy[key] = withValueAt(copy[key], rest, value);
  return copy;
}
