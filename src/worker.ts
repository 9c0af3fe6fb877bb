/**
 * The worker's entry point: `npm run worker` (in the image: `node dist/src/worker.js`). The process itself (configuration,
 * runtime, connection, draining on SIGTERM) is src/worker/process.ts.
 */
import { runMain } from './observability/run-main';
import { startupLog, workerMain } from './worker/process';

runMain(workerMain, startupLog(), 'worker');
