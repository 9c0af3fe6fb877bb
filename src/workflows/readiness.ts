/**
 * The durable readiness wait. Polling is one activity whose retry policy is the backoff (Temporal's "infrequent
 * polling" pattern: retries add no history events, so the history stays the same size whatever the deadline and
 * interval), raced against webhook reports. Whichever first sees ok/active wins; an error status or a deprovisioned
 * stage fails it at once. At the deadline the status is read once more in every mode, so a channel that became
 * ready after the last poll (or whose webhook was lost) is not deleted.
 *
 * Why not timers: one timer and one activity per poll cost ~8 events, and the inputs people write (a 100 ms cap
 * with a 30 min deadline, or a week's deadline with a 1 min cap) reach Temporal's 51,200-event limit, where the
 * server terminates the run and compensation never runs. Continue-as-new would bound it too, at the price of
 * carrying the saga across runs; the retry policy needs no state at all.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { ActiveChannel, ChannelReadinessSnapshot } from '../activities';
import { formatDuration } from '../domain/duration';
import { FailureType } from '../domain/failure-types';
import type { ReadinessOptions } from '../domain/provisioning-input';
import { classifyChannelState } from '../domain/readiness';
import { messageOf } from './compensation';
import type { ProvisioningProgress } from '../domain/provisioning';
import type { StatusReportInbox } from './status-reports';

export class ReadinessFailed extends Error {}

export interface ReadinessContext {
  options: ReadinessOptions;
  inbox: StatusReportInbox;
  progress: ProvisioningProgress;
  /** Polls until active, failed, or `remainingMs` has passed (then it fails with a timeout or "not ready"). */
  pollUntilActive: (remainingMs: number) => Promise<ActiveChannel>;
  /** One status read. */
  readOnce: () => Promise<ChannelReadinessSnapshot>;
  onChannelId: (channelId: string) => void;
  onObserved: () => void;
}

export interface ReadyChannel {
  status: string;
  stage: string;
  source: 'poll' | 'webhook';
}

export type PollOutcome =
  | { kind: 'ready'; channel: ActiveChannel }
  | { kind: 'failed'; reason: string }
  | { kind: 'deadline'; lastError?: string }
  | { kind: 'cancelled'; err: unknown };

export async function awaitChannelReadiness(ctx: ReadinessContext): Promise<ReadyChannel> {
  const wait = new ReadinessWait(ctx);
  wait.startPolling();
  return (await wait.untilReadyOrDeadline()) ?? (await wait.finalCheck());
}

/** One readiness wait: the poll activity (if polling), the webhook reports (if listening), and the deadline. */
class ReadinessWait {
  private readonly polling: boolean;
  private readonly listening: boolean;
  private readonly deadlineAt: number;
  private readonly pollScope: CancellationScope;
  private poll: Promise<PollOutcome> | undefined;
  private pollLastError: string | undefined;

  constructor(private readonly ctx: ReadinessContext) {
    this.polling = ctx.options.mode !== 'webhook';
    this.listening = ctx.options.mode !== 'poll';
    this.deadlineAt = Date.now() + ctx.options.deadline;
    this.pollScope = new CancellationScope();
  }

  /** Starts the poll activity in its own scope, so a report that wins the race can cancel it. */
  startPolling(): void {
    if (!this.polling) return;
    this.poll = this.pollScope
      .run(() => this.ctx.pollUntilActive(this.deadlineAt - Date.now()))
      .then(
        (channel): PollOutcome => ({ kind: 'ready', channel }),
        (err: unknown) => pollFailure(err, this.ctx.progress),
      );
  }

  /** Records what was seen; the ready channel, undefined while not ready, or ReadinessFailed when it failed. */
  private observe(snapshot: ChannelReadinessSnapshot, source: 'poll' | 'webhook'): ReadyChannel | undefined {
    const { progress } = this.ctx;
    if (snapshot.channelId && snapshot.channelId !== progress.channelId) {
      progress.channelId = snapshot.channelId;
      this.ctx.onChannelId(snapshot.channelId);
    }
    progress.lastStatus = {
      status: snapshot.status,
      stage: snapshot.stage,
      errorMessage: snapshot.errorMessage,
      source,
      at: new Date().toISOString(),
    };
    this.ctx.onObserved();
    const verdict = classifyChannelState(snapshot);
    if (verdict.kind === 'failed') throw new ReadinessFailed(`${verdict.reason} (seen by ${source})`);
    if (verdict.kind === 'ready') return { status: snapshot.status!, stage: snapshot.stage!, source };
    return undefined;
  }

  /** Races the poll against the reports until one decides; undefined when the deadline came first. */
  async untilReadyOrDeadline(): Promise<ReadyChannel | undefined> {
    try {
      for (;;) {
        const reported = this.takeReports();
        if (reported) return reported;
        const remaining = this.deadlineAt - Date.now();
        if (!this.poll && remaining <= 0) return undefined;
        if (!this.poll && !this.listening) {
          // Retries stop early when the next one would land past the deadline: wait for the deadline itself.
          await sleep(remaining, {
            summary: `wait for the readiness deadline (${formatDuration(remaining)}) before the final status check`,
          });
          return undefined;
        }
        const next = await Promise.race(this.waiters(remaining));
        if (next === 'report' || next === 'timeout') continue;
        const ready = this.onPollOutcome(next);
        if (ready) return ready;
      }
    } finally {
      this.pollScope.cancel();
    }
  }

