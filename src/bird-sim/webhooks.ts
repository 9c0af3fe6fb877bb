/**
 * Delivers channel events to matching subscriptions the way Bird does: signed POSTs, retried on failure.
 *
 * Deliveries run detached from the API request that caused them (Bird never makes the caller wait for
 * webhooks), and are cancelled as a whole on reset/close so a test or the CLI can stop promptly.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { WebhookHeaders } from '../bird/events';
import { signWebhook } from '../bird/signature';
import type { WebhookEventFilter } from '../bird/schemas';
import { sleep } from './sleep';
import type { StoredSubscription } from './store';
import type { ChannelEventBody, SimDelivery } from './types';

/**
 * Bird retries a failed delivery for about a day, backing off, with the original timestamp, request id and body.
 * The simulator keeps that schedule, compressed by `webhookRetryScale` (tests use ~1/500: the same sequence of
 * retries in a minute), so receiver behaviour that depends on Bird retrying ("503, try later") is exercised as it
 * will meet it.
 */
export const BIRD_RETRY_SCHEDULE_MS = [
  30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000,
] as const;

/** Every delivery in flight or waiting to retry listens on it: hundreds at once while a receiver is down is normal. */
function unlimited(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}

interface Route {
  publicPrefix: string;
  localPrefix: string;
}

/** Filters are AND-ed. A key that does not describe channel events (e.g. interactionType) cannot match one. */
function matches(filters: readonly WebhookEventFilter[], body: ChannelEventBody): boolean {
  return filters.every((f) => {
    switch (f.key) {
      case 'channelId':
        return body.payload.channelId === f.value;
      case 'channelStatus':
      case 'status':
        return body.payload.status === f.value;
      case 'platformId':
        return body.payload.platformId === f.value;
      default:
        return false;
    }
  });
}

export class WebhookDispatcher {
  private routes: Route[] = [];
  private records: SimDelivery[] = [];
  private lifetime = unlimited(new AbortController());

  constructor(
    private readonly subscriptions: () => readonly StoredSubscription[],
    private readonly timeoutMs: number,
    private readonly retryScale = 1,
  ) {}

  route(publicPrefix: string, localPrefix: string): void {
    this.routes = this.routes.filter((r) => r.publicPrefix !== publicPrefix);
    this.routes.push({ publicPrefix, localPrefix });
  }

  deliveries(): SimDelivery[] {
    return structuredClone(this.records);
  }

  dispatch(workspaceId: string, body: ChannelEventBody): void {
    for (const stored of this.subscriptions()) {
      const sub = stored.subscription;
      if (sub.workspaceId !== workspaceId || sub.status !== 'active') continue;
      if (sub.service !== 'channels' || sub.event !== body.event || !matches(sub.eventFilters, body)) continue;
      this.deliver(stored, body, this.lifetime.signal).catch(() => undefined);
    }
  }

  /** Aborts in-flight deliveries and forgets recorded ones; later events deliver normally. */
  reset(): void {
    this.lifetime.abort();
    this.lifetime = unlimited(new AbortController());
    this.records = [];
  }

  close(): void {
    this.lifetime.abort();
  }

  /** Longest matching prefix wins, so a specific route can override a broad one. */
  private targetFor(url: string): string {
    let best: Route | undefined;
    for (const r of this.routes) {
      if (url.startsWith(r.publicPrefix) && (!best || r.publicPrefix.length > best.publicPrefix.length)) best = r;
    }
    return best ? best.localPrefix + url.slice(best.publicPrefix.length) : url;
  }

  private async deliver(stored: StoredSubscription, body: ChannelEventBody, signal: AbortSignal): Promise<void> {
    const { url, id: subscriptionId } = stored.subscription;
    const target = this.targetFor(url);
    const raw = JSON.stringify(body);
    // Id and timestamp are fixed per delivery, not per attempt, so receivers can deduplicate retries.
    const requestId = randomUUID();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [WebhookHeaders.requestId]: requestId,
      [WebhookHeaders.timestamp]: timestamp,
    };
    // Signed over the public url the subscriber registered, not the loopback target: that is what it verifies.
    if (stored.signingKey !== undefined)
      headers[WebhookHeaders.signature] = signWebhook(stored.signingKey, timestamp, url, raw);

    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return;
      const at = Date.now();
      let status: number | 'error';
      let error: string | undefined;
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers,
          body: raw,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (err) {
        if (signal.aborted) return;
        status = 'error';
        error =
          err instanceof Error
            ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`
            : String(err);
      }
      this.records.push({
        subscriptionId,
        url,
        target,
        event: body.event,
        requestId,
        timestamp,
        attempt,
        at,
        status,
        ...(error ? { error } : {}),
        body,
      });
      if (typeof status === 'number' && status >= 200 && status < 300) return;
      const delay = BIRD_RETRY_SCHEDULE_MS[attempt - 1];
      if (delay === undefined) return;
      await sleep(Math.max(1, Math.round(delay * this.retryScale)), signal);
    }
  }
}
