/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are JSON already checked against the OpenAPI document by call() */
/**
 * The HTTP API's bulk offboarding (POST /v1/bulk-offboardings, GET /v1/bulk-offboardings/{id}[/report|/events], POST
 * …/{id}/cancel) over real HTTP against the real dev server, a worker and the Bird simulator; every exchange is checked
 * against the served OpenAPI document (test/helpers/http-api.ts), every event against its per-event schema.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { OFFBOARD_REPORT_COLUMNS } from '../src/bulk/offboard-file';
import { startApi, type ApiHarness } from './helpers/http-api';
import { readEvents } from './helpers/sse';
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
  const report = async (location: string) => {
    const r = await api.call('GET', `${location}/report`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(r.text.split('\n')[0], OFFBOARD_REPORT_COLUMNS.join(','));
    const lines: Array<Partial<Record<string, string>>> = parse(r.text, { columns: true });
    return lines;
  };

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

  it('events stream the progress to an end event; the report is a CSV line per row, in the file’s order', async () => {
    const ours = await provisioned();
    const [before, after] = [randomUUID(), randomUUID()];
    const file = `phoneNumberId\n${before}\n${ours.number}\n${after}\n`;
    const body = { workspaceId: stack.workspaceId, file, concurrency: 1 };
    const started = await api.call('POST', '/v1/bulk-offboardings', { body });
    assert.equal(started.status, 202, started.text);
    stack.startedWorkflowIds.push(started.json.workflowId);
    const location = started.headers.get('location')!;
    const events = await readEvents(api, `${location}/events`, {
      event: 'BulkOffboardProgressEvent',
      data: 'BulkOffboardProgress',
    });
    const kinds = events.map((e) => e.event);
    assert.equal(kinds.at(-1), 'end');
    assert.ok(kinds.slice(0, -1).every((k) => k === 'progress') && kinds.length >= 3, kinds.join());
    type Progress = { stage: string; pending: number; counts: Record<string, number> };
    const [first, last] = [events[0]!.data as Progress, events.at(-1)!.data as Progress];
    assert.equal(first.stage, 'offboarding');
    assert.ok(first.pending > 0, 'the stream began before the rows were done');
    assert.equal(last.stage, 'completed');
    assert.deepEqual([last.counts.offboarded, last.counts['already-absent'], last.pending], [1, 2, 0]);

    const lines = await report(location);
    assert.deepEqual(
      lines.map((r) => [r.line, r.phoneNumberId, r.outcome, r.deleted]),
      [
        ['2', before, 'already-absent', ''],
        ['3', ours.number, 'offboarded', ours.connectorId],
        ['4', after, 'already-absent', ''],
      ],
    );
    assert.ok(lines.every((r) => r.workflowId?.startsWith(`offboard/${stack.workspaceId}/`)));
    const ended = await api.call('POST', `${location}/cancel`);
    assert.equal(ended.status, 409, 'nothing to cancel once it has ended');
    assert.equal(ended.json.status, 'completed');
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
    for (const [method, more] of [
      ['GET', '/report'],
      ['GET', '/events'],
      ['POST', '/cancel'],
    ] as const) {
      const unknown = await api.call(method, `${path}${more}`);
      assert.equal(unknown.status, 404, `${method} ${more}`);
      assert.equal(unknown.json.error.code, 'not-found');
      assert.equal((await api.call(method, `${path}${more}`, { key: api.keyB })).status, 404);
    }
    const malformed = await api.call('GET', '/v1/bulk-offboardings/nope', { unchecked: true });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.problems[0].field, 'id');
    assert.equal(started(), before, 'no Bird call');
  });

  it('POST …/cancel stops a running run: 202, then cancelled, its report saying which rows were not done; again 409', async () => {
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
    // While it runs, the report answers as bulk onboarding's: every row, those without a result not-started.
    assert.deepEqual(
      (await report(location)).map((r) => [r.line, r.outcome]),
      [
        ['1', 'not-started'],
        ['2', 'not-started'],
        ['3', 'not-started'],
      ],
    );
    const cancel = await api.call('POST', `${location}/cancel`);
    assert.equal(cancel.status, 202, cancel.text);
    assert.equal(cancel.headers.get('location'), location);
    const done = await ended(location);
    assert.equal(done.json.status, 'cancelled', done.text);
    const expected = [
      ['1', numbers[0], 'cancelled'],
      ['2', numbers[1], 'not-started'],
      ['3', numbers[2], 'not-started'],
    ];
    assert.deepEqual(
      done.json.report.map((r: Record<string, string>) => [r.line, r.phoneNumberId, r.outcome]),
      expected,
    );
    assert.deepEqual(
      (await report(location)).map((r) => [r.line, r.phoneNumberId, r.outcome]),
      expected,
    );
    for (const n of numbers.slice(1))
      await assert.rejects(
        stack.client.workflow.getHandle(`offboard/${stack.workspaceId}/${n}`).describe(),
        /not found/i,
        'a row after the cancel was never offboarded',
      );
    const again = await api.call('POST', `${location}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.json.status, 'cancelled');
  });
});
