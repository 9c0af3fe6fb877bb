/**
 * Environment for `npm run bird-sim`. Errors name the variable but never echo values: one of them is an
 * access key.
 */
import { z } from 'zod';
import { BIRD_RATE_LIMITS } from '../bird/rate-limits/budget';
import { describeIssues } from '../base/zod-issues';
import { DEFAULT_ACCESS_KEY } from './defaults';
import { RATE_LIMIT_WINDOWS } from './rate-limits';
import type { FaultConfig, SimulatorOptions } from './types';

export interface DeliveryRoute {
  publicUrlPrefix: string;
  localUrlPrefix: string;
}

export interface SimEnvConfig {
  options: SimulatorOptions & { host: string; port: number; accessKeys: string[] };
  routes: DeliveryRoute[];
  /** Whether the access key came from the environment (the CLI says so without printing it). */
  customAccessKey: boolean;
}

/** An empty variable counts as unset, so `BIRD_SIM_LATENCY_MS= npm run bird-sim` means the default. */
const unsetIfEmpty = (v: unknown): unknown => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional());
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const rate = () => z.coerce.number().min(0).max(1);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const Route = z.string().transform((entry, ctx): DeliveryRoute => {
  const [from = '', to = '', ...rest] = entry.split('=').map((s) => s.trim());
  if (rest.length > 0 || !httpUrl.safeParse(from).success || !httpUrl.safeParse(to).success) {
    ctx.addIssue({
      code: 'custom',
      message: 'each entry must look like https://public.example.com=http://127.0.0.1:8788',
    });
    return z.NEVER;
  }
  return { publicUrlPrefix: from, localUrlPrefix: to };
});

export const SimEnv = z.object({
  BIRD_SIM_PORT: optional(int(0, 65535)).default(8787),
  BIRD_SIM_HOST: optional(z.string()).default('127.0.0.1'),
  BIRD_SIM_ACCESS_KEY: optional(z.string().regex(/^\S+$/, 'must be a non-empty token without spaces')),
  BIRD_SIM_PROVISIONING_DELAY_MS: optional(int(0)),
  BIRD_SIM_DEPROVISIONING_DELAY_MS: optional(int(0)),
  BIRD_SIM_LATENCY_MS: optional(int(0)),
  BIRD_SIM_5XX_RATE: optional(rate()),
  BIRD_SIM_429_RATE: optional(rate()),
  BIRD_SIM_RETRY_AFTER_S: optional(int(0)),
  BIRD_SIM_LOST_CREATE_RATE: optional(rate()),
  BIRD_SIM_ROUTE: optional(z.string()).transform((v, ctx) => {
    const entries = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const routes: DeliveryRoute[] = [];
    for (const entry of entries) {
      const parsed = Route.safeParse(entry);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid route' });
        return z.NEVER;
      }
      routes.push(parsed.data);
    }
    return routes;
  }),
  BIRD_SIM_SEED: optional(int(0)),
  /** Bird's per-workspace limits, enforced as 429 + Retry-After (e.g. 50 and 500, Bird's defaults); off when unset. */
  BIRD_SIM_RATE_LIMIT_GET_PER_SECOND: optional(z.coerce.number().positive()),
  BIRD_SIM_RATE_LIMIT_POST_PER_SECOND: optional(z.coerce.number().positive()),
  /** How the limits count: token-bucket (default; bursts up to twice the rate) or sliding-window (never more in any second). */
  BIRD_SIM_RATE_LIMIT_WINDOW: optional(z.enum(RATE_LIMIT_WINDOWS)),
  BIRD_SIM_WEBHOOK_RETRY_SCALE: optional(z.coerce.number().gt(0).max(1)),
});

export class SimEnvError extends Error {
  override readonly name = 'SimEnvError';
}

export function parseSimEnv(env: NodeJS.ProcessEnv): SimEnvConfig {
  const parsed = SimEnv.safeParse(env);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error.issues, '  ');
    throw new SimEnvError(`invalid bird-sim environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const faults: Partial<FaultConfig> = {
    ...(e.BIRD_SIM_LATENCY_MS !== undefined ? { latencyMs: e.BIRD_SIM_LATENCY_MS } : {}),
    ...(e.BIRD_SIM_5XX_RATE !== undefined ? { serverErrorRate: e.BIRD_SIM_5XX_RATE } : {}),
    ...(e.BIRD_SIM_429_RATE !== undefined ? { rateLimitRate: e.BIRD_SIM_429_RATE } : {}),
    ...(e.BIRD_SIM_RETRY_AFTER_S !== undefined ? { retryAfterSeconds: e.BIRD_SIM_RETRY_AFTER_S } : {}),
    ...(e.BIRD_SIM_LOST_CREATE_RATE !== undefined ? { lostCreateResponseRate: e.BIRD_SIM_LOST_CREATE_RATE } : {}),
  };
  return {
    options: {
      host: e.BIRD_SIM_HOST,
      port: e.BIRD_SIM_PORT,
      accessKeys: [e.BIRD_SIM_ACCESS_KEY ?? DEFAULT_ACCESS_KEY],
      ...(e.BIRD_SIM_PROVISIONING_DELAY_MS !== undefined
        ? { provisioningDelayMs: e.BIRD_SIM_PROVISIONING_DELAY_MS }
        : {}),
      ...(e.BIRD_SIM_DEPROVISIONING_DELAY_MS !== undefined
        ? { deprovisioningDelayMs: e.BIRD_SIM_DEPROVISIONING_DELAY_MS }
        : {}),
      ...(e.BIRD_SIM_SEED !== undefined ? { seed: e.BIRD_SIM_SEED } : {}),
      ...(e.BIRD_SIM_RATE_LIMIT_GET_PER_SECOND !== undefined ||
      e.BIRD_SIM_RATE_LIMIT_POST_PER_SECOND !== undefined ||
      e.BIRD_SIM_RATE_LIMIT_WINDOW !== undefined
        ? {
            rateLimits: {
              getPerSecond: e.BIRD_SIM_RATE_LIMIT_GET_PER_SECOND ?? BIRD_RATE_LIMITS.getPerSecond,
              postPerSecond: e.BIRD_SIM_RATE_LIMIT_POST_PER_SECOND ?? BIRD_RATE_LIMITS.postPerSecond,
              window: e.BIRD_SIM_RATE_LIMIT_WINDOW ?? 'token-bucket',
            },
          }
        : {}),
      ...(e.BIRD_SIM_WEBHOOK_RETRY_SCALE !== undefined ? { webhookRetryScale: e.BIRD_SIM_WEBHOOK_RETRY_SCALE } : {}),
      faults,
    },
    routes: e.BIRD_SIM_ROUTE,
    customAccessKey: e.BIRD_SIM_ACCESS_KEY !== undefined,
  };
}
