/**
 * Which fault, if any, the next API request gets: scripted faults first (exact, for tests that need a given
 * sequence), then random ones by rate from a seeded PRNG (so a failing randomised run can be replayed).
 */
import { z } from 'zod';
import { NO_FAULTS } from './defaults';
import type { FaultConfig, OperationId, ScriptedFault } from './types';

const rate = z.number().min(0).max(1);

export const FaultConfigPatch = z.strictObject({
  latencyMs: z.number().int().min(0).optional(),
  serverErrorRate: rate.optional(),
  rateLimitRate: rate.optional(),
  retryAfterSeconds: z.number().int().min(0).nullable().optional(),
  lostCreateResponseRate: rate.optional(),
});

export const ScriptedFaultName = z.enum(['503', '500', '429', '429-retry-after', 'lost-response', 'timeout']);

/** mulberry32: tiny, good enough for fault dice, and reproducible from a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private current: FaultConfig;
  private readonly scripted = new Map<OperationId, ScriptedFault[]>();
  private readonly random: () => number;

  constructor(initial: Partial<FaultConfig> | undefined, seed: number) {
    this.current = { ...NO_FAULTS };
    this.set(initial ?? {});
    this.random = mulberry32(seed);
  }

  get config(): Readonly<FaultConfig> {
    return this.current;
  }

  /** Throws (zod error) on out-of-range values rather than silently injecting nonsense. */
  set(patch: Partial<FaultConfig>): void {
    const valid = FaultConfigPatch.parse(patch);
    const next = { ...this.current };
    for (const [key, value] of Object.entries(valid)) {
      if (value !== undefined) Object.assign(next, { [key]: value });
    }
    this.current = next;
  }

  script(operationId: OperationId, fault: ScriptedFault, count = 1): void {
    const queue = this.scripted.get(operationId) ?? [];
    for (let i = 0; i < count; i++) queue.push(fault);
    this.scripted.set(operationId, queue);
  }

  clearScripted(): void {
    this.scripted.clear();
  }

  /** The fault for this request before it is handled. One die per request keeps replay stable. */
  next(operationId: OperationId): ScriptedFault | undefined {
    const scripted = this.scripted.get(operationId)?.shift();
    if (scripted) return scripted;
    const roll = this.random();
    const { serverErrorRate, rateLimitRate, retryAfterSeconds } = this.current;
    if (roll < serverErrorRate) return '503';
    if (roll < serverErrorRate + rateLimitRate) return retryAfterSeconds === null ? '429' : '429-retry-after';
    return undefined;
  }

  /** Whether to drop the reply of a create that already succeeded. Rolled only then, so rates stay independent. */
  loseCreateResponse(): boolean {
    const { lostCreateResponseRate } = this.current;
    return lostCreateResponseRate > 0 && this.random() < lostCreateResponseRate;
  }
}
