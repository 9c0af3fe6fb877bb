/**
 * Scenario 8, the Temporal server restarted mid-offboarding: numbers provisioned by a bulk run, foreign connectors
 * (made straight on the simulator, without our tag) for some more numbers, then all of them offboarded, a few one by
 * one through the offboarding client and the rest by one bulkOffboard run, while the dev server is SIGKILLed and
 * started again on its SQLite file. Every offboarding must complete, each of our connectors must be gone (Bird says
 * deprovisioned or 404), each foreign one untouched, and no run left running.
 */
import { randomUUID } from 'node:crypto';
import type { SimConnector } from '../../../src/bird-sim';
import {
  awaitBulkOffboard,
  getBulkOffboardProgress,
  startBulkOffboard,
} from '../../../src/client/bulk-offboard-client';
import { startOffboarding } from '../../../src/client/offboarding-client';
import type { OffboardOutcome } from '../../../src/domain/offboarding';
import { waitFor } from '../../helpers/wait';
import { countSecretHits, duplicateTags, orphansFound, runsStillRunning, type Figures } from '../audit';
import { finishBulkRun, planInventory, startBulkRun } from '../bulk';
import { activitiesInFlight, awaitResumed, recoveryOf, type InFlightActivity } from '../recovery';
import type { ScenarioResult } from '../report';
import { startChaosStack, type ChaosStack } from '../stack';
import type { ChaosWorld } from '../world';

export interface ServerRestartMidOffboardSize {
  /** Numbers provisioned, then offboarded. */
  numbers: number;
  /** Numbers holding only a foreign connector, offboarded with them. */
  foreign: number;
  /** Of `numbers`, offboarded one by one (offboardChannel runs of their own); the rest by one bulkOffboard run. */
  singles: number;
  restarts: number;
  /** How long the server stays down each time. */
  downMs: number;
  concurrency: number;
}

/** What each offboarded number must end as, and the connector it had. */
type Channel = { want: OffboardOutcome; connector: SimConnector; got?: string };

export async function serverRestartMidOffboard(
  world: ChaosWorld,
  size: ServerRestartMidOffboardSize,
): Promise<ScenarioResult> {
  const started = Date.now();
  // Bird takes 3 s to deprovision a connector: offboardings are still confirming when the server goes.
  const stack = await startChaosStack(world, {
    workers: 2,
    sim: { faults: { latencyMs: 200 }, deprovisioningDelayMs: 3_000 },
  });
  const notes: string[] = [];
  const recoveries: number[] = [];
  try {
    const channels = await provisionedAndForeign(stack, size);
    const numbers = [...channels.keys()];
    const singles = numbers.filter((n) => channels.get(n)!.want === 'offboarded').slice(0, size.singles);
    const rows = numbers.filter((n) => !singles.includes(n));
    const bulk = await startBulkOffboard(
      world.client,
      stack.store,
      {
        workspaceId: stack.workspaceId,
        rows: rows.map((phoneNumberId, i) => ({ line: i + 2, phoneNumberId })),
        concurrency: size.concurrency,
      },
      { taskQueue: stack.taskQueue },
    );
    const single = await Promise.all(
      singles.map((phoneNumberId) =>
        startOffboarding(world.client, { workspaceId: stack.workspaceId, phoneNumberId }, stack),
      ),
    );

    for (let r = 0; r < size.restarts; r++) {
      // Pull the server from under the offboardings once some are done and more are going.
      await waitForOffboarded(world, bulk.workflowId, Math.round(((r + 1) * rows.length) / (size.restarts + 2)));
      const inFlight = await offboardingWork(world, stack);
      const killedAt = Date.now();
      await world.server.kill();
      await new Promise((res) => setTimeout(res, size.downMs));
      await world.server.launch();
      const backAt = Date.now();
      const recovery = recoveryOf(await awaitResumed(world.client, inFlight.slice(0, 5), killedAt));
      if (recovery !== undefined) recoveries.push(recovery);
      notes.push(
        `restart ${r + 1}: down ${((backAt - killedAt) / 1000).toFixed(1)} s with ${inFlight.length} offboarding activities in flight or backing off; ${recovery === undefined ? 'no interrupted activity to time' : `work running again ${(recovery / 1000).toFixed(1)} s after the kill`}`,
      );
    }

    const end = await awaitBulkOffboard(world.client, stack.store, bulk.workflowId);
    if (end.status === 'failed') throw end.error;
    for (const res of end.result.results) channels.get(rows[res.row]!)!.got = res.outcome;
    await Promise.all(
      single.map(async (s, i) => {
        channels.get(singles[i]!)!.got = await s.handle.result().then(
          (res) => res.outcome,
          (err: Error) => `failed: ${err.message}`,
        );
      }),
    );
    notes.push(
      `${rows.length} offboarded by one bulk run (${end.status}), ${singles.length} one by one; ${size.foreign} foreign`,
    );
    const figures = await auditOffboard(stack, channels, [JSON.stringify(end.result), ...world.server.lines]);
    return {
      name: 'Temporal server restarted mid-offboarding',
      size: `${size.numbers} numbers + ${size.foreign} foreign, ${size.restarts} restart(s), down ${size.downMs / 1000} s`,
      figures,
      recoveries,
      durationMs: Date.now() - started,
      notes,
      failedChecks: end.status === 'completed' ? [] : [`the bulk offboarding ended ${end.status}`],
    };
  } finally {
    await stack.close();
  }
}

