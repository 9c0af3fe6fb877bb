/**
 * The run's connector: created once (or adopted, when a retried create finds the one its earlier attempt made),
 * and deleted by compensation when a later step fails. What became of the create decides what the delete must do.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { ConnectorRef, CreateConnectorOutcome } from '../../activities';
import type { Ownership } from '../../domain/idempotency';
import { signingKeyRefsOf, type ProvisionChannelInput } from '../../domain/provisioning-input';
import type { birdActivities } from '../bird-activities';
import type { CreateOutcome, ProvisioningProgress } from '../../domain/provisioning';
import { alreadyExists, assertConnectorRef, refusedOnFirstAttempt, stepFailure } from './step-failed';

type Conflict = Extract<CreateConnectorOutcome, { outcome: 'conflict' }>;

export class RunConnector {
  #outcome: CreateOutcome = 'not-sent';

  constructor(
    private readonly bird: ReturnType<typeof birdActivities>,
    private readonly input: ProvisionChannelInput,
    readonly ownership: Ownership,
    private readonly progress: ProvisioningProgress,
    /** The create checks every secret reference before its POST (`secretCheck: 'with-create'`). */
    private readonly checksSecrets: boolean,
  ) {}

  get createOutcome(): CreateOutcome {
    return this.#outcome;
  }

  /** Sends the create (scheduled before this returns its promise) and records the connector in the progress. */
  async create(): Promise<ConnectorRef> {
    this.#outcome = 'unknown';
    const { workspaceId, connector: spec } = this.input;
    const ownership = this.ownership;
    // Not cancellable: a cancel during the create must still learn the connector id, or compensation could race it.
    const created = await CancellationScope.nonCancellable(() =>
      this.bird.createConnector.executeWithOptions({ summary: `create connector '${spec.name}'` }, [
        { workspaceId, connector: spec, ownership, ...this.#secretRefs() },
      ]),
    ).catch((err: unknown) => {
      if (refusedOnFirstAttempt(err)) this.#outcome = 'refused';
      return stepFailure('create')(err);
    });
    const connector = created.outcome === 'conflict' ? await this.#adoptAfterConflict(created) : created;
    this.progress.adopted = created.outcome === 'conflict' || created.adopted;
    assertConnectorRef(connector);
    this.#outcome = 'created';
    this.progress.connectorId = connector.connectorId;
    this.progress.channelId = connector.channelId;
    return { connectorId: connector.connectorId, channelId: connector.channelId };
  }

  #secretRefs(): { signingKeyRefs?: string[] } {
    return this.checksSecrets ? { signingKeyRefs: signingKeyRefsOf(this.input) } : {};
  }

  /** A 409: someone else's connector, unless a retried create met the one its own earlier attempt made. */
  async #adoptAfterConflict(conflict: Conflict): Promise<ConnectorRef> {
    const { workspaceId } = this.input;
    const ownership = this.ownership;
    if (conflict.firstAttempt) {
      // Our name carries a tag no one else has, so a 409 on the first attempt is someone else's connector.
      this.#outcome = 'refused';
      throw alreadyExists(workspaceId, conflict.birdMessage);
    }
    // The lookup runs on its own retries, never the create's.
    const own = await CancellationScope.nonCancellable(() =>
      this.bird.findOwnConnector.executeWithOptions(
        { summary: `look for connector tagged ${ownership.tag} after 409` },
        [{ workspaceId, ownership }],
      ),
    ).catch(stepFailure('ownership lookup'));
    if (!own) throw alreadyExists(workspaceId, conflict.birdMessage);
    return own;
  }

  /** The create's undo: a line for the compensation report, or undefined when nothing was made. */
  async delete(): Promise<string | undefined> {
    // Bird refused the create, or it was never sent: nothing exists, and nothing must be looked for.
    if (this.#outcome === 'not-sent' || this.#outcome === 'refused') return undefined;
    const { connectorId } = this.progress;
    const ownership = this.ownership;
    const target = connectorId ? `connector ${connectorId}` : `the connector tagged ${ownership.tag}, if it exists`;
    const deleted = await this.bird.deleteConnector.executeWithOptions({ summary: `delete ${target} (compensation)` }, [
      { workspaceId: this.input.workspaceId, connectorId, ownership },
    ]);
    if (deleted.outcome === 'never-created') return 'no connector had been created (none of ours was found)';
    if (deleted.outcome === 'deleted') return `deleted connector ${deleted.connectorId}`;
    return `connector ${deleted.connectorId} was already gone`;
  }
}
