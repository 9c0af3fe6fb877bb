/**
 * The run's side of the webhook: reports of its channel's status, accepted through the reportChannelStatus update.
 * The validator (refusal) decides before anything is written to history; only accepted reports reach the
 * readiness wait, and there are at most MAX_STATUS_REPORTS_PER_RUN of them, so no flood of deliveries, genuine or
 * replayed, can grow the history past a fixed bound.
 */
import {
  MAX_STATUS_REPORTS_PER_RUN,
  type ChannelStatusReport,
  type ProvisioningProgress,
} from '../domain/provisioning';

export class StatusReportInbox {
  readonly #seenDeliveries = new Set<string>();
  #pending: ChannelStatusReport[] = [];
  /** Set when the run never reads reports (readiness by polling only): every report is refused, leaving no trace. */
  #closed?: string;

  constructor(private readonly progress: ProvisioningProgress) {}

  /** Why this report is refused, or undefined when the run wants it. */
  refusal(report: ChannelStatusReport): string | undefined {
    if (
      !report ||
      typeof report !== 'object' ||
      typeof report.deliveryKey !== 'string' ||
      typeof report.channelId !== 'string'
    ) {
      return 'malformed status report';
    }
    if (this.#closed) return this.#closed;
    if (this.progress.stage !== 'awaiting-readiness')
      return `not waiting for readiness (stage: ${this.progress.stage})`;
    if (!this.#isOwn(report)) return 'the report is for another connector or channel';
    if (this.#seenDeliveries.has(report.deliveryKey)) return 'duplicate delivery';
    if (this.progress.statusReports >= MAX_STATUS_REPORTS_PER_RUN)
      return `this run accepts at most ${MAX_STATUS_REPORTS_PER_RUN} status reports`;
    return undefined;
  }

  /** Refuse every report from now on (a run in poll mode would only grow its history with them). */
  close(reason: string): void {
    this.#closed = reason;
  }

  accept(report: ChannelStatusReport): void {
    this.#seenDeliveries.add(report.deliveryKey);
    this.progress.statusReports++;
    this.#pending.push(report);
  }

  hasPending(): boolean {
    return this.#pending.length > 0;
  }

  /** The accepted reports not yet looked at, oldest first. */
  take(): ChannelStatusReport[] {
    const reports = this.#pending;
    this.#pending = [];
    return reports;
  }

  #isOwn(report: ChannelStatusReport): boolean {
    const { connectorId, channelId } = this.progress;
    if (!connectorId) return false;
    if (report.connectorId) return report.connectorId.toLowerCase() === connectorId.toLowerCase();
    return channelId !== undefined && report.channelId.toLowerCase() === channelId.toLowerCase();
  }
}
