/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are JSON already checked against the OpenAPI document by call() */
/**
 * The HTTP API's offboarding of one channel (DELETE of a provisioning, GET of its offboarding), over real HTTP against
 * the real dev server, a worker and the Bird simulator; every exchange is checked against the served OpenAPI document
 * (test/helpers/http-api.ts). Plan and apply: test/http-api-plan-apply.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startApi, type ApiHarness } from './helpers/http-api';
import { apiSuite } from './helpers/http-api-suite';
import { smsInput, type Stack } from './helpers/stack';

describe('HTTP API: offboarding', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: ApiHarness;
  const { numberOf, writesSince, provisioned, ended } = apiSuite((started) => {
    ({ stack, api } = started);
  });

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
});
