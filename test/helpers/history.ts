/** Workflow history is visible to anyone with Temporal UI access: prove no secret ever got into it. */
import type { Client } from '@temporalio/client';
import assert from 'node:assert/strict';

export async function assertNoSecretsInHistories(
  client: Client,
  workflowIds: string[],
  secrets: string[],
): Promise<void> {
  assert.ok(workflowIds.length > 0, 'expected workflows to check');
  for (const workflowId of new Set(workflowIds)) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const text = historyText(history);
    assert.ok(text.length > 100, `history of ${workflowId} was fetched`);
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `a secret leaked into the history of ${workflowId}`);
    }
  }
}

/** The history as text with every payload decoded, so a secret inside a JSON payload is visible to includes(). */
export function historyText(history: unknown): string {
  return JSON.stringify(history, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    const b = v as { type?: string; data?: unknown };
    if (b && b.type === 'Buffer' && Array.isArray(b.data)) return Buffer.from(b.data as number[]).toString('utf8');
    return v;
  });
}
