/**
 * Benchmark: `npm run bench [-- --runs 200 --delay-ms 1000]`. Provisions N channels at once on a real dev server
 * and the simulator (one worker, default tuning) and prints throughput, latency percentiles, Bird calls per
 * provisioning and memory. Figures, not assertions: targets live here, never in timed tests.
 */
import { Command } from 'commander';
import { awaitResult, startProvisioning } from '../src/client/provisioning-client';
import { smsInput, startStack } from '../test/helpers/stack';
import { shutdownTemporal } from '../test/helpers/temporal';

const opts = new Command()
  .option('--runs <n>', 'provisionings to run at once', (v) => Number.parseInt(v, 10), 100)
  .option('--delay-ms <n>', 'simulated time until a channel is active', (v) => Number.parseInt(v, 10), 1_000)
  .option('--mode <mode>', 'readiness mode: poll | both', 'poll')
  .parse()
  .opts<{ runs: number; delayMs: number; mode: 'poll' | 'both' }>();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const stack = await startStack({ sim: { provisioningDelayMs: opts.delayMs } });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const t0 = performance.now();
    const latencies = await Promise.all(
      Array.from({ length: opts.runs }, async () => {
        const started = performance.now();
        const input = smsInput(stack, { readiness: { mode: opts.mode, initialPollInterval: '250ms', maxPollInterval: '5s', deadline: '5m' } });
        const { workflowId } = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
        const outcome = await awaitResult(stack.client, workflowId);
        if (!outcome.ok) throw new Error(outcome.reason);
        return { ms: performance.now() - started, polls: outcome.result.statusPolls };
      }),
    );
    const wallMs = performance.now() - t0;
    const ms = latencies.map((l) => l.ms).sort((a, b) => a - b);
    const calls = stack.sim.calls();
    const report = {
      runs: opts.runs,
      simulatedReadinessMs: opts.delayMs,
      wallSeconds: +(wallMs / 1000).toFixed(2),
      provisioningsPerSecond: +(opts.runs / (wallMs / 1000)).toFixed(1),
      latencyMs: { p50: Math.round(percentile(ms, 50)), p95: Math.round(percentile(ms, 95)), max: Math.round(ms[ms.length - 1]!) },
      overheadOverReadinessMsP50: Math.round(percentile(ms, 50) - opts.delayMs),
      birdCallsPerProvisioning: +(calls.length / opts.runs).toFixed(2),
      statusPollsPerProvisioning: +(latencies.reduce((a, l) => a + l.polls, 0) / opts.runs).toFixed(2),
      connectorsLeft: stack.sim.connectors().filter((c) => !c.deletedAt).length,
      peakRssMiB: Math.round(peakRss / 2 ** 20),
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    clearInterval(sampler);
    await stack.close();
    await shutdownTemporal();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
