/**
 * Every connector template Bird lists, through every door that provisions one: the typed client, the CLI (its
 * program in process, the very code `starter` runs), the HTTP API, the Nexus service (a caller workflow in a
 * second namespace) and a bulk file (one CSV with a row of each, through the bulk client the CLI and the HTTP API
 * call). Each template × door is provisioned to ready and then asked again (one connector per identity),
 * and refused by Bird once ready (the channel ends in error: the run compensates and nothing is left). One dev
 * server, simulator and worker for the whole table; the cases of a door run side by side.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/program';
import { attachOrStart, awaitOutcome } from '../src/client/provisioning-client';
import { awaitBulk, bulkReport, getBulkProgress, prepareInventory, startBulk } from '../src/client/bulk-client';
import type { ReportRow } from '../src/domain/bulk-report';
import { TEMPLATE_REFS, type TemplateRef } from '../src/domain/connector-templates';
import { parseTaggedName } from '../src/domain/idempotency';
import { provisioningWorkflowId } from '../src/domain/provisioning-identity';
import { parseProvisioningInput, type ProvisionChannelInputRaw } from '../src/domain/provisioning-input';
import { PROVISIONING_FAILED, type ProvisionChannelResult } from '../src/domain/provisioning';
import type { ProvisioningState } from '../src/api/provisioning-state';
import { callOperation, type Seen } from './nexus/caller-workflows';
import { startApi, type ApiHarness } from './helpers/http-api';
import { startStack, type Stack } from './helpers/stack';
import { startNexusCaller, type NexusCaller } from './helpers/nexus-caller';
import { temporal } from './helpers/temporal';
import { waitFor } from './helpers/wait';

/** How a door's provisioning ended, as the door itself says it. */
type Ended = { completed: true; connectorId: string } | { completed: false; reason: string };

interface Door {
  name: string;
  /** Provisions through the door and waits for the end, as the door's caller would. */
  provision(input: ProvisionChannelInputRaw): Promise<Ended>;
}

