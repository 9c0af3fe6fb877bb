/**
 * Structured JSON logs (pino) for the worker and the receiver, and the bridge that routes the Temporal runtime's
 * logs (SDK, workflow `log`, activity `log`, forwarded Core logs) into the same stream with their context:
 * workflow id, run id, workflow/activity type, activity id and attempt.
 *
 * Secrets are Secret objects (they serialise as "[redacted]"); the redact paths below are a second belt for any
 * header or field that might carry one by value.
 */
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'accessKey',
  'signingKey',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["messagebird-signature"]',
  '*.accessKey',
  '*.signingKey',
  '*.securityArguments',
];

export function createLogger(
  service: string,
  opts: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const options: LoggerOptions = {
    name: service,
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The keys people filter on, lifted to the top level of every Temporal log line. */
const CONTEXT_KEYS = [
  'namespace',
  'taskQueue',
  'workflowId',
  'runId',
  'workflowType',
  'activityId',
  'activityType',
  'attempt',
  'sdkComponent',
];

/** Turns a Temporal LogEntry into a pino call; bigint timestamps and Error values survive JSON. */
export function temporalLogFunction(logger: Logger): (entry: LogEntry) => void {
  return (entry) => {
    const meta: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry.meta ?? {})) {
      if (key === 'taskToken') continue; // opaque, long, and of no use to a reader
      // Activity entries say workflowRunId; one name (runId) lets a log query follow a run across both.
      const name = key === 'workflowRunId' ? 'runId' : key;
      meta[name] = typeof value === 'bigint' ? value.toString() : value instanceof Error ? errorFields(value) : value;
    }
    const ordered: Record<string, unknown> = {};
    for (const key of CONTEXT_KEYS) if (key in meta) ordered[key] = meta[key];
    logger[PINO_LEVEL[entry.level]]({ ...meta, ...ordered }, entry.message);
  };
}

/** Errors lose their message in JSON.stringify; keep type, message and failure type (never a stack of secrets). */
function errorFields(err: Error): Record<string, unknown> {
  const e = err as Error & { type?: string; nonRetryable?: boolean; cause?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.type ? { type: e.type } : {}),
    ...(e.nonRetryable !== undefined ? { nonRetryable: e.nonRetryable } : {}),
    ...(e.cause instanceof Error ? { cause: errorFields(e.cause) } : {}),
  };
}

/** A Temporal runtime logger writing through pino (level from LOG_LEVEL, mapped to Temporal's names). */
export function temporalLogger(logger: Logger): DefaultLogger {
  const level = (Object.entries(PINO_LEVEL).find(([, p]) => p === logger.level)?.[0] ?? 'INFO') as LogLevel;
  return new DefaultLogger(level, temporalLogFunction(logger));
}
