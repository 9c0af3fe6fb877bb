/**
 * A run of the lifecycle workflows (offboarding, apply) as the API says it: one status vocabulary for every run kind,
 * lower-case as the provisionings' (src/api/provisioning-state.ts), its result once completed, else why it ended.
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed-out';

export interface RunState<R, F extends { reason: string }> {
  workflowId: string;
  runId: string;
  status: RunStatus;
  result?: R;
  failure?: F;
}

type Ended = 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';

/** What the client's readers (read-offboarding.ts, read-apply.ts) return: `E` is what an ended run carries. */
export type RunReading<R, E extends { reason: string }> = { workflowId: string; runId: string } & (
  { status: 'RUNNING' } | { status: 'COMPLETED'; result: R } | ({ status: Ended } & E)
);

/** The one mapping of a reading to the API's state; `failure` picks what an ended run says of itself. */
export function runStateOf<R, E extends { reason: string }, F extends { reason: string }>(
  r: RunReading<R, E>,
  failure: (ended: E) => F,
): RunState<R, F> {
  const base = { workflowId: r.workflowId, runId: r.runId };
  if (r.status === 'RUNNING') return { ...base, status: 'running' };
  if (r.status === 'COMPLETED') return { ...base, status: 'completed', result: r.result };
  return { ...base, status: runStatusOf(r.status), failure: failure(r as unknown as E) };
}

/** Temporal's execution status, as the API says it. */
export function runStatusOf(status: 'RUNNING' | 'COMPLETED' | Ended): RunStatus {
  return status === 'TIMED_OUT' ? 'timed-out' : (status.toLowerCase() as RunStatus);
}
