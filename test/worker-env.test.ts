/** The worker's operational settings: defaults, and a clear error naming each bad variable. */
import assert from 'node:assert/strict';
import { ConfigError } from '../src/config/app-config';
import { findWorkflowBundle } from '../src/worker/bundle';
import { loadWorkerEnv, workerTuning } from '../src/worker/env';

describe('worker environment', () => {
  it('has defaults for a local worker: loopback health and metrics, 30 s drain, unversioned', () => {
    const env = loadWorkerEnv({});
    assert.deepEqual(
      {
        host: env.WORKER_HTTP_HOST,
        health: env.WORKER_HEALTH_PORT,
        metrics: env.WORKER_METRICS_PORT,
        grace: env.WORKER_SHUTDOWN_GRACE_TIME,
        name: env.TEMPORAL_WORKER_DEPLOYMENT_NAME,
      },
      { host: '127.0.0.1', health: 9465, metrics: 9464, grace: '30s', name: undefined },
    );
  });

  it('names each bad variable', () => {
    assert.throws(
      () => loadWorkerEnv({ WORKER_HEALTH_PORT: '70000', WORKER_SHUTDOWN_GRACE_TIME: 'soon', LOG_LEVEL: 'loud' }),
      (err: ConfigError) =>
        err instanceof ConfigError &&
        ['WORKER_HEALTH_PORT', 'WORKER_SHUTDOWN_GRACE_TIME', 'LOG_LEVEL'].every((v) => err.message.includes(v)),
    );
  });

  it('versioning needs both the deployment name and the build id', () => {
    assert.throws(
      () => loadWorkerEnv({ TEMPORAL_WORKER_DEPLOYMENT_NAME: 'bird' }),
      /TEMPORAL_WORKER_BUILD_ID: versioning needs both/,
    );
    assert.throws(
      () => loadWorkerEnv({ TEMPORAL_WORKER_BUILD_ID: 'v2' }),
      /TEMPORAL_WORKER_DEPLOYMENT_NAME: versioning needs both/,
    );
    assert.equal(
      loadWorkerEnv({ TEMPORAL_WORKER_DEPLOYMENT_NAME: 'bird', TEMPORAL_WORKER_BUILD_ID: 'v2' })
        .TEMPORAL_WORKER_BUILD_ID,
      'v2',
    );
  });

  it('a configured workflow bundle must exist; from sources none is picked up by default', () => {
    assert.throws(
      () => findWorkflowBundle({ WORKFLOW_BUNDLE_PATH: '/nonexistent/bundle.js' }),
      (err: ConfigError) => err instanceof ConfigError && /WORKFLOW_BUNDLE_PATH: no file/.test(err.message),
    );
    assert.equal(findWorkflowBundle({}), undefined, 'running under tsx, the worker bundles src/workflows itself');
    assert.deepEqual(findWorkflowBundle({ WORKFLOW_BUNDLE_PATH: __filename }), { codePath: __filename });
  });

  it('sets the memory and concurrency knobs explicitly, with documented defaults, and checks they fit together', () => {
    assert.deepEqual(workerTuning(loadWorkerEnv({})), {
      maxCachedWorkflows: 100,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 100,
      maxConcurrentLocalActivityExecutions: 100,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
    });
    assert.equal(workerTuning(loadWorkerEnv({ WORKER_MAX_CACHED_WORKFLOWS: '250' })).maxCachedWorkflows, 250);
    assert.throws(
      () => loadWorkerEnv({ WORKER_MAX_CACHED_WORKFLOWS: '20', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40' }),
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not exceed WORKER_MAX_CACHED_WORKFLOWS/,
    );
    assert.throws(
      () => loadWorkerEnv({ WORKER_ACTIVITY_TASK_POLLERS: '0', BIRD_RATE_LIMIT_HEADROOM: '2' }),
      (err: ConfigError) =>
        ['WORKER_ACTIVITY_TASK_POLLERS', 'BIRD_RATE_LIMIT_HEADROOM'].every((v) => err.message.includes(v)),
    );
    assert.equal(loadWorkerEnv({}).BIRD_RATE_LIMIT_PACING, 'on');
  });
});
