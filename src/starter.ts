/**
 * CLI over the typed client API: `npm run starter -- <command>`.
 *   provision --input run.json [--wait]     start (or attach to) a provisioning
 *   status <workflowId>                      progress of a provisioning
 *   result <workflowId>                      wait for and print its result
 *   cancel <workflowId>                      cancel it (the connector is deleted)
 *   ensure-webhook-subscription ...          make sure the receiver's workspace subscriptions exist
 */
import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { awaitResult, cancelProvisioning, getProgress, startProvisioning, type ProvisioningOutcome } from './client/provisioning-client';
import { ensureWorkspaceSubscription } from './client/subscriptions-client';
import { dataConverterFromEnv } from './codec/env';
import { ConfigError, loadConfig } from './config';
import { InvalidProvisioningInput, parseProvisioningInput } from './domain/provisioning-input';

class UsageError extends Error {}

async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const connection = await Connection.connect(config.temporal.connectionOptions);
  try {
    // The same payload codec as the worker (PAYLOAD_ENCRYPTION_KEY_ID), so inputs leave encrypted and results decode.
    return await fn(new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFromEnv() }), config.temporal.taskQueue);
  } finally {
    await connection.close();
  }
}

async function readInput(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --input ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--input ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The result as JSON on stdout, or a one-line reason on stderr and exit code 1. */
function report(outcome: ProvisioningOutcome): void {
  if (outcome.ok) return print(outcome.result);
  process.stderr.write(`${outcome.reason.split('\n')[0]}\n`);
  process.exitCode = 1;
}

const program = new Command()
  .name('starter')
  .description('Start and inspect Bird channel provisionings on Temporal')
  .showHelpAfterError();

program
  .command('provision')
  .description('start a provisioning from a JSON input file (attaches to a running one for the same number)')
  .requiredOption('-i, --input <file>', 'provisioning input (JSON, see README)')
  .option('-w, --wait', 'wait for the result; print it as JSON, exit 1 with a one-line reason on failure')
  .action(async (opts: { input: string; wait?: boolean }) => {
    const raw = await readInput(opts.input);
    parseProvisioningInput(raw); // fail before connecting to anything
    await withClient(async (client, taskQueue) => {
      const started = await startProvisioning(client, raw, { taskQueue });
      process.stderr.write(`provisioning ${started.workflowId} (run ${started.runId})\n`);
      if (!opts.wait) return print({ workflowId: started.workflowId, runId: started.runId });
      report(await awaitResult(client, started.workflowId));
    });
  });

program
  .command('status <workflowId>')
  .description('print the progress of a provisioning')
  .action(async (workflowId: string) => withClient(async (client) => print(await getProgress(client, workflowId))));

program
  .command('result <workflowId>')
  .description('wait for a provisioning to finish and print its result')
  .action(async (workflowId: string) =>
    withClient(async (client) => report(await awaitResult(client, workflowId))),
  );

program
  .command('cancel <workflowId>')
  .description('cancel a provisioning; its connector is deleted')
  .action(async (workflowId: string) =>
    withClient(async (client) => {
      await cancelProvisioning(client, workflowId);
      process.stderr.write(`cancellation requested for ${workflowId}\n`);
    }),
  );

const events = (value: string) => {
  const list = value.split(',').map((s) => s.trim());
  for (const e of list) if (e !== 'channel.updated' && e !== 'channel.created') throw new InvalidArgumentError(`unknown event "${e}"`);
  return list as Array<'channel.updated' | 'channel.created'>;
};

program
  .command('ensure-webhook-subscription')
  .description("ensure the workspace subscriptions pointing at the webhook receiver's public URL exist (idempotent)")
  // Each also read from the environment, so a deployment's one-shot job needs no arguments (docker-compose.yml).
  .addOption(new Option('--organization <id>', 'Bird organization id').env('BIRD_ORGANIZATION_ID').makeOptionMandatory())
  .addOption(new Option('--workspace <id>', 'Bird workspace id').env('BIRD_WORKSPACE_ID').makeOptionMandatory())
  .addOption(new Option('--url <url>', "the receiver's public https URL").env('WEBHOOK_PUBLIC_URL').makeOptionMandatory())
  .option('--signing-key-ref <ref>', 'secret reference the worker resolves to the signing key', 'WEBHOOK_SIGNING_KEY')
  .option('--events <list>', 'comma-separated events', events, ['channel.updated', 'channel.created'] as Array<'channel.updated' | 'channel.created'>)
  .action(async (opts: { organization: string; workspace: string; url: string; signingKeyRef: string; events: Array<'channel.updated' | 'channel.created'> }) =>
    withClient(async (client, taskQueue) => {
      const ensured = [];
      for (const event of opts.events) {
        ensured.push(
          await ensureWorkspaceSubscription(
            client,
            { organizationId: opts.organization, workspaceId: opts.workspace, event, url: opts.url, signingKeyRef: opts.signingKeyRef },
            { taskQueue },
          ),
        );
      }
      print(ensured);
    }),
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof InvalidProvisioningInput || err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
