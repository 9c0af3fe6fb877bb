/**
 * Scenario 5, bad input: the property-based checks of test/fuzz/properties.ts (provisioning input and typed client,
 * bulk defaults, CSV and JSON Lines readers, the receiver's body handling) run many times, then generated invalid
 * inputs go through the real doors against the real server: the typed client, `starter provision` and `starter bulk`
 * as processes. Nothing may start, every refusal names its field or line, and no stack reaches the user.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAndStartProvisioning } from '../../../src/client/provisioning-client';
import { InvalidProvisioningInput, parseProvisioningInput } from '../../../src/domain/provisioning-input';
import { startNodeProcess } from '../../helpers/processes';
import { allProperties, freshSeed, mutatedInput, REPLAY_HINT } from '../../fuzz/properties';
import type { Figures } from '../audit';
import type { ScenarioResult } from '../report';
import type { ChaosWorld } from '../world';

export interface BadInputSize {
  /** fast-check runs per property. */
  runsPerProperty: number;
  /** Generated invalid inputs sent through the typed client to the real server. */
  starts: number;
}

const STACK_LINE = /^\s+at \S/m;

/**
 * `seed` generates every input of the scenario (each property's and the real starts'): the same seed, the same
 * inputs (`npm run chaos -- --seed N`).
 */
export async function badInput(world: ChaosWorld, size: BadInputSize, seed = freshSeed()): Promise<ScenarioResult> {
  const started = Date.now();
  const failedChecks: string[] = [];
  const notes: string[] = [];
  const taskQueue = `chaos-bad-input-${randomUUID()}`;

  const properties = allProperties();
  for (const p of properties) {
    await p
      .check(size.runsPerProperty, seed)
      .catch((err: unknown) =>
        failedChecks.push(`${p.name}: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`),
      );
  }
  notes.push(
    `${properties.length} properties × ${size.runsPerProperty} generated inputs each, seed ${seed}: ${failedChecks.length ? `${failedChecks.length} failed (${REPLAY_HINT(seed)})` : 'all held'}`,
  );

  // Generated invalid inputs through the typed client, against the real server.
  const invalid = fc.sample(
    mutatedInput.map((m) => m.input).filter((input) => !accepts(input)),
    { numRuns: size.starts, seed },
  );
  let refused = 0;
  for (const input of invalid) {
    try {
      await parseAndStartProvisioning(world.client, input, { taskQueue });
      failedChecks.push(`an invalid input was started: ${JSON.stringify(input).slice(0, 200)}`);
    } catch (err) {
      if (err instanceof InvalidProvisioningInput) refused++;
      else failedChecks.push(`the typed client threw ${(err as Error).name}: ${(err as Error).message}`);
    }
  }

  // The CLI, as a person meets it: a bad input file, a file that is not JSON, a bulk file with bad rows.
  const cli = await Promise.all([
    starter(world, taskQueue, [
      'provision',
      '--input',
      await file(world, 'bad.json', JSON.stringify(invalid[0] ?? { workspaceId: 'x' })),
    ]),
    starter(world, taskQueue, ['provision', '--input', await file(world, 'not.json', '{"workspaceId": ')]),
    starter(world, taskQueue, [
      'bulk',
      '--file',
      await file(
        world,
        'rows.csv',
        `phoneNumberId,channelMessageType\n${randomUUID()},transactional\nnot-a-uuid,transactional\n${randomUUID()},sometimes\n`,
      ),
      '--defaults',
      await file(
        world,
        'defaults.json',
        JSON.stringify({
          workspaceId: randomUUID(),
          organizationId: randomUUID(),
          connector: { connectorTemplateRef: 'sms-messagebird:1', name: 'Bad rows' },
        }),
      ),
    ]),
  ]);
  for (const run of cli) {
    if (run.code !== 2)
      failedChecks.push(
        `starter ${run.args[0]} with bad input exited ${run.code} (expected 2): ${run.output.slice(0, 300)}`,
      );
    if (STACK_LINE.test(run.output) || /unexpected error/.test(run.output))
      failedChecks.push(`starter ${run.args[0]} printed a stack or an unexpected error: ${run.output.slice(0, 300)}`);
  }
  const bulkOutput = cli[2].output;
  if (!/rows\.csv:3: phoneNumberId: /.test(bulkOutput) || !/rows\.csv:4: channelMessageType: /.test(bulkOutput))
    failedChecks.push(`starter bulk did not name each bad row's line and column: ${bulkOutput.slice(0, 400)}`);

  const { count } = await world.client.workflow.count(`TaskQueue = '${taskQueue}'`);
  if (count !== 0) failedChecks.push(`${count} workflow(s) started from invalid input`);
  notes.push(
    `${invalid.length} generated invalid inputs sent to the real server through the typed client: ${refused} refused naming their fields, ${count} workflows started; \`starter provision\` and \`starter bulk\` with bad files: exit 2, each line and field named, no stack`,
  );

  const figures: Figures = {
    runsExpected: 0,
    completed: 0,
    failedAsExpected: 0,
    unexpected: count,
    connectorMismatches: 0,
    orphans: 0,
    duplicates: 0,
    secretHits: 0,
    stuck: 0,
    problems: [],
  };
  return {
    name: 'bad input',
    size: `${properties.length} properties × ${size.runsPerProperty}, ${invalid.length} real starts, 3 CLI runs`,
    figures,
    recoveries: [],
    durationMs: Date.now() - started,
    notes,
    failedChecks,
  };
}

function accepts(input: unknown): boolean {
  try {
    parseProvisioningInput(input);
    return true;
  } catch {
    return false;
  }
}

async function file(world: ChaosWorld, name: string, content: string): Promise<string> {
  const path = join(world.dir, `${randomUUID().slice(0, 8)}-${name}`);
  await writeFile(path, content);
  return path;
}

async function starter(
  world: ChaosWorld,
  taskQueue: string,
  args: string[],
): Promise<{ args: string[]; code: number | null; output: string }> {
  const proc = startNodeProcess(
    'src/starter.ts',
    {
      TEMPORAL_ADDRESS: world.server.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      BULK_STORE_DIR: world.dir,
    },
    {
      node: process.execPath,
      execArgv: ['--import', 'tsx'],
      args,
    },
  );
  const { code } = await proc.exited;
  return { args, code, output: proc.lines.join('\n') };
}
