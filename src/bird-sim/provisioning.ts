/**
 * The asynchronous side of a connector: pending/provisioning right after create, then ok/active (or
 * error/inactive for numbers configured to fail) after a delay, and deprovisioned on delete. Every change
 * is announced through `announce`, which the simulator turns into webhook deliveries.
 */
import { parseTaggedName } from '../domain/idempotency';
import { channelEvent } from './resources';
import type { ChannelEventBody, ChannelState, NumberBehaviour, SimConnector } from './types';

export const DEFAULT_NUMBER_ERROR = 'Number provisioning failed: the number could not be attached to the channel';

export class Provisioning {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly behaviours = new Map<string, NumberBehaviour>();

  constructor(
    private readonly defaultDelayMs: number,
    private readonly announce: (workspaceId: string, body: ChannelEventBody) => void,
    private readonly deprovisioningDelayMs = 0,
  ) {}

  configureNumber(phoneNumberId: string, behaviour: NumberBehaviour): void {
    this.behaviours.set(phoneNumberId, behaviour);
  }

  /** For a connector without a number: the name it is created with, before the orchestrator's tag. */
  configureName(name: string, behaviour: NumberBehaviour): void {
    this.behaviours.set(`name:${name}`, behaviour);
  }

  behaviourOf(phoneNumberId: string): NumberBehaviour | undefined {
    return this.behaviours.get(phoneNumberId);
  }

  /** The connector is already committed; its state is set here and the rest happens on a timer. */
  begin(c: SimConnector): void {
    c.state = { status: 'pending', stage: 'provisioning' };
    this.announce(c.workspaceId, channelEvent('channel.created', c));
    const behaviour = c.number
      ? this.behaviours.get(c.number.numberId)
      : this.behaviours.get(`name:${parseTaggedName(c.name)?.name ?? c.name}`);
    const finalState: ChannelState =
      behaviour?.outcome === 'error'
        ? { status: 'error', stage: 'inactive', errorMessage: behaviour.errorMessage ?? DEFAULT_NUMBER_ERROR }
        : { status: 'ok', stage: 'active' };
    const timer = setTimeout(() => {
      this.timers.delete(c.id);
      this.change(c, finalState);
    }, behaviour?.delayMs ?? this.defaultDelayMs);
    this.timers.set(c.id, timer);
  }

  /** Manual override (tests, demo): wins over any pending automatic transition. */
  override(c: SimConnector, state: ChannelState): void {
    this.cancel(c.id);
    this.change(c, state);
  }

  /**
   * ok/deprovisioning for deprovisioningDelayMs (the connector is still there: gettable, listed, its number taken),
   * then ok/deprovisioned and gone (404). With no delay, straight to deprovisioned, one announcement.
   */
  deprovision(c: SimConnector, at: string): void {
    // A second delete while deprovisioning changes nothing (and must not stop the timer that finishes it).
    if (c.deletingAt) return;
    this.cancel(c.id);
    const gone = (when: string) => {
      c.deletedAt = when;
      this.change(c, { status: 'ok', stage: 'deprovisioned' }, when);
    };
    if (this.deprovisioningDelayMs <= 0) return gone(at);
    c.deletingAt = at;
    this.change(c, { status: 'ok', stage: 'deprovisioning' }, at);
    const timer = setTimeout(() => {
      this.timers.delete(c.id);
      gone(new Date().toISOString());
    }, this.deprovisioningDelayMs);
    this.timers.set(c.id, timer);
  }

  reset(): void {
    this.cancelAll();
    this.behaviours.clear();
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private cancel(connectorId: string): void {
    clearTimeout(this.timers.get(connectorId));
    this.timers.delete(connectorId);
  }

  private change(c: SimConnector, state: ChannelState, at = new Date().toISOString()): void {
    c.state = state;
    c.updatedAt = at;
    this.announce(c.workspaceId, channelEvent('channel.updated', c));
  }
}
