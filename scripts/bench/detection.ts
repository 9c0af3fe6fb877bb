/**
 * Detection latency: from Bird's channel becoming active (the simulator's time of the change) to the provisioning
 * run knowing it (its result's `readyAt`, workflow time). The learned poll schedule trades status reads for this
 * latency (docs/polling.md); webhooks make it the delivery's latency.
 */
import type { Client } from '@temporalio/client';
import type { BirdSimulator } from '../../src/bird-sim';
import type { ProvisionChannelResult } from '../../src/domain/provisioning';
import { percentile } from './get-bound';

export async function detectionLatency(
  client: Client,
  sim: BirdSimulator,
  workspaceId: string,
  numbers: string[],
): Promise<{ detectionSecondsP50: number; detectionSecondsP99: number }> {
  const activeAt = new Map<string, number>();
  for (const c of sim.connectors()) {
    if (c.workspaceId === workspaceId && c.number && c.state.stage === 'active' && !c.deletedAt)
      activeAt.set(c.number.numberId, Date.parse(c.updatedAt));
  }
  const latencies: number[] = [];
  for (let i = 0; i < numbers.length; i += 50) {
    const results = await Promise.all(
      numbers.slice(i, i + 50).map((n) =>
        client.workflow
          .getHandle(`provision/${workspaceId}/${n}`)
          .result()
          .then(
            (r: ProvisionChannelResult) => [n, r] as const,
            () => undefined,
          ),
      ),
    );
    for (const entry of results) {
      const at = entry && activeAt.get(entry[0]);
      const readyAt = entry && Date.parse(entry[1].timings.readyAt);
      if (at !== undefined && readyAt) latencies.push(Math.max(0, readyAt - at));
    }
  }
  return {
    detectionSecondsP50: +(percentile(latencies, 0.5) / 1000).toFixed(2),
    detectionSecondsP99: +(percentile(latencies, 0.99) / 1000).toFixed(2),
  };
}
