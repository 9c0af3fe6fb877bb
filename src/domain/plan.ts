/**
 * The plan: what it takes for a workspace to match an inventory, per number, as a pure function of the inventory,
 * the workspace's connectors (Bird's list, with each connector's status) and the inventories' adoption records.
 * Nothing here reads or writes anything; `plan` and `apply` feed it.
 *
 * Actions, for a number in the inventory:
 * - create: no connector for the number;
 * - keep: this inventory's and active (or still provisioning);
 * - repair: ours, but error, inactive, deprovisioning or deprovisioned: deleted and created again;
 * - adopt: ours by tag and healthy, but no inventory's (made by a single provisioning, or a create whose reply was
 *   lost): apply records it as this inventory's, with no Bird write;
 * - foreign: a connector for the number that is not ours: never touched, a conflict;
 * - other: ours, but another inventory's: never touched.
 * For our connectors of numbers not in the inventory:
 * - prune: this inventory's: deleted, only when asked (`--prune`);
 * - other: another inventory's or a single provisioning's: never pruned.
 *
 * A connector is an inventory's when its name records the inventory, written before the tag by the create,
 * `<name> {inv:<inventory>} [prov-<16 hex>]`, or when the inventory adopted it (src/bulk/adoption-records.ts, as Bird
 * cannot rename a connector). Neither depends on Temporal's records, which retention ends: a workspace that matches
 * its inventory plans no change however long ago its runs were.
 */
import { parseTaggedName } from './idempotency';

export type PlanAction = 'create' | 'keep' | 'repair' | 'adopt' | 'foreign' | 'prune' | 'other';

export const PLAN_ACTIONS: readonly PlanAction[] = ['create', 'keep', 'repair', 'adopt', 'foreign', 'prune', 'other'];

/** Actions that change something (Bird, or our records); the rest leave the workspace as it is. */
export const CHANGING_ACTIONS: readonly PlanAction[] = ['create', 'repair', 'adopt', 'prune'];

const INVENTORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const MARKER = / \{inv:([A-Za-z0-9][A-Za-z0-9._-]{0,62})\}$/;

/** A valid inventory name (letters, digits, `.`, `_`, `-`; at most 63), or the reason it is not. */
export function inventoryNameProblem(name: string): string | undefined {
  return INVENTORY_NAME.test(name)
    ? undefined
    : 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit';
}

/** The connector name an inventory gives (the idempotency tag is appended after it by the create). */
export function nameWithInventory(name: string, inventory: string): string {
  return `${name} {inv:${inventory}}`;
}

/** The inventory a connector name records, and the name without it (the tag, if any, already removed or not). */
export function parseInventoryName(connectorName: string): { inventory?: string; name: string } {
  const base = parseTaggedName(connectorName)?.name ?? connectorName;
  const m = MARKER.exec(base);
  return m ? { inventory: m[1]!, name: base.slice(0, m.index) } : { name: base };
}

/** Ours (tagged) and no inventory's by name: only an adoption record can say whose it is. */
export function mayBeAdopted(connectorName: string): boolean {
  return parseTaggedName(connectorName) !== undefined && parseInventoryName(connectorName).inventory === undefined;
}

/** A number of the inventory (one per valid row). */
export interface InventoryEntry {
  phoneNumberId: string;
  /** The file's line, for people. */
  line?: number;
}

/** A connector of the workspace, with its status as read for the plan. */
export interface WorkspaceConnector {
  connectorId: string;
  name: string;
  numberId?: string;
  status?: string | null;
  stage?: string | null;
  /** The inventory that adopted it, when its name records none. */
  adoptedBy?: string;
}

export interface PlanEntry {
  action: PlanAction;
  phoneNumberId?: string;
  line?: number;
  connectorId?: string;
  /** The inventory that made the connector, when its name records one. */
  madeBy?: string;
  reason: string;
}

export interface Plan {
  inventory: string;
  workspaceId: string;
  entries: PlanEntry[];
  counts: Record<PlanAction, number>;
  /** Connectors of the workspace that are not ours and not for a number of the inventory: not listed, never touched. */
  unrelated: number;
}

export interface PlanInput {
  inventory: string;
  workspaceId: string;
  entries: InventoryEntry[];
  connectors: WorkspaceConnector[];
}

const BROKEN_STAGES = ['inactive', 'deprovisioning', 'deprovisioned'];

function health(c: WorkspaceConnector): 'healthy' | 'broken' {
  return c.status === 'error' || BROKEN_STAGES.includes(c.stage ?? '') ? 'broken' : 'healthy';
}

/** The inventory a tagged connector belongs to: the one its name records, else the one that adopted it. */
export function inventoryOf(c: Pick<WorkspaceConnector, 'name' | 'adoptedBy'>): string | undefined {
  return parseInventoryName(c.name).inventory ?? c.adoptedBy;
}

function whose(c: WorkspaceConnector, inventory: string): string {
  return parseInventoryName(c.name).inventory
    ? `made by inventory "${inventory}"`
    : `adopted by inventory "${inventory}"`;
}