describe('every connector template through every door', function () {
  this.timeout(240_000);
  let stack: Stack;
  let api: ApiHarness;
  let address: string;
  let caller: NexusCaller;
  let dir: string;

  before(async function () {
    this.timeout(180_000);
    address = (await temporal()).address;
    ({ stack, caller } = await startNexusCaller('doors', startStack()));
    api = await startApi(stack);
    dir = await mkdtemp(join(tmpdir(), 'doors-'));
  });
  after(async () => {
    await caller?.close();
    await api?.app.close();
    await stack?.closeCheckingHistories();
  });

  const doors: Door[] = [
    {
      name: 'typed client',
      async provision(raw) {
        const started = await attachOrStart(stack.client, parseProvisioningInput(raw), { taskQueue: stack.taskQueue });
        if (started.kind === 'already-provisioned') return { completed: true, connectorId: started.result.connectorId };
        const outcome = await awaitOutcome(stack.client, started.workflowId);
        return outcome.status === 'COMPLETED'
          ? { completed: true, connectorId: outcome.result.connectorId }
          : { completed: false, reason: outcome.reason };
      },
    },
    {
      name: 'CLI',
      async provision(raw) {
        const file = join(dir, `${randomUUID()}.json`);
        await writeFile(file, JSON.stringify(raw));
        const json: unknown[] = [];
        const info: string[] = [];
        const out = { json: (v: unknown) => json.push(v), text: () => undefined, info: (l: string) => info.push(l) };
        const flags = ['--address', address, '--namespace', 'default', '--task-queue', stack.taskQueue];
        const code = await runCli(['node', 'starter', ...flags, 'provision', '--input', file, '--wait'], out);
        if (code === 0) return { completed: true, connectorId: (json.at(-1) as ProvisionChannelResult).connectorId };
        assert.equal(code, 1, `exit 1 for a provisioning that failed: ${info.join(' | ')}`);
        return { completed: false, reason: info.at(-1) ?? '' };
      },
    },
    {
      name: 'HTTP API',
      async provision(raw) {
        const started = await api.call('POST', '/v1/provisionings', { body: raw });
        assert.ok([200, 202].includes(started.status), `${started.status} ${started.text}`);
        const location = started.headers.get('location')!;
        const state = await waitFor(
          'the provisioning to end',
          async () => {
            const now = await api.call('GET', location);
            assert.equal(now.status, 200, now.text);
            const body = now.json as ProvisioningState;
            return body.status === 'running' ? undefined : body;
          },
          60_000,
          200,
        );
        return state.status === 'completed'
          ? { completed: true, connectorId: state.connectorId! }
          : { completed: false, reason: `${state.failure?.type}: ${state.failure?.reason}` };
      },
    },
    {
      name: 'Nexus',
      async provision(raw) {
        const seen: Seen = await caller.client.workflow.execute(callOperation, {
          taskQueue: caller.taskQueue,
          workflowId: `caller-${randomUUID()}`,
          args: [caller.endpoint, 'provision', raw],
        });
        if (seen.ok) return { completed: true, connectorId: (seen.value as ProvisionChannelResult).connectorId };
        const failure = seen.causes.find((c) => c.type === PROVISIONING_FAILED);
        assert.ok(failure, JSON.stringify(seen.causes));
        return { completed: false, reason: failure.message };
      },
    },
  ];

  function inputFor(template: TemplateRef, door: string, refused: boolean): ProvisionChannelInputRaw {
    const name = `${door} ${template} ${refused ? 'refused' : 'ok'} ${randomUUID().slice(0, 8)}`;
    const phoneNumberId = randomUUID();
    if (refused) {
      if (template === 'sms-messagebird:1') stack.sim.configureNumber(phoneNumberId, { outcome: 'error' });
      else stack.sim.configureName(name, { outcome: 'error' });
    }
    return {
      workspaceId: stack.workspaceId,
      organizationId: stack.organizationId,
      connector: {
        connectorTemplateRef: template,
        name,
        // SMS as Bird documents it; every other template's arguments pass through as Bird defines them.
        arguments:
          template === 'sms-messagebird:1'
            ? { phoneNumberId, channelMessageType: 'transactional' }
            : { displayName: name, locale: 'en' },
      },
      readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '30s' },
    };
  }

  /** The connectors Bird has (and had) for this input's identity: its name and, for SMS, its number. */
  function connectorsOf(input: ProvisionChannelInputRaw) {
    const number = (input.connector.arguments as { phoneNumberId?: string } | undefined)?.phoneNumberId;
    const ofIdentity = stack.sim
      .connectors()
      .filter((c) => parseTaggedName(c.name)?.name === input.connector.name)
      .filter((c) => input.connector.connectorTemplateRef !== 'sms-messagebird:1' || c.number?.numberId === number);
    return { live: ofIdentity.filter((c) => !c.deletedAt), all: ofIdentity };
  }

  for (const door of doors) {
    it(`${door.name}: each of the ${TEMPLATE_REFS.length} templates is provisioned once, and compensated when Bird refuses it`, async () => {
      await Promise.all(
        TEMPLATE_REFS.flatMap((template) => [
          (async () => {
            const input = inputFor(template, door.name, false);
            const first = await door.provision(input);
            assert.ok(first.completed, `${template}: ${!first.completed && first.reason}`);
            const again = await door.provision(input);
            assert.deepEqual(again, first, `${template}: asked again, the same provisioning answers`);
            const { live, all } = connectorsOf(input);
            assert.deepEqual(
              live.map((c) => c.id),
              [first.connectorId],
              `${template}: one connector for its identity`,
            );
            assert.equal(all.length, 1, `${template}: created once`);
            assert.equal(live[0]!.connectorTemplateRef, template);
          })(),
          (async () => {
            const input = inputFor(template, door.name, true);
            const ended = await door.provision(input);
            assert.ok(!ended.completed, `${template}: refused`);
            assert.match(ended.reason, /error|inactive|failed/i, template);
            const { live, all } = connectorsOf(input);
            assert.equal(all.length, 1, `${template}: its connector was created`);
            assert.deepEqual(live, [], `${template}: and deleted by the compensation`);
          })(),
        ]),
      );
      const ids = TEMPLATE_REFS.map((t) => provisioningWorkflowId(parseProvisioningInput(inputFor(t, 'probe', false))));
      assert.equal(new Set(ids).size, TEMPLATE_REFS.length, 'each template has its own workflow id');
    });
  }

  /** A bulk file through the bulk client (what `bulk` and POST /v1/bulk-onboardings call), to its report. */
  async function bulkFile(rows: ProvisionChannelInputRaw[]): Promise<ReportRow[]> {
    const cell = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const file = join(dir, `${randomUUID()}.csv`);
    await writeFile(
      file,
      [
        'phoneNumberId,name,connectorTemplateRef',
        ...rows.map((r) => {
          const number = (r.connector.arguments as { phoneNumberId?: string }).phoneNumberId;
          const sms = r.connector.connectorTemplateRef === 'sms-messagebird:1';
          return [sms ? number! : '', r.connector.name, r.connector.connectorTemplateRef].map(cell).join(',');
        }),
      ].join('\r\n'),
    );
    const { connector: _perRow, ...shared } = rows[0]!;
    const defaults = {
      ...shared,
      connector: { connectorTemplateRef: 'sms-messagebird:1', arguments: { channelMessageType: 'transactional' } },
    };
    const inventory = await prepareInventory(file, defaults);
    assert.deepEqual(inventory.invalid, []);
    const started = await startBulk(stack.client, stack.bulkStore, inventory, {
      taskQueue: stack.taskQueue,
      sweepIntervalMs: 2_000,
    });
    stack.startedWorkflowIds.push(started.workflowId);
    const end = await awaitBulk(stack.client, started.workflowId);
    assert.equal(end.status, 'completed', JSON.stringify(end));
    return bulkReport(stack.bulkStore, await getBulkProgress(stack.client, started.workflowId));
  }

  it(`bulk file: one file with a row of each of the ${TEMPLATE_REFS.length} templates, and one each that Bird refuses`, async () => {
    const ok = TEMPLATE_REFS.map((t) => inputFor(t, 'bulk', false));
    const refused = TEMPLATE_REFS.map((t) => inputFor(t, 'bulk', true));
    const report = await bulkFile([...ok, ...refused]);
    assert.equal(report.length, 2 * TEMPLATE_REFS.length);
    const rowOf = (input: ProvisionChannelInputRaw) =>
      report.find((r) => r.workflowId === provisioningWorkflowId(parseProvisioningInput(input)))!;
    for (const input of ok) {
      const template = input.connector.connectorTemplateRef;
      const row = rowOf(input);
      assert.equal(row.outcome, 'active', `${template}: ${row.reason}`);
      assert.deepEqual(
        template === 'sms-messagebird:1'
          ? [row.phoneNumberId, row.name]
          : [row.phoneNumberId, row.connectorTemplateRef, row.name],
        template === 'sms-messagebird:1'
          ? [(input.connector.arguments as { phoneNumberId: string }).phoneNumberId, undefined]
          : ['', template, input.connector.name],
        `${template}: the report names the row by its identity`,
      );
      const { live, all } = connectorsOf(input);
      assert.deepEqual(
        live.map((c) => c.id),
        [row.connectorId],
        `${template}: one connector for its identity`,
      );
      assert.equal(all.length, 1, `${template}: created once`);
      assert.equal(live[0]!.connectorTemplateRef, template);
    }
    for (const input of refused) {
      const template = input.connector.connectorTemplateRef;
      const row = rowOf(input);
      assert.equal(row.outcome, 'failed', template);
      assert.match(row.reason, /error|inactive|failed/i, template);
      const { live, all } = connectorsOf(input);
      assert.equal(all.length, 1, `${template}: its connector was created`);
      assert.deepEqual(live, [], `${template}: and deleted by the compensation`);
    }
    // Asked again (a file of the rows that succeeded): the same provisionings answer, nothing is created twice.
    const again = await bulkFile(ok);
    for (const input of ok) {
      const template = input.connector.connectorTemplateRef;
      const [first, second] = [rowOf(input), again.find((r) => r.workflowId === rowOf(input).workflowId)!];
      assert.deepEqual([second.outcome, second.connectorId], ['already-active', first.connectorId], template);
      assert.equal(connectorsOf(input).all.length, 1, `${template}: still created once`);
    }
  });
});