  private takeReports(): ReadyChannel | undefined {
    if (!this.listening) return undefined;
    for (const report of this.ctx.inbox.take()) {
      const ready = this.observe(report, 'webhook');
      if (ready) return ready;
    }
    return undefined;
  }

  private waiters(remaining: number): Array<Promise<PollOutcome | 'report' | 'timeout'>> {
    const { inbox } = this.ctx;
    const waiters: Array<Promise<PollOutcome | 'report' | 'timeout'>> = [];
    if (this.poll) waiters.push(this.poll);
    // With a poll running, the poll itself ends at the deadline; without one, the wait for reports does.
    if (this.listening) {
      waiters.push(
        this.poll
          ? condition(() => inbox.hasPending()).then(() => 'report' as const) // no timer: the poll ends at the deadline
          : condition(() => inbox.hasPending(), remaining, {
              summary: `wait for a webhook report until the deadline (${formatDuration(remaining)})`,
            }).then((got) => (got ? 'report' : 'timeout')),
      );
    }
    return waiters;
  }

  /** The poll ended: the ready channel, a failure (thrown), or undefined when it gave up at the deadline. */
  private onPollOutcome(next: PollOutcome): ReadyChannel | undefined {
    if (next.kind === 'ready') {
      this.ctx.progress.statusPolls += next.channel.statusReads;
      const ready = this.observe(next.channel, 'poll');
      if (ready) return ready;
      throw new ReadinessFailed('status poll returned a channel that is not active'); // the activity only returns active ones
    }
    if (next.kind === 'failed') throw new ReadinessFailed(next.reason);
    if (next.kind === 'cancelled') throw next.err;
    // The poll gave up at (or just before) the deadline; reports may still arrive until the deadline itself.
    this.pollLastError = next.lastError;
    this.poll = undefined;
    return undefined;
  }

  /**
   * The deadline, in every mode: one last look, so a channel that became ready after the last poll (or whose
   * webhook was lost) is not deleted.
   */
  async finalCheck(): Promise<ReadyChannel> {
    const { progress, options } = this.ctx;
    let finalError: string | undefined;
    try {
      progress.statusPolls++;
      const last = this.observe(await this.ctx.readOnce(), 'poll');
      if (last) return last;
    } catch (err) {
      if (err instanceof ReadinessFailed || isCancellation(err)) throw err;
      finalError = messageOf(err);
    }
    const lastSeen = `${progress.lastStatus?.status ?? 'none'}/${progress.lastStatus?.stage ?? 'none'}`;
    const why = finalError ?? this.pollLastError;
    throw new ReadinessFailed(
      `channel not ready within the ${formatDuration(options.deadline)} deadline (last status: ${lastSeen}${why ? `; ${why}` : ''})`,
    );
  }
}

/** What a failed poll activity means for readiness (pure: tested without a workflow, test/unit/poll-failure.test.ts). */
export function pollFailure(err: unknown, progress: ProvisioningProgress): PollOutcome {
  if (isCancellation(err) || err instanceof CancelledFailure) return { kind: 'cancelled', err };
  if (!(err instanceof ActivityFailure)) throw err;
  // A schedule-to-close timeout carries the last attempt's failure as its cause: what the last poll saw.
  const cause =
    err.cause instanceof TimeoutFailure && err.cause.cause instanceof ApplicationFailure ? err.cause.cause : err.cause;
  if (cause instanceof ApplicationFailure) {
    const seen = cause.details?.[0] as
      (ChannelReadinessSnapshot & { statusReads?: number; notDue?: boolean }) | undefined;
    if (seen?.statusReads) progress.statusPolls += seen.statusReads;
    // An attempt that came before the minimum activation time read nothing: there is no status to show.
    if (
      seen &&
      !seen.notDue &&
      (cause.type === FailureType.channelFailed || cause.type === FailureType.channelNotReady)
    ) {
      progress.lastStatus = {
        status: seen.status,
        stage: seen.stage,
        errorMessage: seen.errorMessage,
        source: 'poll',
        at: new Date().toISOString(),
      };
    }
    if (cause.type === FailureType.channelFailed) return { kind: 'failed', reason: `${cause.message} (seen by poll)` };
    // "Not ready" with no time left for another retry is the deadline.
    if (cause.type === FailureType.channelNotReady) return { kind: 'deadline' };
    if (cause.nonRetryable) return { kind: 'failed', reason: `status check refused: ${cause.message}` };
    return { kind: 'deadline', lastError: `last poll error: ${cause.message}` };
  }
  if (cause instanceof TimeoutFailure) return { kind: 'deadline' };
  return { kind: 'deadline', lastError: `last poll error: ${messageOf(err)}` };
}