/** One connector for a number of the inventory. */
function judgeListed(c: WorkspaceConnector, input: PlanInput): Omit<PlanEntry, 'phoneNumberId' | 'line'> {
  const at = { connectorId: c.connectorId };
  if (!parseTaggedName(c.name))
    return {
      ...at,
      action: 'foreign',
      reason: 'a connector for this number that is not ours: a conflict, never touched',
    };
  const inventory = inventoryOf(c);
  const madeBy = inventory ? { madeBy: inventory } : {};
  if (inventory && inventory !== input.inventory)
    return { ...at, ...madeBy, action: 'other', reason: `${whose(c, inventory)}: never touched` };
  const state = c.status === undefined ? 'status not read (no refresh)' : `${c.status ?? '?'}/${c.stage ?? '?'}`;
  if (health(c) === 'broken')
    return { ...at, ...madeBy, action: 'repair', reason: `ours but ${state}: deleted and created again` };
  if (!inventory)
    return { ...at, action: 'adopt', reason: `ours by tag (${state}), no inventory's: apply records it as this one's` };
  return { ...at, ...madeBy, action: 'keep', reason: `ours and ${state}` };
}

/** Which of several connectors for one number decides its action: a conflict first, then what needs work. */
const PRECEDENCE: PlanAction[] = ['foreign', 'other', 'repair', 'adopt', 'keep'];

export function planWorkspace(input: PlanInput): Plan {
  const byNumber = new Map<string, WorkspaceConnector[]>();
  for (const c of input.connectors) {
    const n = c.numberId?.toLowerCase();
    if (n) byNumber.set(n, [...(byNumber.get(n) ?? []), c]);
  }
  const entries: PlanEntry[] = [];
  const inInventory = new Set<string>();
  for (const e of input.entries) {
    const number = e.phoneNumberId.toLowerCase();
    if (inInventory.has(number)) continue;
    inInventory.add(number);
    const who = { phoneNumberId: number, ...(e.line !== undefined ? { line: e.line } : {}) };
    const judged = (byNumber.get(number) ?? []).map((c) => judgeListed(c, input));
    if (!judged.length) {
      entries.push({ ...who, action: 'create', reason: 'no connector for this number' });
      continue;
    }
    judged.sort((a, b) => PRECEDENCE.indexOf(a.action) - PRECEDENCE.indexOf(b.action));
    entries.push({ ...who, ...judged[0]! });
  }
  let unrelated = 0;
  for (const c of input.connectors) {
    const number = c.numberId?.toLowerCase();
    if (number && inInventory.has(number)) continue;
    if (!parseTaggedName(c.name)) {
      unrelated++;
      continue;
    }
    const inventory = inventoryOf(c);
    const base = { ...(number ? { phoneNumberId: number } : {}), connectorId: c.connectorId };
    if (inventory === input.inventory)
      entries.push({ ...base, madeBy: inventory, action: 'prune', reason: `${whose(c, inventory)}, no longer in it` });
    else
      entries.push({
        ...base,
        ...(inventory ? { madeBy: inventory } : {}),
        action: 'other',
        reason: inventory ? `${whose(c, inventory)}: never pruned` : 'made by a single provisioning: never pruned',
      });
  }
  const counts = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  for (const e of entries) counts[e.action]++;
  return { inventory: input.inventory, workspaceId: input.workspaceId, entries, counts, unrelated };
}

/** The entries an apply carries out: every changing one, prune only when asked. */
export function actionsToApply(plan: Plan, opts: { prune: boolean }): PlanEntry[] {
  return plan.entries.filter((e) => CHANGING_ACTIONS.includes(e.action) && (e.action !== 'prune' || opts.prune));
}

/**
 * Another inventory's or a single provisioning's connector for a number not in this inventory: never touched, so for
 * people only a count (a shared workspace holds many); `--json` lists them.
 */
export function isOthersOnly(e: { action: PlanAction; line?: number }): boolean {
  return e.action === 'other' && e.line === undefined;
}

/** The plan for people: one line per entry that is not `keep` (others' connectors counted), then the counts. */
export function formatPlan(plan: Plan): string {
  const lines = plan.entries
    .filter((e) => e.action !== 'keep' && !isOthersOnly(e))
    .map((e) => {
      const what = e.phoneNumberId ?? '(no number)';
      const where = e.line !== undefined ? ` (line ${e.line})` : '';
      const connector = e.connectorId ? ` connector ${e.connectorId}` : '';
      return `${e.action.padEnd(8)}${what}${where}${connector}: ${e.reason}`;
    });
  const others = plan.entries.filter(isOthersOnly).length;
  if (others)
    lines.push(
      `other   ${others} connector(s) of other inventories or single provisionings: never touched (--json lists them)`,
    );
  const counts = PLAN_ACTIONS.map((a) => `${plan.counts[a]} ${a}`).join(', ');
  const changes = plan.entries.some((e) => CHANGING_ACTIONS.includes(e.action));
  lines.push(`inventory "${plan.inventory}" in workspace ${plan.workspaceId}: ${counts}`);
  if (!changes) lines.push('no changes');
  return lines.join('\n');
}
