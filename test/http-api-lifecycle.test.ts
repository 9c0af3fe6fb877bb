/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are JSON already checked against the OpenAPI document by call() */
/**
 * The HTTP API's offboarding (DELETE of a provisioning, GET of its offboarding), plan (POST /v1/plans) and apply
 * (POST /v1/applies, GET of its state), over real HTTP against the real dev server, a worker and the Bird simulator;
 * every exchange is checked against the served OpenAPI document (test/helpers/http-api.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ApplyResult } from '../src/domain/apply';
import { nameWithInventory, type Plan } from '../src/domain/plan';
import { startApi, type ApiHarness } from './helpers/http-api';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { waitFor } from './helpers/wait';

describe('HTTP API: offboarding, plan and apply', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: ApiHarness;
  before(async function () {
    this.timeout(300_000);
    stack = await startStack({ sim: { provisioningDelayMs: 200, deprovisioningDelayMs: 1_500 } });
    api = await startApi(stack);
  });
  after(async () => {
    await api?.app.close();
    await stack?.closeCheckingHistories();
  });

  const numberOf = (input: ReturnType<typeof smsInput>) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  const writesSince = (since: number) =>
    stack.sim
      .calls()
      .slice(since)
      .filter((c) => c.method !== 'GET');
  async function provisioned(input: ReturnType<typeof smsInput>): Promise<string> {
    assert.equal((await api.call('POST', '/v1/provisionings', { body: input })).status, 202);
    const path = `/v1/provisionings/${stack.workspaceId}/${numberOf(input)}`;
    const done = await waitFor(
      'completed',
      async () => {
        const r = await api.call('GET', path);
        return r.json?.status === 'completed' ? r : undefined;
      },
      60_000,
      200,
    );
    return done.json.connectorId as string;
  }
  const ended = (path: string) =>
    waitFor(
      'the offboarding to end',
      async () => {
        const r = await api.call('GET', path);
        return r.json?.status !== 'running' ? r : undefined;
      },
      60_000,
      200,
    );

  it('DELETE offboards: 202 + Location; repeated while it runs it attaches; a provisioning meanwhile is 409; the report at GET', async () => {
    const input = smsInput(stack);
    const connectorId = await provisioned(input);
    const path = `/v1/provisionings/${stack.workspaceId}/${numberOf(input)}`;
    const first = await api.call('DELETE', path);
    assert.equal(first.status, 202, first.text);
    const location = `/v1/offboardings/${stack.workspaceId}/${numberOf(input)}`;
    assert.equal(first.headers.get('location'), location);
    assert.equal(first.json.workflowId, `offboard/${stack.workspaceId}/${numberOf(input)}`);
    stack.startedWorkflowIds.push(first.json.workflowId);
    const again = await api.call('DELETE', path);
    assert.equal(again.status, 202);
    assert.equal(again.json.runId, first.json.runId, 'attached to the running offboarding');
    const refused = await api.call('POST', '/v1/provisionings', {
      body: { ...input, connector: { ...input.connector, name: 'Again' } },
    });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.json.error.code, 'being-offboarded');

    const done = await ended(location);
    assert.equal(done.json.status, 'completed');
    assert.equal(done.json.runId, first.json.runId);
    assert.equal(done.json.result.outcome, 'offboarded');
    assert.deepEqual(
      done.json.result.deleted.map((d: { connectorId: string }) => d.connectorId),
      [connectorId],
    );
    assert.equal(done.json.result.birdWrites, 1);
    assert.ok(stack.sim.connectors().find((c) => c.id === connectorId)!.deletedAt);

    // Once it has ended, DELETE again is a new offboarding that finds nothing and writes nothing.
    const before = stack.sim.calls().length;
    const third = await api.call('DELETE', path);
    assert.equal(third.status, 202);
    assert.notEqual(third.json.runId, first.json.runId);
    const absent = await ended(location);
    assert.equal(absent.json.result.outcome, 'already-absent');
    assert.equal(absent.json.result.birdWrites, 0);
    assert.deepEqual(writesSince(before), []);
  });

  it('by template and name; never offboarded is 404; another key, bad ids and no worker are refused with nothing started', async () => {
    const name = `Support ${randomUUID().slice(0, 6)}`;
    const path = `/v1/provisionings/${stack.workspaceId}/whatsapp:1/${encodeURIComponent(name)}`;
    const location = `/v1/offboardings/${stack.workspaceId}/whatsapp:1/${encodeURIComponent(name)}`;
    assert.equal((await api.call('GET', location)).status, 404);
    const before = stack.sim.calls().length;
    const started = await api.call('DELETE', path);
    assert.equal(started.status, 202, started.text);
    assert.equal(started.headers.get('location'), location);
    stack.startedWorkflowIds.push(started.json.workflowId);
    const done = await ended(location);
    assert.equal(done.json.result.outcome, 'already-absent');
    assert.deepEqual(done.json.result.connector, { connectorTemplateRef: 'whatsapp:1', name });
    assert.deepEqual(writesSince(before), []);

    const number = randomUUID();
    const other = await api.call('DELETE', `/v1/provisionings/${stack.workspaceId}/${number}`, { key: api.keyB });
    assert.equal(other.status, 404);
    assert.equal(
      (await api.call('GET', `/v1/offboardings/${stack.workspaceId}/${number}`, { key: api.keyB })).status,
      404,
    );
    const bad = await api.call('DELETE', `/v1/provisionings/${stack.workspaceId}/not-a-uuid`, { unchecked: true });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.problems[0].field, 'phoneNumberId');
    const noWorkers = await startApi(stack, { taskQueue: `no-workers-${randomUUID()}` });
    try {
      const none = await noWorkers.call('DELETE', `/v1/provisionings/${stack.workspaceId}/${number}`, {
        key: noWorkers.keyA,
      });
      assert.equal(none.status, 503);
      assert.equal(none.json.error.code, 'no-worker');
    } finally {
      await noWorkers.app.close();
    }
    assert.equal(
      (await api.call('GET', `/v1/offboardings/${stack.workspaceId}/${number}`)).status,
      404,
      'nothing started',
    );
    const wrongMethod = await api.call('PUT', `/v1/provisionings/${stack.workspaceId}/${number}`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET, DELETE');
  });

  it("POST /v1/plans: each number's action from the file or from rows, bad lines not planned, nothing written", async () => {
    const keep: string = randomUUID();
    const create: string = randomUUID();
    const foreign: string = randomUUID();
    const kept = smsInput(stack);
    kept.connector = {
      ...kept.connector,
      name: nameWithInventory('Keep', 'team-a'),
      arguments: { phoneNumberId: keep, channelMessageType: 'transactional' },
    };
    await provisioned(kept);
    const foreignId = stack.sim.seedConnector(stack.workspaceId, {
      name: 'Made in the dashboard',
      connectorTemplateRef: 'sms-messagebird:1',
      arguments: { phoneNumberId: foreign, channelMessageType: 'transactional' },
    });
    const defaults = {
      workspaceId: stack.workspaceId,
      organizationId: stack.organizationId,
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name: 'Team A',
        arguments: { channelMessageType: 'transactional' },
      },
    };
    const before = stack.sim.calls().length;
    const csv = ['phoneNumberId', keep, create, 'not-a-uuid', foreign].join('\n');
    const fromFile = await api.call('POST', '/v1/plans', {
      body: { inventoryName: 'team-a', format: 'csv', inventory: csv, defaults },
    });
    assert.equal(fromFile.status, 200, fromFile.text);
    stack.startedWorkflowIds.push(fromFile.json.workflowId);
    const actions = (r: typeof fromFile) =>
      Object.fromEntries(
        r.json.plan.entries
          .filter((e: { phoneNumberId: string }) => [keep, create, foreign].includes(e.phoneNumberId))
          .map((e: { phoneNumberId: string; action: string }) => [e.phoneNumberId, e.action]),
      );
    assert.deepEqual(actions(fromFile), { [keep]: 'keep', [create]: 'create', [foreign]: 'foreign' });
    assert.equal(
      fromFile.json.plan.entries.find((e: { action: string }) => e.action === 'foreign').connectorId,
      foreignId,
    );
    assert.equal(fromFile.json.plan.entries.find((e: { action: string }) => e.action === 'create').line, 3);
    assert.deepEqual(
      fromFile.json.notPlanned.map((p: { line: number; field: string }) => `${p.line}:${p.field}`),
      ['4:phoneNumberId'],
    );
    assert.equal(fromFile.json.plan.inventory, 'team-a');

    const fromRows = await api.call('POST', '/v1/plans', {
      body: { inventoryName: 'team-b', rows: [{ phoneNumberId: keep }, { phoneNumberId: create }], defaults },
    });
    assert.equal(fromRows.status, 200, fromRows.text);
    stack.startedWorkflowIds.push(fromRows.json.workflowId);
    // Another inventory's connector is never its to keep: team-a made it.
    assert.deepEqual(actions(fromRows), { [keep]: 'other', [create]: 'create' });
    assert.deepEqual(writesSince(before), [], 'a plan writes nothing to Bird');

    const listOnly = stack.sim.calls().length;
    const unrefreshed = await api.call('POST', '/v1/plans', {
      body: { inventoryName: 'team-a', format: 'csv', inventory: csv, defaults, refresh: false },
    });
    assert.equal(unrefreshed.status, 200, unrefreshed.text);
    stack.startedWorkflowIds.push(unrefreshed.json.workflowId);
    assert.deepEqual(actions(unrefreshed), actions(fromFile));
    const reads = stack.sim.calls().slice(listOnly);
    assert.deepEqual(
      reads.filter((c) => c.operationId !== 'listConnectors'),
      [],
      'refresh: false reads the list pages only',
    );

    const invalid = await api.call('POST', '/v1/plans', {
      body: { inventoryName: 'no spaces', inventory: csv, rows: [], defaults },
    });
    assert.equal(invalid.status, 422);
    assert.deepEqual(invalid.json.error.problems.map((p: { field: string }) => p.field).sort(), [
      'inventory',
      'inventoryName',
    ]);
    const badDefaults = await api.call('POST', '/v1/plans', {
      body: {
        inventoryName: 'team-a',
        rows: [{ phoneNumberId: keep }],
        defaults: { ...defaults, organizationId: 'x' },
      },
    });
    assert.equal(badDefaults.status, 422);
    assert.equal(badDefaults.json.error.problems[0].field, 'defaults.organizationId');
    const otherKey = await api.call('POST', '/v1/plans', {
      key: api.keyB,
      body: { inventoryName: 'team-a', rows: [{ phoneNumberId: keep }], defaults },
    });
    assert.equal(otherKey.status, 404);
  });
  it('POST /v1/applies: 202 + Location, the report at GET; a stale saved plan is 409 with the differences; prune only when true', async () => {
    const a: string = randomUUID();
    const b: string = randomUUID();
    const inventoryName = `apply-${randomUUID().slice(0, 6)}`;
    const defaults = {
      workspaceId: stack.workspaceId,
      organizationId: stack.organizationId,
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name: 'Team C',
        arguments: { channelMessageType: 'transactional' },
      },
    };
    const location = `/v1/applies/${stack.workspaceId}/${inventoryName}`;
    assert.equal((await api.call('GET', location)).status, 404, 'never applied');
    const rows = [{ phoneNumberId: a }, { phoneNumberId: b }];
    const planned = await api.call('POST', '/v1/plans', { body: { inventoryName, rows, defaults } });
    assert.equal(planned.status, 200, planned.text);
    stack.startedWorkflowIds.push(planned.json.workflowId);
    const saved = planned.json.plan as Plan;
    const applied = async (body: Record<string, unknown>) => {
      const started = await api.call('POST', '/v1/applies', { body: { inventoryName, defaults, ...body } });
      assert.equal(started.status, 202, started.text);
      assert.equal(started.headers.get('location'), location);
      stack.startedWorkflowIds.push(started.json.workflowId);
      const done = await ended(location);
      assert.equal(done.json.status, 'completed', done.text);
      assert.equal(done.json.runId, started.json.runId);
      return done.json.result as ApplyResult;
    };
    // The other tests' connectors in the workspace are in the report too (another inventory's, foreign): not these.
    const outcomes = (result: ApplyResult) =>
      Object.fromEntries(
        result.rows.filter((r) => [a, b].includes(r.phoneNumberId ?? '')).map((r) => [r.phoneNumberId!, r.outcome]),
      );

    const first = await applied({ rows, plan: saved });
    assert.deepEqual(outcomes(first), { [a]: 'created', [b]: 'created' });
    assert.equal(first.creates?.counts.active, 2);

    const before = stack.sim.calls().length;
    const stale = await api.call('POST', '/v1/applies', { body: { inventoryName, defaults, rows, plan: saved } });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.code, 'plan-no-longer-holds');
    assert.deepEqual(
      stale.json.error.problems.map((p: { reason: string }) => p.reason).sort(),
      [`- create ${a}`, `- create ${b}`].sort(),
    );
    assert.deepEqual(writesSince(before), [], 'nothing was started');

    const kept = await applied({ rows: [{ phoneNumberId: a }] });
    assert.deepEqual(outcomes(kept), { [a]: 'unchanged', [b]: 'skipped' });
    assert.equal(kept.changed, false);
    assert.deepEqual(writesSince(before), [], 'no prune unless asked');
    const pruned = await applied({ rows: [{ phoneNumberId: a }], prune: true });
    assert.deepEqual(outcomes(pruned), { [a]: 'unchanged', [b]: 'pruned' });
    const live = stack.sim.connectors().filter((c) => !c.deletedAt && [a, b].includes(c.number?.numberId ?? ''));
    assert.deepEqual(
      live.map((c) => c.number?.numberId),
      [a],
    );

    const invalid = await api.call('POST', '/v1/applies', {
      body: { inventoryName, defaults, rows: [{ phoneNumberId: a }, { phoneNumberId: 'x' }], prune: true },
    });
    assert.equal(invalid.status, 422);
    assert.deepEqual(
      invalid.json.error.problems.map((p: { line: number; field: string }) => `${p.line}:${p.field}`),
      ['2:phoneNumberId'],
    );
    const notAPlan = await api.call('POST', '/v1/applies', { body: { inventoryName, defaults, rows, plan: {} } });
    assert.equal(notAPlan.status, 422);
    assert.equal(notAPlan.json.error.problems[0].field, 'plan');
    const otherKey = await api.call('GET', location, { key: api.keyB });
    assert.equal(otherKey.status, 404);
  });
});
