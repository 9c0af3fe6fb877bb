/**
 * `ensure-webhook-subscription`: makes sure the workspace subscriptions that point Bird's channel events at the
 * webhook receiver exist (idempotent: one webhookSubscription entity workflow per workspace, event and URL).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  ensureWorkspaceSubscription,
  SubscriptionNotRegistered,
  type EnsuredSubscription,
} from '../../client/subscriptions-client';
import { workflowTaskPollers } from '../../client/task-queue-pollers';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import { noWorkerMessage, watchForWorker } from '../no-worker';

type ChannelEventName = 'channel.updated' | 'channel.created';
const ALL_EVENTS: ChannelEventName[] = ['channel.updated', 'channel.created'];

export function registerEnsureWebhookSubscription(program: Command, ctx: CliContext): void {
  program
    .command('ensure-webhook-subscription')
    .description(
      "ensure the workspace subscriptions pointing at the webhook receiver's public URL exist (idempotent; needs a worker)",
    )
    // Each also read from the environment, so a deployment's one-shot job needs no arguments (docker-compose.yml).
    .addOption(
      new Option('--organization <id>', 'Bird organization id').env('BIRD_ORGANIZATION_ID').makeOptionMandatory(),
    )
    .addOption(new Option('--workspace <id>', 'Bird workspace id').env('BIRD_WORKSPACE_ID').makeOptionMandatory())
    .addOption(
      new Option('--url <url>', "the receiver's public https URL").env('WEBHOOK_PUBLIC_URL').makeOptionMandatory(),
    )
    .option('--signing-key-ref <ref>', 'secret reference the worker resolves to the signing key', 'WEBHOOK_SIGNING_KEY')
    .addOption(
      new Option('--events <list>', 'comma-separated channel events')
        .argParser(events)
        .default(ALL_EVENTS, ALL_EVENTS.join(',')),
    )
    .option(
      '--timeout <seconds>',
      'give up (exit 3) when a subscription is not registered within this long',
      seconds,
      60,
    )
    .action(
      async (opts: {
        organization: string;
        workspace: string;
        url: string;
        signingKeyRef: string;
        events: ChannelEventName[];
        timeout: number;
      }) =>
        ctx.withClient(async ({ client, settings }) => {
          const stop = watchForWorker(client, settings.taskQueue, ctx.out.info);
          const ensured: EnsuredSubscription[] = [];
          try {
            for (const event of opts.events) {
              ensured.push(
                await ensureWorkspaceSubscription(
                  client,
                  {
                    organizationId: opts.organization,
                    workspaceId: opts.workspace,
                    event,
                    url: opts.url,
                    signingKeyRef: opts.signingKeyRef,
                  },
                  { taskQueue: settings.taskQueue, timeoutMs: opts.timeout * 1000 },
                ),
              );
            }
          } catch (err) {
            if (!(err instanceof SubscriptionNotRegistered)) throw err;
            const pollers = await workflowTaskPollers(client, settings.taskQueue).catch(() => undefined);
            throw new CliError(
              pollers && !pollers.live
                ? `${err.message}\n${noWorkerMessage(pollers, settings.namespace)}`
                : err.message,
              ExitCode.unavailable,
            );
          } finally {
            stop();
          }
          ctx.out.json(ensured);
        }),
    );
}

function events(value: string): ChannelEventName[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const e of list)
    if (!ALL_EVENTS.includes(e as ChannelEventName))
      throw new InvalidArgumentError(`unknown event "${e}" (known: ${ALL_EVENTS.join(', ')})`);
  if (!list.length) throw new InvalidArgumentError('name at least one event');
  return list as ChannelEventName[];
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600)
    throw new InvalidArgumentError('must be a number of seconds, more than 0 and at most 3600');
  return n;
}
