/**
 * The simulator's in-memory state: workspaces, connectors (never removed, only marked deleted, so tests can
 * see what compensation did) and webhook subscriptions (with their signing keys, which stay in here).
 */
import type { SimConnector, SimSubscription, SimWorkspace } from './types';

export interface StoredSubscription {
  subscription: SimSubscription;
  signingKey?: string;
}

export interface ListQuery {
  limit: number;
  /** Position (index in creation order) of the last item of the previous page. */
  after?: number;
  templateRef?: string;
  reverse: boolean;
}

export interface ListPage {
  results: SimConnector[];
  /** Position to continue after, when more remain. */
  next?: number;
}

export class SimStore {
  private readonly workspaces = new Map<string, string>();
  /** Creation order; the index doubles as a stable pagination cursor because nothing is ever removed. */
  private connectorList: SimConnector[] = [];
  private readonly connectorsById = new Map<string, SimConnector>();
  private subscriptionList: StoredSubscription[] = [];

  addWorkspace(ws: SimWorkspace): void {
    this.workspaces.set(ws.id, ws.organizationId);
  }

  hasWorkspace(workspaceId: string): boolean {
    return this.workspaces.has(workspaceId);
  }

  workspaceInOrganization(organizationId: string, workspaceId: string): boolean {
    return this.workspaces.get(workspaceId) === organizationId;
  }

  addConnector(connector: SimConnector): void {
    this.connectorList.push(connector);
    this.connectorsById.set(connector.id, connector);
  }

  /** A live (not deleted) connector of that workspace. */
  liveConnector(workspaceId: string, connectorId: string): SimConnector | undefined {
    const c = this.connectorsById.get(connectorId);
    return c && c.workspaceId === workspaceId && !c.deletedAt ? c : undefined;
  }

  connector(connectorId: string): SimConnector | undefined {
    return this.connectorsById.get(connectorId);
  }

  /** The live connector that a new one named `name` for `phoneNumberId` would collide with. */
  findConflict(
    workspaceId: string,
    name: string,
    phoneNumberId: string | undefined,
  ): { existing: SimConnector; field: string } | undefined {
    for (const c of this.connectorList) {
      if (c.workspaceId !== workspaceId || c.deletedAt) continue;
      if (phoneNumberId !== undefined && c.number?.numberId === phoneNumberId)
        return { existing: c, field: 'arguments.phoneNumberId' };
      if (c.name === name) return { existing: c, field: 'name' };
    }
    return undefined;
  }

  list(workspaceId: string, q: ListQuery): ListPage {
    const positions: number[] = [];
    this.connectorList.forEach((c, i) => {
      if (
        c.workspaceId === workspaceId &&
        !c.deletedAt &&
        (q.templateRef === undefined || c.connectorTemplateRef === q.templateRef)
      ) {
        positions.push(i);
      }
    });
    if (q.reverse) positions.reverse();
    const after = q.after;
    const start = after === undefined ? 0 : positions.findIndex((i) => (q.reverse ? i < after : i > after));
    if (start < 0) return { results: [] };
    const page = positions.slice(start, start + q.limit);
    const last = page[page.length - 1];
    const more = start + q.limit < positions.length;
    return { results: page.map((i) => this.connectorList[i]!), next: more ? last : undefined };
  }

  allConnectors(): readonly SimConnector[] {
    return this.connectorList;
  }

  addSubscription(stored: StoredSubscription): void {
    this.subscriptionList.push(stored);
  }

  allSubscriptions(): readonly StoredSubscription[] {
    return this.subscriptionList;
  }

  /** Workspaces are configuration and survive a reset; everything that happened does not. */
  reset(): void {
    this.connectorList = [];
    this.connectorsById.clear();
    this.subscriptionList = [];
  }
}
