/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are JSON already checked against the OpenAPI document by call() */
/**
 * The HTTP API's plan (POST /v1/plans) and apply (POST /v1/applies, GET of its state), over real HTTP against the
 * real dev server, a worker and the Bird simulator; every exchange is checked against the served OpenAPI document
 * (test/helpers/http-api.ts). Offboarding: test/http-api-offboard.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ApplyResult } from '../src/domain/apply';
import { nameWithInventory, type Plan } from '../src/domain/plan';
import { smsBulkDefaults } from './helpers/inventory';
import type { ApiHarness } from './helpers/http-api';
import { apiSuite } from './helpers/http-api-suite';
import { smsInput, type Stack } from './helpers/stack';

describe('HTTP API: plan and apply', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: ApiHarness;
  const { writesSince, provisioned, ended } = apiSuite((started) => {
    ({ stack, api } = started);
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
    const defaults = smsBulkDefaults(stack, { name: 'Team A' });
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
    const defaults = smsBulkDefaults(stack, { name: 'Team C' });
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
