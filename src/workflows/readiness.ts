/**
 * The durable readiness wait: poll the status endpoint with exponential backoff on workflow timers and, in
 * webhook/both mode, wake early on a channelStatusChanged signal. Whichever first sees ok/active wins; an error
 * status, a deprovisioned stage or the deadline fails it.
 */
import { ActivityFailure, ApplicationFailure, condition, isCancellation } from '@temporalio/workflow';
import type { ChannelReadinessSnapshot } from '../activities';
import type { ReadinessOptions } from '../domain/provisioning-input';
import { classifyChannelState, nextPollDelay } from '../domain/readiness';
import { messageOf } from './compensation';
import type { ChannelStatusChanged, ProvisioningProgress } from './definitions';

export class ReadinessFailed extends Error {}

/**
 * Holds webhook-reported channel states until the readiness loop looks at them. Events for other channels are
 * dropped once ours is known; events that arrive before the connector exists wait here until it does.
 */
export class ReadinessInbox {
  readonly #seenRequestIds = new Set<string>();
  #events: ChannelStatusChanged[] = [];

  constructor(private readonly progress: ProvisioningProgress) {}

  receive(event: ChannelStatusChanged): void {
    if (event.requestId) {
      if (this.#seenRequestIds.has(event.requestId)) return;
      this.#seenRequestIds.add(event.requestId);
    }
    this.progress.signalsReceived++;
    this.#events.push(event);
  }

  /** True when an event for this connector's channel is waiting. */
  hasOwnEvent(): boolean {
    return this.#events.some((e) => this.#isOwn(e));
  }

  /** Takes the events that concern this connector's channel, oldest first. */
  take(): ChannelStatusChanged[] {
    const mine = this.#events.filter((e) => this.#isOwn(e));
    // Unmatched events are kept only while our channel id is unknown: they may still turn out to be ours.
    this.#events = this.progress.channelId ? [] : this.#events.filter((e) => !this.#isOwn(e));
    return mine;
  }

  #isOwn(e: ChannelStatusChanged): boolean {
    const { connectorId, channelId } = this.progress;
    if (!connectorId) return false;
    if (e.connectorId) return e.connectorId === connectorId;
    return channelId !== undefined && e.channelId === channelId;
  }
}

export interface ReadinessContext {
  options: ReadinessOptions;
  inbox: ReadinessInbox;
  progress: ProvisioningProgress;
  poll: () => Promise<ChannelReadinessSnapshot>;
  onChannelId: (channelId: string) => void;
  onObserved: () => void;
}

export interface ReadyChannel {
  status: string;
  stage: string;
  source: 'poll' | 'signal';
}

export async function awaitChannelReadiness(ctx: ReadinessContext): Promise<ReadyChannel> {
  const { options, inbox, progress } = ctx;
  const polling = options.mode !== 'webhook';
  const listening = options.mode !== 'poll';
  const deadlineAt = Date.now() + options.deadline;
  let delay: number | undefined;

  const observe = (snapshot: ChannelReadinessSnapshot, source: 'poll' | 'signal'): ReadyChannel | undefined => {
    if (snapshot.channelId && snapshot.channelId !== progress.channelId) {
      progress.channelId = snapshot.channelId;
      ctx.onChannelId(snapshot.channelId);
    }
    progress.lastStatus = { status: snapshot.status, stage: snapshot.stage, errorMessage: snapshot.errorMessage, source, at: new Date().toISOString() };
    ctx.onObserved();
    const verdict = classifyChannelState(snapshot);
    if (verdict.kind === 'failed') throw new ReadinessFailed(`${verdict.reason} (seen by ${source})`);
    if (verdict.kind === 'ready') return { status: snapshot.status!, stage: snapshot.stage!, source };
    return undefined;
  };

  const pollOnce = async (): Promise<ReadyChannel | undefined> => {
    progress.statusPolls++;
    try {
      return observe(await ctx.poll(), 'poll');
    } catch (err) {
      if (err instanceof ReadinessFailed || isCancellation(err)) throw err;
      // A poll whose retries ran out is not fatal (the deadline bounds the wait); one Bird refused is.
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
        throw new ReadinessFailed(`status check refused: ${messageOf(err)}`);
      }
      progress.lastError = messageOf(err);
      return undefined;
    }
  };

  const drainSignals = (): ReadyChannel | undefined => {
    for (const event of inbox.take()) {
      const ready = observe(event, 'signal');
      if (ready) return ready;
    }
    return undefined;
  };

  let nextPollAt = polling ? Date.now() : Number.POSITIVE_INFINITY;
  for (;;) {
    const fromSignal = listening ? drainSignals() : undefined;
    if (fromSignal) return fromSignal;
    if (Date.now() >= nextPollAt) {
      const fromPoll = await pollOnce();
      if (fromPoll) return fromPoll;
      delay = nextPollDelay(delay, { initialMs: options.initialPollInterval, coefficient: options.backoffCoefficient, maxMs: options.maxPollInterval });
      nextPollAt = Date.now() + delay;
      continue; // a signal may have arrived while the poll ran
    }

    const remaining = deadlineAt - Date.now();
    if (remaining <= 0) {
      // In webhook mode a lost delivery must not fail a channel that is in fact ready: look once before giving up.
      if (!polling) {
        const last = await pollOnce();
        if (last) return last;
      }
      throw new ReadinessFailed(
        `channel not ready within the ${options.deadline} ms deadline (last status: ${progress.lastStatus?.status ?? 'none'}/${progress.lastStatus?.stage ?? 'none'})`,
      );
    }
    const wait = Math.max(1, Math.min(nextPollAt - Date.now(), remaining));
    await condition(() => listening && inbox.hasOwnEvent(), wait);
  }
}
