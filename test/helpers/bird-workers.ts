/**
 * Worker processes serving only a stack's Bird queues (`WORKER_TASK_QUEUES=bird-reads,bird-writes`), Bird's limit as
 * their configuration, as a deployment scales the Bird calls apart from the workflows; ready once `count` of them
 * poll the reads queue.
 */
import { temporal as proto } from '@temporalio/proto';
import { birdReadsQueue } from '../../src/bird/rate-limits/queues';
import { startNodeProcess, type NodeProcess } from './processes';
import { SIGNING_KEY_REF, type Stack } from './stack';
import { temporal } from './temporal';
import { waitFor } from './wait';

export async function startBirdWorkers(
  stack: Stack,
  opts: { count: number; getPerSecond: number; env?: Record<string, string> },
): Promise<NodeProcess[]> {
  const { address } = await temporal();
  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    WORKER_TASK_QUEUES: 'bird-reads,bird-writes',
    BIRD_API_BASE_URL: stack.sim.url,
    BIRD_ACCESS_KEY: stack.secrets.accessKey,
    [`BIRD_SECRET_${SIGNING_KEY_REF}`]: stack.secrets.signingKey,
    BIRD_RATE_LIMIT_GET_PER_SECOND: String(opts.getPerSecond),
    BIRD_RATE_LIMIT_POST_PER_SECOND: '500',
    WORKER_HEALTH_PORT: '0',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: process.env.PACING_LOG_LEVEL ?? 'warn',
    ...opts.env,
  };
  const workers = Array.from({ length: opts.count }, () =>
    startNodeProcess('src/worker.ts', env, { node: process.execPath, execArgv: ['--import', 'tsx'] }),
  );
  await waitFor(
    `${opts.count} worker(s) polling the Bird reads queue`,
    async () => {
      const d = await stack.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: birdReadsQueue(stack.taskQueue) },
        taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      return new Set(d.pollers?.map((p) => p.identity)).size >= opts.count ? true : undefined;
    },
    90_000,
    250,
  );
  return workers;
}