/** Numbers provisioned by a bulk run (ours), and numbers with a foreign connector, interleaved. */
async function provisionedAndForeign(
  stack: ChaosStack,
  size: ServerRestartMidOffboardSize,
): Promise<Map<string, Channel>> {
  const plan = await planInventory(stack, { size: size.numbers, failShare: 0, delayMs: [500, 2_000] });
  const finished = await finishBulkRun(
    stack,
    await startBulkRun(stack, plan, { concurrency: 20, sweepIntervalMs: 2_000 }),
  );
  const connectors = () => stack.sim.connectors().filter((c) => !c.deletedAt);
  const ours = plan.numbers.map((n): [string, Channel] => {
    const c = connectors().find((x) => x.id === finished.outcomes.get(n)?.connectorId);
    if (!c) throw new Error(`setting up: ${n} was not provisioned (${finished.outcomes.get(n)?.outcome})`);
    return [n, { want: 'offboarded', connector: c }];
  });
  const foreign = await Promise.all(
    Array.from({ length: size.foreign }, async (_, i): Promise<[string, Channel]> => {
      const n = randomUUID();
      stack.sim.configureNumber(n, { outcome: 'active', delayMs: 500 });
      const id = stack.sim.seedConnector(stack.workspaceId, {
        name: `Made in the dashboard ${i}`,
        connectorTemplateRef: 'sms-messagebird:1',
        arguments: { phoneNumberId: n, channelMessageType: 'transactional' },
      });
      const c = await waitFor(
        `the foreign connector ${id} to be active`,
        () => connectors().find((x) => x.id === id && x.state.stage === 'active'),
        60_000,
        200,
      );
      return [n, { want: 'foreign-left-untouched', connector: c }];
    }),
  );
  const step = Math.max(1, Math.floor(ours.length / Math.max(1, foreign.length)));
  const mixed: Array<[string, Channel]> = [];
  ours.forEach((o, i) => {
    if (i % step === 0 && foreign.length) mixed.push(foreign.shift()!);
    mixed.push(o);
  });
  return new Map<string, Channel>([...mixed, ...foreign]);
}

/** Each offboarding's outcome against the expected one; each of our connectors gone, each foreign one untouched. */
async function auditOffboard(stack: ChaosStack, channels: Map<string, Channel>, texts: string[]): Promise<Figures> {
  const problems: string[] = [];
  const note = (p: string) => problems.length < 10 && problems.push(p);
  const connectors = stack.sim.connectors().filter((c) => c.workspaceId === stack.workspaceId);
  const writes = stack.sim.calls().filter((c) => c.method !== 'GET');
  let completed = 0;
  let mismatches = 0;
  for (const [n, ch] of channels) {
    if (ch.got === ch.want) completed++;
    else note(`${n}: expected ${ch.want}, got ${ch.got ?? 'no outcome'}`);
    const now = connectors.find((c) => c.id === ch.connector.id);
    const live = connectors.filter((c) => !c.deletedAt && c.number?.numberId === n);
    const touched = writes.filter((w) => w.path.includes(ch.connector.id)).length;
    const problem =
      ch.want === 'offboarded'
        ? live.length || (now && !now.deletedAt && now.state.stage !== 'deprovisioned')
          ? `${live.length} connector(s) still live`
          : undefined
        : !now || now.deletedAt || now.name !== ch.connector.name || now.state.stage !== 'active' || touched
          ? `the foreign connector was touched (${touched} write(s), ${now?.deletedAt ? 'deleted' : now?.state.stage})`
          : undefined;
    if (problem) {
      mismatches++;
      note(`${n}: ${problem}`);
    }
  }
  const orphans = await orphansFound(stack, note);
  return {
    runsExpected: channels.size,
    completed,
    failedAsExpected: 0,
    unexpected: channels.size - completed,
    connectorMismatches: mismatches,
    orphans: orphans.count,
    duplicates: duplicateTags(connectors, note),
    secretHits: await countSecretHits(stack, [...texts, orphans.reportText]),
    stuck: await runsStillRunning(stack, note),
    problems,
  };
}

/** The offboarding activities running or backing off, as soon as there are any (up to a minute), else none. */
async function offboardingWork(world: ChaosWorld, stack: ChaosStack): Promise<InFlightActivity[]> {
  const where = { workspaceId: stack.workspaceId, workflowType: 'offboardChannel', taskQueue: stack.taskQueue };
  return waitFor(
    'an offboarding activity in flight',
    async () => {
      const busy = await activitiesInFlight(world.client, { ...where, waiting: true });
      return busy.length ? busy : undefined;
    },
    60_000,
    150,
  ).catch(() => []);
}

async function waitForOffboarded(world: ChaosWorld, workflowId: string, done: number): Promise<void> {
  await waitFor(
    `${done} rows of the bulk offboarding done`,
    async () => {
      const p = await getBulkOffboardProgress(world.client, workflowId).catch(() => undefined);
      return p && (p.total - p.pending - p.running >= done || p.stage === 'completed') ? true : undefined;
    },
    300_000,
    250,
  );
}
