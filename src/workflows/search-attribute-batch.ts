/**
 * Search-attribute writes of one run, merged per workflow task. Every UpsertWorkflowSearchAttributes command is a
 * billable action in Temporal Cloud however many attributes it carries, and attributes set at start are free
 * (docs/budgets.md). So writes made in the same workflow task are buffered and sent as one upsert once the task's
 * synchronous code has run (a microtask, still inside the task), and a value the run already has (set at start or
 * by an earlier upsert) is not sent again.
 *
 * Runs started before this existed upsert each write at once (`merge` false), so their histories replay unchanged.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';

export class SearchAttributeBatch {
  readonly #pending = new Map<string, SearchAttributeUpdatePair>();
  #scheduled = false;

  constructor(private readonly merge: boolean) {}

  set(pairs: SearchAttributeUpdatePair[]): void {
    if (!this.merge) {
      upsertSearchAttributes(pairs);
      return;
    }
    for (const pair of pairs) this.#pending.set(pair.key.name, pair);
    if (this.#scheduled) return;
    this.#scheduled = true;
    void Promise.resolve().then(() => this.flush());
  }

  /** Sends what is pending now (also called by the microtask scheduled by `set`). */
  flush(): void {
    this.#scheduled = false;
    const current = workflowInfo().typedSearchAttributes;
    const changed = [...this.#pending.values()].filter((pair) => !sameValue(current.get(pair.key), pair.value));
    this.#pending.clear();
    if (changed.length) upsertSearchAttributes(changed);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
