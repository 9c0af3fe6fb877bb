/**
 * The Connectors API operations, as Bird documents them, returning plain results (see results.ts).
 */
import { randomUUID } from 'node:crypto';
import { CreateConnectorRequest } from '../bird/schemas';
import type { Provisioning } from './provisioning';
import { connectorResource, connectorStatusResource } from './resources';
import { error, invalidField, invalidFromZod, ok, parseJson, type ApiResult } from './results';
import type { SimStore } from './store';
import { KNOWN_REFS, phoneNumberFor, SIM_TEMPLATE_RULES, templateSlug } from './templates';
import type { TemplateRef } from '../domain/connector-templates';
import type { SimConnector, SimNumber } from './types';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

export type Query = Record<string, string | undefined>;

function workspaceNotFound(workspaceId: string): ApiResult {
  return error(404, 'WorkspaceNotFound', `workspace ${workspaceId} not found`);
}

function connectorNotFound(connectorId: string): ApiResult {
  return error(404, 'ConnectorNotFound', `connector ${connectorId} not found`);
}

/**
 * The contract documents only 200 and 404 for list, so a bad `limit` cannot be rejected without inventing a
 * status: non-integers and negatives fall back to the default, values above 100 are clamped, and 0 means
 * "default" (a page size of 0 with a nextPageToken would make a paging client loop forever).
 */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) return DEFAULT_LIMIT;
  const n = Number(raw);
  return n === 0 ? DEFAULT_LIMIT : Math.min(n, MAX_LIMIT);
}

export function encodePageToken(position: number): string {
  return Buffer.from(JSON.stringify({ after: position })).toString('base64url');
}

/** An unreadable token restarts from the first page, for the same reason as parseLimit (no error status). */
export function decodePageToken(token: string | undefined): number | undefined {
  if (!token) return undefined;
  try {
    const after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
    return typeof after === 'number' && Number.isInteger(after) && after >= 0 ? after : undefined;
  } catch {
    return undefined;
  }
}

export class ConnectorOperations {
  constructor(
    private readonly store: SimStore,
    private readonly provisioning: Provisioning,
  ) {}

  create(workspaceId: string, rawBody: string | undefined): ApiResult {
    if (!this.store.hasWorkspace(workspaceId)) return workspaceNotFound(workspaceId);
    const json = parseJson(rawBody);
    // The contract has no 400 for create: Bird folds unreadable bodies into "invalid data provided".
    if (!json.ok) return invalidField('body', 'request body must be a JSON object');
    const parsed = CreateConnectorRequest.safeParse(json.value);
    if (!parsed.success) return invalidFromZod(parsed.error);
    const req = parsed.data;

    const ref = req.connectorTemplateRef;
    if (ref === undefined) return invalidField('connectorTemplateRef', 'is required');
    if (!KNOWN_REFS.includes(ref))
      return invalidField('connectorTemplateRef', `unknown template "${ref}" (known: ${KNOWN_REFS.join(', ')})`);

    let phoneNumberId: string | undefined;
    const rule = SIM_TEMPLATE_RULES[ref as TemplateRef];
    if (rule.arguments) {
      const args = rule.arguments.safeParse(req.arguments ?? {});
      if (!args.success) return invalidFromZod(args.error, 'arguments.');
      phoneNumberId = rule.forNumber ? args.data.phoneNumberId : undefined;
      // Only Bird knows which numbers are 10DLC, so only Bird (here: the simulator) can refuse a missing use case.
      if (phoneNumberId && this.provisioning.behaviourOf(phoneNumberId)?.tenDlc && !args.data.useCaseId) {
        return invalidField('arguments.useCaseId', 'is required for 10DLC numbers');
      }
    }

    const conflict = this.store.findConflict(workspaceId, req.name, phoneNumberId);
    if (conflict) {
      const what = conflict.field === 'name' ? `named "${req.name}"` : `for phone number ${phoneNumberId}`;
      return error(409, 'ConnectorAlreadyExists', `a connector ${what} already exists in this workspace`, {
        field: conflict.field,
      });
    }

    const now = new Date().toISOString();
    const slug = templateSlug(ref);
    const number: SimNumber | undefined = phoneNumberId
      ? { numberId: phoneNumberId, profileId: randomUUID(), phoneNumber: phoneNumberFor(phoneNumberId) }
      : undefined;
    const connector: SimConnector = {
      id: randomUUID(),
      workspaceId,
      name: req.name,
      connectorTemplateRef: ref,
      connectorTemplateSlug: slug,
      arguments: req.arguments ?? null,
      channelId: randomUUID(),
      platform: slug,
      ...(number ? { number } : {}),
      state: { status: 'pending', stage: 'provisioning' },
      createdAt: now,
      updatedAt: now,
    };
    this.store.addConnector(connector);
    this.provisioning.begin(connector);
    return ok(201, connectorResource(connector));
  }

  list(workspaceId: string, query: Query): ApiResult {
    if (!this.store.hasWorkspace(workspaceId)) return workspaceNotFound(workspaceId);
    const page = this.store.list(workspaceId, {
      limit: parseLimit(query.limit),
      after: decodePageToken(query.pageToken),
      templateRef: query.templateRef || undefined,
      reverse: query.reverse === 'true' || query.reverse === '1',
    });
    return ok(200, {
      results: page.results.map(connectorResource),
      ...(page.next !== undefined ? { nextPageToken: encodePageToken(page.next) } : {}),
    });
  }

  get(workspaceId: string, connectorId: string): ApiResult {
    const c = this.store.liveConnector(workspaceId, connectorId);
    return c ? ok(200, connectorResource(c)) : connectorNotFound(connectorId);
  }

  status(workspaceId: string, connectorId: string): ApiResult {
    const c = this.store.liveConnector(workspaceId, connectorId);
    return c ? ok(200, connectorStatusResource(c)) : connectorNotFound(connectorId);
  }

  /**
   * The one deliberate deviation from the contract: an unknown or already deleted connector answers 404
   * (the contract lists only 204 and 422). Real APIs do this, and the client must treat it as "already gone",
   * which is what makes compensation retries idempotent.
   */
  delete(workspaceId: string, connectorId: string): ApiResult {
    const c = this.store.liveConnector(workspaceId, connectorId);
    if (!c) return connectorNotFound(connectorId);
    if (c.number && this.provisioning.behaviourOf(c.number.numberId)?.deleteRefused) {
      return error(422, 'ConnectorTemplateReferenced', 'connector template is still referenced and cannot be deleted');
    }
    this.provisioning.deprovision(c, new Date().toISOString());
    return ok(204);
  }
}
