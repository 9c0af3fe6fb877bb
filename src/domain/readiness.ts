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

/**
 * Bird's rule for a channel that serves: status ok and stage active. The readiness wait and the bulk run's check of a
 * connector Bird already had both decide by it.
 */
export function isChannelActive(state: { status?: string | null; stage?: string | null }): boolean {
  return state.status === 'ok' && state.stage === 'active';
}

export function classifyChannelState(state: ChannelState): Readiness {
  if (state.status === 'error') {
    return { kind: 'failed', reason: `channel status is error${state.errorMessage ? `: ${state.errorMessage}` : ''}` };
  }
  if (state.stage === 'deprovisioning' || state.stage === 'deprovisioned') {
    return { kind: 'failed', reason: `channel is ${state.stage}` };
  }
  if (isChannelActive(state)) return { kind: 'ready' };
  return { kind: 'pending' };
}

/** What a bulk run has seen of its rows' activation: connector created → channel seen ready, and by whom. */
export interface ActivationSamples {
  /** Readiness waits (ms) of the latest active rows that measured their activation time, oldest first. */
  waitsMs: number[];
  /** Who saw the latest active rows ready, oldest first. */
  sources: Array<'poll' | 'webhook'>;
}

export interface LearnedSchedule {
  firstPollAfter: number;
  initialPollInterval: number;
  backoffCoefficient: number;
  maxPollInterval: number;
}

/** Samples a schedule is learned from; fewer, and rows keep their own. */
export const MIN_ACTIVATION_SAMPLES = 8;

/**
 * The poll schedule for a bulk run's next row, from what its earlier rows observed. Pure, so the workflow stays
 * deterministic. Polling: the first read when nine in ten earlier channels were ready (most rows then need that one
 * read), then reads spaced by a quarter of the observed spread. Webhooks arriving (most recent rows reported by
 * webhook, in a mode that listens; a few rows seen by poll switch it back): polling is only a late safety net, its first read at three times the
 * slowest activation seen or a quarter of the deadline, whichever is later, so a channel whose webhook never comes is
 * still found active well before the deadline.
 */
export function learnedSchedule(
  samples: ActivationSamples,
  r: { mode: string; maxPollInterval: number; deadline: number },
): LearnedSchedule | undefined {
  const n = samples.waitsMs.length;
  if (n < MIN_ACTIVATION_SAMPLES || r.mode === 'webhook') return undefined;
  const sorted = [...samples.waitsMs].sort((a, b) => a - b);
  const p90 = sorted[Math.floor(0.9 * (n - 1))]!;
  const slowest = sorted[n - 1]!;
  const spread = Math.max(100, Math.round((slowest - sorted[0]!) / 4));
  const recent = samples.sources.slice(-MIN_ACTIVATION_SAMPLES);
  const webhooksArriving = r.mode === 'both' && recent.filter((s) => s === 'webhook').length * 2 > recent.length;
  // A webhook's latency does not scale with the activation time: the safety net waits for the later of three times
  // the slowest wait seen and a quarter of the deadline.
  const first = webhooksArriving ? Math.max(3 * slowest, r.deadline / 4) : p90;
  // Never so late that the deadline's final check would be the first read.
  const firstPollAfter = Math.max(0, Math.min(Math.round(first), Math.round(r.deadline / 2)));
  const initialPollInterval = webhooksArriving ? Math.max(100, Math.round(slowest / 2)) : spread;
  return {
    firstPollAfter,
    initialPollInterval,
    backoffCoefficient: 2,
    maxPollInterval: Math.max(r.maxPollInterval, initialPollInterval),
  };
}

/**
 * Keeps the latest `cap` waits and sources (a bulk run carries them through continue-as-new). A report whose wait
 * says nothing of the activation time (undefined: see ScheduleLearner.observe) still counts for who saw it ready.
 */
export function addActivationSample(
  samples: ActivationSamples,
  waitMs: number | undefined,
  source: 'poll' | 'webhook',
  cap = 64,
): void {
  if (waitMs !== undefined) samples.waitsMs.push(Math.max(0, Math.round(waitMs)));
  samples.sources.push(source);
  if (samples.waitsMs.length > cap) samples.waitsMs.splice(0, samples.waitsMs.length - cap);
  if (samples.sources.length > cap) samples.sources.splice(0, samples.sources.length - cap);
}
