/**
 * Saga bookkeeping: undo steps are registered before the step they undo runs (a step whose outcome is unknown may
 * still have had its effect) and run in reverse order. One failed undo does not stop the others; every outcome
 * is reported so the failure can say exactly what was undone and what was left.
 */
export interface CompensationReport {
  undone: string[];
  /** "<step>: <why>" for every undo that failed. */
  failures: string[];
  /** The descriptions of the undo steps that failed, to tell what is left without parsing `failures`. */
  failedSteps: string[];
}

type Undo = () => Promise<string | undefined>;

export class Compensations {
  readonly #steps: Array<{ description: string; undo: Undo }> = [];

  /** `undo` returns a line for the report, or undefined when there turned out to be nothing to undo. */
  add(description: string, undo: Undo): void {
    this.#steps.push({ description, undo });
  }

  async runAll(): Promise<CompensationReport> {
    const report: CompensationReport = { undone: [], failures: [], failedSteps: [] };
    for (const step of [...this.#steps].reverse()) {
      try {
        const line = await step.undo();
        if (line) report.undone.push(line);
      } catch (err) {
        report.failures.push(`${step.description}: ${messageOf(err)}`);
        report.failedSteps.push(step.description);
      }
    }
    return report;
  }
}

export function messageOf(err: unknown): string {
  if (err && typeof err === 'object') {
    // ActivityFailure wraps the activity's own ApplicationFailure; the cause has the useful message.
    const cause = (err as { cause?: { message?: string } }).cause;
    if (cause?.message) return cause.message;
    const message = (err as { message?: string }).message;
    if (message) return message;
  }
  return String(err);
}
