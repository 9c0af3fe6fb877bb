/**
 * How a bulk run learns when to look (docs/polling.md). Its first rows, the scouts, poll as their input says; the
 * rest wait until enough scouts have reported their readiness wait, then start with the schedule those waits give
 * (`learnedSchedule`), and every later report refines it. The schedule travels in each child's input, so the child
 * stays deterministic and a run in flight is never changed.
 *
 * Plain state on the bulk window (carried through continue-as-new), no Temporal calls of its own.
 */
import type { InventoryPageRow } from '../activities';
import type { ProvisionChannelInput } from '../domain/provisioning-input';
import { addActivationSample, learnedSchedule, MIN_ACTIVATION_SAMPLES } from '../domain/readiness';
import type { BulkLearning } from '../domain/bulk-onboarding';
import type { BulkWindow } from './bulk-window';
import type { ProvisioningFinished } from '../domain/provisioning';

/** One row in this many is a scout once the schedule is learned: about 0.1 extra reads per number. */
export const SCOUT_EVERY = 25;

export class ScheduleLearner {
  readonly #learning?: BulkLearning;

  /** `enabled` is false for runs started before learning existed: they start every row as they did. */
  constructor(window: BulkWindow, enabled: boolean) {
    if (enabled) window.state.learning ??= { samples: { waitsMs: [], sources: [] }, scouts: 0, scoutsRunning: 0 };
    this.#learning = enabled ? window.state.learning : undefined;
  }

  /**
   * A row's report: an active channel's readiness wait is a sample of the activation time, unless the row polled on
   * a learned schedule (`learned`). Such a row found ready says only that its channel was ready by its read, which
   * came after the learned wait and the reads queue's: taking it as the activation time would push the learned wait
   * up by the queue's wait with every generation of rows. Its source still counts (are webhooks arriving?).
   */
  observe(finished: ProvisioningFinished, learned = false): void {
    const l = this.#learning;
    if (
      !l ||
      finished.outcome !== 'active' ||
      typeof finished.readinessWaitMs !== 'number' ||
      !finished.readinessSource
    )
      return;
    const measured = !learned || finished.readinessSource === 'webhook';
    addActivationSample(l.samples, measured ? finished.readinessWaitMs : undefined, finished.readinessSource);
  }

  /** How many more rows may start now: none while the scouts are out and too few have reported. */
  startable(): number {
    const l = this.#learning;
    if (!l || l.off || l.samples.waitsMs.length >= MIN_ACTIVATION_SAMPLES) return Number.POSITIVE_INFINITY;
    if (l.scouts < MIN_ACTIVATION_SAMPLES) return MIN_ACTIVATION_SAMPLES - l.scouts;
    // Scouts that failed report no sample: once none is left running, the rows keep their own schedule.
    return l.scoutsRunning > 0 ? 0 : Number.POSITIVE_INFINITY;
  }

  /** The input a row is started with, whether it is a scout, and whether it polls on a learned schedule. */
  prepare(row: InventoryPageRow): { input: ProvisionChannelInput; scout: boolean; learned: boolean } {
    const l = this.#learning;
    const r = row.input.readiness;
    const asIs = { input: row.input, scout: false, learned: false };
    if (!l || l.off) return asIs;
    if (r.mode === 'webhook' || r.firstPollAfter !== undefined) {
      // The inventory's rows share their readiness settings: if the first brings its own, there is nothing to learn.
      if (l.scouts === 0 && l.samples.waitsMs.length === 0) l.off = true;
      return asIs;
    }
    const learned = learnedSchedule(l.samples, r);
    // A polling run keeps measuring: every SCOUT_EVERY-th row polls as its input says, so the schedule follows Bird's
    // activation time as it changes (rows on the learned schedule cannot measure it).
    if (learned && r.mode === 'poll' && (l.sinceScout = (l.sinceScout ?? 0) + 1) >= SCOUT_EVERY) {
      l.sinceScout = 0;
      return { ...asIs, scout: true };
    }
    if (learned) return { input: { ...row.input, readiness: { ...r, ...learned } }, scout: false, learned: true };
    if (l.scouts < MIN_ACTIVATION_SAMPLES) {
      l.scouts++;
      return { ...asIs, scout: true };
    }
    return asIs;
  }
}
