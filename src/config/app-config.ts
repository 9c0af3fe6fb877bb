/**
 * Process configuration, read once from the environment and validated with zod.
 *
 * Temporal connection settings follow @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and the TOML config file), so a Temporal Cloud
 * namespace works with the same variables the Temporal CLI uses.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { InvalidFields, parseFields } from '../base/zod-issues';
import { problemText, type FieldProblem } from '../base/problems';
import { Secret } from '../base/secret';

export class ConfigError extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('configuration', problems);
    this.name = 'ConfigError';
  }
}

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233');

export const EnvSchema = z.object({
  BIRD_API_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.bird.com'),
  BIRD_ACCESS_KEY: z.string().min(1, 'must not be empty').optional(),
  BIRD_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('channel-provisioning'),
});

export interface BirdConfig {
  baseUrl: string;
  accessKey: Secret | undefined;
  requestTimeoutMs: number;
}

export interface AppConfig {
  bird: BirdConfig;
  temporal: { connectionOptions: NativeConnectionOptions; namespace: string; taskQueue: string };
}

/**
 * Reads several pieces of configuration and keeps every problem instead of stopping at the first, so a deployment
 * is fixed in one round: `read` returns undefined for a piece that failed (a ConfigError), and `problems` says why.
 */
export class ConfigReader {
  readonly problems: string[] = [];

  read<T>(load: () => T): T | undefined {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(...err.problems.map(problemText));
      return undefined;
    }
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { requireAccessKey?: boolean } = {}): AppConfig {
  const e = parseFields(EnvSchema, env, (problems) => new ConfigError(problems));
  if (opts.requireAccessKey && !e.BIRD_ACCESS_KEY) {
    throw new ConfigError([
      { field: 'BIRD_ACCESS_KEY', reason: 'required (the Bird access key; with the simulator use sim-access-key)' },
    ]);
  }
  let temporal: ReturnType<typeof loadClientConnectConfig>;
  try {
    temporal = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  } catch (err) {
    throw new ConfigError([{ field: 'TEMPORAL_* / Temporal config file', reason: (err as Error).message }]);
  }
  return {
    bird: {
      baseUrl: e.BIRD_API_BASE_URL.replace(/\/+$/, ''),
      accessKey: e.BIRD_ACCESS_KEY ? new Secret(e.BIRD_ACCESS_KEY) : undefined,
      requestTimeoutMs: e.BIRD_REQUEST_TIMEOUT_MS,
    },
    temporal: {
      connectionOptions: {
        ...temporal.connectionOptions,
        address: e.TEMPORAL_ADDRESS ?? temporal.connectionOptions.address ?? '127.0.0.1:7233',
      },
      namespace: e.TEMPORAL_NAMESPACE ?? temporal.namespace ?? 'default',
      taskQueue: e.TEMPORAL_TASK_QUEUE,
    },
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => kv[1] !== undefined));
}
