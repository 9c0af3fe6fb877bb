/**
 * What a channel's status/stage means for readiness. Pure, shared by the workflow (polls and signals) and tests.
 */
import type { ComponentStage, ComponentStatus } from '../bird/schemas';

export interface ChannelState {
  channelId?: string;
  status?: ComponentStatus | null;
  stage?: ComponentStage | null;
  errorMessage?: string | null;
}

export type Readiness = { kind: 'ready' } | { kind: 'failed'; reason: string } | { kind: 'pending' };

export function classifyChannelState(state: ChannelState): Readiness {
  if (state.status === 'error') {
    return { kind: 'failed', reason: `channel status is error${state.errorMessage ? `: ${state.errorMessage}` : ''}` };
  }
  if (state.stage === 'deprovisioning' || state.stage === 'deprovisioned') {
    return { kind: 'failed', reason: `channel is ${state.stage}` };
  }
  if (state.status === 'ok' && state.stage === 'active') return { kind: 'ready' };
  return { kind: 'pending' };
}

/** The next poll delay: exponential backoff, capped, and never past the deadline. */
export function nextPollDelay(previousMs: number | undefined, opts: { initialMs: number; coefficient: number; maxMs: number }): number {
  if (previousMs === undefined) return opts.initialMs;
  return Math.min(Math.round(previousMs * opts.coefficient), opts.maxMs);
}
