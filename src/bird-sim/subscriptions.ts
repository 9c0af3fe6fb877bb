/**
 * createLegacyWebhookSubscription. The signing key is stored for delivery signatures but never returned:
 * the caller already has it, and every extra copy is one more place it can leak from.
 */
import { randomUUID } from 'node:crypto';
import { CreateWebhookSubscriptionRequest } from '../bird/schemas';
import { error, invalidFromZod, ok, parseJson, type ApiResult } from './results';
import type { SimStore } from './store';
import type { SimSubscription } from './types';

export function subscriptionResource(s: SimSubscription): Record<string, unknown> {
  const { hasSigningKey: _hasSigningKey, ...body } = s;
  return body;
}

export class SubscriptionOperations {
  private rejectedPrefixes: string[] = [];

  constructor(private readonly store: SimStore) {}

  rejectFor(urlPrefix: string): void {
    this.rejectedPrefixes.push(urlPrefix);
  }

  create(organizationId: string, workspaceId: string, rawBody: string | undefined): ApiResult {
    const json = parseJson(rawBody);
    if (!json.ok) return error(400, 'InvalidRequest', 'request body is not valid JSON');
    const parsed = CreateWebhookSubscriptionRequest.safeParse(json.value);
    if (!parsed.success) return invalidFromZod(parsed.error);
    const req = parsed.data;

    if (!this.store.workspaceInOrganization(organizationId, workspaceId)) {
      return error(422, 'WorkspaceNotFound', `workspace ${workspaceId} not found in organization ${organizationId}`, {
        field: 'workspaceId',
      });
    }
    if (this.rejectedPrefixes.some((prefix) => req.url.startsWith(prefix))) {
      return error(422, 'InvalidUrl', `url ${req.url} was rejected: it could not be verified as a webhook endpoint`, {
        field: 'url',
      });
    }

    const now = new Date().toISOString();
    const subscription: SimSubscription = {
      id: randomUUID(),
      organizationId,
      workspaceId,
      service: req.service,
      event: req.event,
      eventFilters: req.eventFilters ?? [],
      ...(req.template !== undefined ? { template: req.template } : {}),
      url: req.url,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      hasSigningKey: req.signingKey !== undefined,
    };
    this.store.addSubscription({
      subscription,
      ...(req.signingKey !== undefined ? { signingKey: req.signingKey } : {}),
    });
    return ok(201, subscriptionResource(subscription));
  }
}
