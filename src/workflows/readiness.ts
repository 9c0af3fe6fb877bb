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
import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, condition, isCancellation, sleep, TimeoutFailure } from '@temporalio/workflow';
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
  const { options, inbox, progress } = ctx;
  const polling = options.mode !== 'webhook';
  const listening = options.mode !== 'poll';
  const deadlineAt = Date.now() + options.deadline;

  const observe = (snapshot: ChannelReadinessSnapshot, source: 'poll' | 'webhook'): ReadyChannel | undefined => {
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

  const pollScope = new CancellationScope();
  let poll: Promise<PollOutcome> | undefined = polling
    ? pollScope.run(() => ctx.pollUntilActive(deadlineAt - Date.now())).then(
        (channel): PollOutcome => ({ kind: 'ready', channel }),
        (err: unknown) => pollFailure(err, progress),
      )
    : undefined;
  let pollLastError: string | undefined;

  try {
    for (;;) {
      if (listening) {
        for (const report of inbox.take()) {
          const ready = observe(report, 'webhook');
          if (ready) return ready;
        }
      }
      const remaining = deadlineAt - Date.now();
      if (!poll && remaining <= 0) break;
      if (!poll && !listening) {
        // Retries stop early when the next one would land past the deadline: wait for the deadline itself.
        await sleep(remaining, { summary: `wait for the readiness deadline (${formatDuration(remaining)}) before the final status check` });
        break;
      }
      const waiters: Array<Promise<PollOutcome | 'report' | 'timeout'>> = [];
      if (poll) waiters.push(poll);
      // With a poll running, the poll itself ends at the deadline; without one, the wait for reports does.
      if (listening) {
        waiters.push(
          poll
            ? condition(() => inbox.hasPending()).then(() => 'report' as const) // no timer: the poll ends at the deadline
            : condition(() => inbox.hasPending(), remaining, { summary: `wait for a webhook report until the deadline (${formatDuration(remaining)})` }).then((got) =>
                got ? 'report' : 'timeout',
              ),
        );
      }
      const next = await Promise.race(waiters);
      if (next === 'report' || next === 'timeout') continue;
      if (next.kind === 'ready') {
        progress.statusPolls += next.channel.statusReads;
        const ready = observe(next.channel, 'poll');
        if (ready) return ready;
        throw new ReadinessFailed('status poll returned a channel that is not active'); // the activity only returns active ones
      }
      if (next.kind === 'failed') throw new ReadinessFailed(next.reason);
      if (next.kind === 'cancelled') throw next.err;
      // The poll gave up at (or just before) the deadline; reports may still arrive until the deadline itself.
      pollLastError = next.lastError;
      poll = undefined;
    }
  } finally {
    pollScope.cancel();
  }

  // The deadline, in every mode: one last look, so a channel that became ready after the last poll (or whose
  // webhook was lost) is not deleted.
  let finalError: string | undefined;
  try {
    progress.statusPolls++;
    const last = observe(await ctx.readOnce(), 'poll');
    if (last) return last;
  } catch (err) {
    if (err instanceof ReadinessFailed || isCancellation(err)) throw err;
    finalError = messageOf(err);
  }
  const lastSeen = `${progress.lastStatus?.status ?? 'none'}/${progress.lastStatus?.stage ?? 'none'}`;
  const why = finalError ?? pollLastError;
  throw new ReadinessFailed(`channel not ready within the ${formatDuration(options.deadline)} deadline (last status: ${lastSeen}${why ? `; ${why}` : ''})`);
}

/** What a failed poll activity means for readiness (pure: tested without a workflow, test/unit/poll-failure.test.ts). */
export function pollFailure(err: unknown, progress: ProvisioningProgress): PollOutcome {
  if (isCancellation(err) || err instanceof CancelledFailure) return { kind: 'cancelled', err };
  if (!(err instanceof ActivityFailure)) throw err;
  // A schedule-to-close timeout carries the last attempt's failure as its cause: what the last poll saw.
  const cause = err.cause instanceof TimeoutFailure && err.cause.cause instanceof ApplicationFailure ? err.cause.cause : err.cause;
  if (cause instanceof ApplicationFailure) {
    const seen = cause.details?.[0] as (ChannelReadinessSnapshot & { statusReads?: number; notDue?: boolean }) | undefined;
    if (seen?.statusReads) progress.statusPolls += seen.statusReads;
    // An attempt that came before the minimum activation time read nothing: there is no status to show.
    if (seen && !seen.notDue && (cause.type === FailureType.channelFailed || cause.type === FailureType.channelNotReady)) {
      progress.lastStatus = { status: seen.status, stage: seen.stage, errorMessage: seen.errorMessage, source: 'poll', at: new Date().toISOString() };
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
