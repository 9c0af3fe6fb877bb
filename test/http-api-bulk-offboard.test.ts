/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are JSON already checked against the OpenAPI document by call() */
/**
 * The HTTP API's bulk offboarding (POST /v1/bulk-offboardings, GET /v1/bulk-offboardings/{id}) over real HTTP against
 * the real dev server, a worker and the Bird simulator; every exchange is checked against the served OpenAPI document
 * (test/helpers/http-api.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cancelBulkOffboard } from '../src/client/bulk-offboard-client';
import { startApi, type ApiHarness } from './helpers/http-api';
import { startStack, type Stack } from './helpers/stack';
import { waitFor } from './helpers/wait';
import { provisionedNumber } from './helpers/workspace-state';

describe('HTTP API: bulk offboarding', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: ApiHarness;
  before(async function () {
    this.timeout(300_000);
    stack = await startStack({ sim: { provisioningDelayMs: 200, deprovisioningDelayMs: 300 } });
    api = await startApi(stack);
  });
  after(async () => {
    await api?.app.close();
    await stack?.closeCheckingHistories();
  });

  const provisioned = () => provisionedNumber(stack);
  const ended = (path: string) =>
    waitFor(
      'the bulk offboarding to end',
      async () => {
        const r = await api.call('GET', path);
        return r.json?.status !== 'running' ? r : undefined;
      },
      60_000,
      200,
    );

  it('POST a file: 202 + Location, the same rows again attach; GET shows the progress, then a report line per row', async () => {
    const ours = await provisioned();
    const absent = randomUUID();
    const body = { workspaceId: stack.workspaceId, file: `phoneNumberId\n${ours.number}\n${absent}\n`, concurrency: 2 };
    const started = await api.call('POST', '/v1/bulk-offboardings', { body });
    assert.equal(started.status, 202, started.text);
    const location = started.headers.get('location')!;
    assert.match(location, new RegExp(`^/v1/bulk-offboardings/${stack.workspaceId}-[0-9a-f]{16}$`));
    assert.equal(started.json.location, location);
    assert.equal(started.json.rows, 2);
    assert.equal(started.json.workflowId, `bulk-offboard/${stack.workspaceId}/${location.slice(-16)}`);
    stack.startedWorkflowIds.push(started.json.workflowId);
    const again = await api.call('POST', '/v1/bulk-offboardings', { body });
    assert.equal(again.status, 202);
    assert.equal(again.json.runId, started.json.runId, 'attached to the running bulk offboarding');

    const done = await ended(location);
    assert.equal(done.json.status, 'completed', done.text);
    assert.equal(done.json.progress.total, 2);
    assert.deepEqual(
      done.json.report.map((r: Record<string, string>) => [r.line, r.phoneNumberId, r.outcome, r.deleted]),
      [
        ['2', ours.number, 'offboarded', ours.connectorId],
        ['3', absent, 'already-absent', ''],
      ],
    );
    assert.ok(stack.sim.connectors().find((c) => c.id === ours.connectorId)!.deletedAt);
  });

  it('POST rows as data: row N is line N, by number or by template and name', async () => {
    const rows = [{ phoneNumberId: randomUUID() }, { connectorTemplateRef: 'whatsapp:1', name: 'Shop' }];
    const started = await api.call('POST', '/v1/bulk-offboardings', { body: { workspaceId: stack.workspaceId, rows } });
    assert.equal(started.status, 202, started.text);
    stack.startedWorkflowIds.push(started.json.workflowId);
    const done = await ended(started.headers.get('location')!);
    assert.deepEqual(
      done.json.report.map((r: Record<string, string>) => [
        r.line,
        r.phoneNumberId,
        r.connectorTemplateRef,
        r.name,
        r.outcome,
      ]),
      [
        ['1', rows[0]!.phoneNumberId, '', '', 'already-absent'],
        ['2', '', 'whatsapp:1', 'Shop', 'already-absent'],
      ],
    );
  });

  it('refuses a bad line, a row naming nothing, file and rows together, a bad id and another key’s workspace: nothing started', async () => {
    const started = () => stack.sim.calls().length;
    const before = started();
    const badLine = await api.call('POST', '/v1/bulk-offboardings', {
      body: {
        workspaceId: stack.workspaceId,
        file: `phoneNumberId,connectorTemplateRef,name\n${randomUUID()}\n,whatsapp:1,\n`,
      },
    });
    assert.equal(badLine.status, 422, badLine.text);
    assert.equal(badLine.json.error.code, 'invalid-inventory');
    assert.match(badLine.json.error.message, /line 3: give a phoneNumberId/);

    const badRow = await api.call('POST', '/v1/bulk-offboardings', {
      body: { workspaceId: stack.workspaceId, rows: [{ phoneNumberId: randomUUID() }, { name: 'no template' }] },
    });
    assert.equal(badRow.status, 422);
    assert.deepEqual(badRow.json.error.problems, [
      { field: 'rows.1', reason: 'give a phoneNumberId, or a connectorTemplateRef and a name' },
    ]);
    const badId = await api.call('POST', '/v1/bulk-offboardings', {
      body: { workspaceId: stack.workspaceId, rows: [{ phoneNumberId: 'not-a-uuid' }] },
    });
    assert.equal(badId.status, 422);
    assert.equal(badId.json.error.problems[0].field, 'rows.0.phoneNumberId');
    const both = await api.call('POST', '/v1/bulk-offboardings', {
      body: { workspaceId: stack.workspaceId, file: randomUUID(), rows: [{ phoneNumberId: randomUUID() }] },
    });
    assert.equal(both.status, 422);
    assert.equal(both.json.error.problems[0].field, 'file');

    const other = await api.call('POST', '/v1/bulk-offboardings', {
      body: { workspaceId: stack.workspaceId, file: randomUUID() },
      key: api.keyB,
    });
    assert.equal(other.status, 404);
    const path = `/v1/bulk-offboardings/${stack.workspaceId}-0123456789abcdef`;
    assert.equal((await api.call('GET', path)).status, 404);
    assert.equal((await api.call('GET', path, { key: api.keyB })).status, 404);
    const malformed = await api.call('GET', '/v1/bulk-offboardings/nope', { unchecked: true });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.problems[0].field, 'id');
    assert.equal(started(), before, 'no Bird call');
  });

  it('GET of a cancelled run: cancelled, with a report line for every row (the rows never started not-started)', async () => {
    // The first row's offboarding waits on a status read Bird never answers (the confirmation of its delete).
    const first = await provisioned();
    stack.sim.scriptFault('getConnectorStatus', 'timeout', 1);
    const numbers = [first.number, randomUUID(), randomUUID()];
    const body = {
      workspaceId: stack.workspaceId,
      rows: numbers.map((phoneNumberId) => ({ phoneNumberId })),
      concurrency: 1,
    };
    const started = await api.call('POST', '/v1/bulk-offboardings', { body });
    assert.equal(started.status, 202, started.text);
    stack.startedWorkflowIds.push(started.json.workflowId, `offboard/${stack.workspaceId}/${first.number}`);
    const location = started.headers.get('location')!;
    const running = await waitFor(
      'the first connector to be deleted',
      async () => {
        const gone = stack.sim.connectors().find((c) => c.id === first.connectorId)?.deletedAt;
        return gone ? api.call('GET', location) : undefined;
      },
      30_000,
      50,
    );
    assert.equal(running.json.status, 'running');
    assert.deepEqual([running.json.progress.running, running.json.progress.pending], [1, 2]);
    await cancelBulkOffboard(stack.client, started.json.workflowId);
    const done = await ended(location);
    assert.equal(done.json.status, 'cancelled', done.text);
    assert.deepEqual(
      done.json.report.map((r: Record<string, string>) => [r.line, r.phoneNumberId, r.outcome]),
      [
        ['1', numbers[0], 'cancelled'],
        ['2', numbers[1], 'not-started'],
        ['3', numbers[2], 'not-started'],
      ],
    );
  });
});
