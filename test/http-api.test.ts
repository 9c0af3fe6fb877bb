/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are JSON already checked against the OpenAPI document by call() */
/**
 * The HTTP API over real HTTP against the real dev server, a worker and the Bird simulator; every exchange is
 * checked against the served OpenAPI 3.1 document (test/helpers/http-api.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { buildApiServer } from '../src/api/server';
import { Secret } from '../src/base/secret';
import { smsBulkDefaults } from './helpers/inventory';
import { startApi, type ApiHarness } from './helpers/http-api';
import { readEvents } from './helpers/sse';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { freePort } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const SCHEMAS = { event: 'BulkProgressEvent', data: 'BulkProgress' };

describe('HTTP API (src/api)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: ApiHarness;
  before(async () => {
    stack = await startStack();
    api = await startApi(stack);
  });
  after(async () => {
    await api?.app.close();
    await stack?.closeCheckingHistories();
  });

  const numberOf = (input: ReturnType<typeof smsInput>) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  const pathOf = (input: ReturnType<typeof smsInput>) => `/v1/provisionings/${stack.workspaceId}/${numberOf(input)}`;
  const connectorsFor = (number: string) => stack.sim.connectors().filter((c) => JSON.stringify(c).includes(number));
  const until = (input: ReturnType<typeof smsInput>, status: string) =>
    waitFor(
      `${status}`,
      async () => {
        const r = await api.call('GET', pathOf(input));
        return r.json?.status === status ? r : undefined;
      },
      60_000,
      200,
    );

  it('serves a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { openapi: string };
    const result = await new Validator().validate(doc as never);
    assert.ok(result.valid, JSON.stringify(result.errors));
    assert.equal(doc.openapi, '3.1.0');
  });

  it('provisions a number: 202 + Location, then its state; the same POST again is 200 with that state, one connector', async () => {
    const input = smsInput(stack);
    const started = await api.call('POST', '/v1/provisionings', { body: input });
    assert.equal(started.status, 202);
    assert.equal(started.headers.get('location'), pathOf(input));
    assert.equal(started.json.workflowId, `provision/${stack.workspaceId}/${numberOf(input)}`);
    const done = await until(input, 'completed');
    assert.equal(done.json.stage, 'completed');
    assert.ok(done.json.connectorId && done.json.channelId);
    const again = await api.call('POST', '/v1/provisionings', { body: input });
    assert.equal(again.status, 200);
    assert.equal(again.json.connectorId, done.json.connectorId);
    assert.equal(connectorsFor(numberOf(input)).length, 1);
  });

  it('50 identical concurrent POSTs: one provisioning, one connector', async () => {
    const input = smsInput(stack);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api.call('POST', '/v1/provisionings', { body: input })),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 202).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 200).length, 49, statuses.join(','));
    await until(input, 'completed');
    const runs = [];
    for await (const wf of stack.client.workflow.list({
      query: `WorkflowId = 'provision/${stack.workspaceId}/${numberOf(input)}'`,
    }))
      runs.push(wf.runId);
    assert.equal(runs.length, 1);
    assert.equal(connectorsFor(numberOf(input)).length, 1);
  });

  it('a refusal by Bird: failed, with the failure type and details (nothing was made)', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(numberOf(input), { outcome: 'active', tenDlc: true });
    assert.equal((await api.call('POST', '/v1/provisionings', { body: input })).status, 202);
    const failed = await until(input, 'failed');
    assert.equal(failed.json.failure.type, 'ProvisioningFailed');
    assert.match(failed.json.failure.reason, /HTTP 422 InvalidData: .*useCaseId/);
    assert.equal(failed.json.failure.details.createOutcome, 'refused');
    assert.deepEqual(failed.json.leftBehind, []);
    assert.equal(connectorsFor(numberOf(input)).length, 0);
  });

  it('cancel: 202, then cancelled with its connector deleted; cancelling again is 409 with the outcome', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(numberOf(input), { outcome: 'active', delayMs: 60_000 });
    await api.call('POST', '/v1/provisionings', { body: input });
    await waitFor(
      'awaiting-readiness',
      async () => ((await api.call('GET', pathOf(input))).json?.stage === 'awaiting-readiness' ? true : undefined),
      30_000,
      100,
    );
    const cancel = await api.call('POST', `${pathOf(input)}/cancel`);
    assert.equal(cancel.status, 202);
    const cancelled = await until(input, 'cancelled');
    assert.match(cancelled.json.undone[0], /^deleted connector /);
    assert.deepEqual(cancelled.json.leftBehind, []);
    const connectors = connectorsFor(numberOf(input));
    assert.equal(connectors.length, 1);
    assert.equal(
      stack.sim.connectors().filter((c) => c.id === connectors[0]!.id && !('deletedAt' in c && c.deletedAt)).length <=
        1,
      true,
    );
    assert.equal((await api.call('POST', `${pathOf(input)}/cancel`)).status, 409);
  });

  it("keys: none or unknown is 401; a key for another workspace gets 404 for this one's provisionings, even guessed ids", async () => {
    const input = smsInput(stack);
    assert.equal((await api.call('GET', pathOf(input), { key: null })).status, 401);
    assert.equal((await api.call('GET', pathOf(input), { key: `${api.keyA}x` })).status, 401);
    const post = await api.call('POST', '/v1/provisionings', { body: input, key: api.keyB });
    assert.equal(post.status, 404);
    assert.equal(post.json.error.code, 'not-found');
    assert.equal((await api.call('GET', pathOf(input), { key: api.keyB })).status, 404);
    assert.equal((await api.call('POST', `${pathOf(input)}/cancel`, { key: api.keyB })).status, 404);
    assert.equal(connectorsFor(numberOf(input)).length, 0);
  });

  it('bad input: 422 naming each field, 400 for malformed JSON or ids, 413 oversized, 415 not JSON, 404/405 as JSON', async () => {
    const input = smsInput(stack);
    const invalid = await api.call('POST', '/v1/provisionings', {
      body: { ...input, organizationId: 'nope', readiness: { deadline: 'soon' } },
    });
    assert.equal(invalid.status, 422);
    assert.deepEqual(invalid.json.error.problems.map((p: { field: string }) => p.field).sort(), [
      'organizationId',
      'readiness.deadline',
    ]);
    assert.equal(invalid.json.error.code, 'invalid-input');
    assert.deepEqual(
      invalid.json.error.problems.find((p: { field: string }) => p.field === 'organizationId'),
      { field: 'organizationId', reason: 'must be a UUID (8-4-4-4-12 hex digits)' },
    );
    const malformed = await api.call('POST', '/v1/provisionings', { rawBody: '{"workspaceId": ', unchecked: true });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.problems[0].field, '(body)');
    const huge = await api.call('POST', '/v1/provisionings', {
      rawBody: JSON.stringify({ ...input, pad: 'x'.repeat(200_000) }),
      unchecked: true,
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, 'body-too-large');
    assert.equal(
      (await api.call('POST', '/v1/provisionings', { rawBody: 'hello', contentType: 'text/plain', unchecked: true }))
        .status,
      415,
    );
    const badId = await api.call('GET', `/v1/provisionings/${stack.workspaceId}/not-a-uuid`, { unchecked: true });
    assert.equal(badId.status, 400);
    assert.equal(badId.json.error.problems[0].field, 'phoneNumberId');
    const unknown = await api.call('GET', '/v2/nothing');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'no-such-route');
    const wrongMethod = await api.call('PUT', pathOf(input));
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET, DELETE');
    assert.equal(connectorsFor(numberOf(input)).length, 0);
  });

  it('per-key rate limit: 429 with Retry-After; another key is not affected', async () => {
    const limited = await startApi(stack, { rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const path = `/v1/provisionings/${stack.workspaceId}/${randomUUID()}`;
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', path)).status);
      assert.deepEqual(statuses, [404, 404, 404, 429]);
      const last = await limited.call('GET', path);
      assert.ok(Number(last.headers.get('retry-after')) > 0);
      assert.equal((await limited.call('GET', path, { key: limited.keyB })).status, 404);
    } finally {
      await limited.app.close();
    }
  });

  it('503 with Retry-After when Temporal is unreachable or no worker serves the task queue; nothing starts', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1_000 });
    const down = await buildApiServer({
      client: new Client({ connection }),
      taskQueue: stack.taskQueue,
      bulkStore: stack.bulkStore,
      keys: [{ name: 'crm', secret: new Secret(api.keyA), workspaces: new Set([stack.workspaceId]) }],
    });
    const noWorkers = await startApi(stack, { taskQueue: `no-workers-${randomUUID()}` });
    try {
      const input = smsInput(stack);
      const r = await down.inject({
        method: 'POST',
        url: '/v1/provisionings',
        headers: { authorization: `Bearer ${api.keyA}` },
        payload: input,
      });
      assert.equal(r.statusCode, 503, r.body);
      assert.ok(Number(r.headers['retry-after']) > 0);
      const none = await noWorkers.call('POST', '/v1/provisionings', { key: noWorkers.keyA, body: input });
      assert.equal(none.status, 503);
      assert.equal(none.json.error.code, 'no-worker');
      assert.ok(Number(none.headers.get('retry-after')) > 0);
      assert.equal((await api.call('GET', pathOf(input))).status, 404, 'nothing started');
    } finally {
      await down.close();
      await noWorkers.app.close();
    }
  });
});

describe('HTTP API: bulk onboarding', function () {
  this.timeout(120_000);
  let stack: Stack;
  let api: ApiHarness;
  before(async () => {
    stack = await startStack();
    api = await startApi(stack);
  });
  after(async () => {
    await api?.app.close();
    await stack?.closeCheckingHistories();
  });
  const defaults = () =>
    smsBulkDefaults(stack, {
      name: 'Bulk SMS',
      readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '20s' },
    });

  it('1,000 rows with bad lines: 422 naming every bad line and field, nothing started', async () => {
    const lines = [
      'phoneNumberId,channelMessageType',
      ...Array.from({ length: 1_000 }, () => `${randomUUID()},transactional`),
    ];
    lines[10] = 'not-a-uuid,transactional';
    lines[500] = `${randomUUID()},loud`;
    lines[1_000] = lines[999]!;
    const r = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'csv', inventory: lines.join('\n'), defaults: defaults() },
    });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'invalid-lines');
    assert.deepEqual(
      r.json.error.problems.map((p: { line: number; field: string }) => `${p.line}:${p.field}`),
      ['11:phoneNumberId', '501:channelMessageType', '1001:phoneNumberId'],
    );
    assert.deepEqual(r.json.error.problems[2], {
      line: 1001,
      field: 'phoneNumberId',
      reason: 'duplicate of line 1000 (the same number once per file)',
      phoneNumberId: lines[1_000].split(',')[0],
    });
    const started = [];
    for await (const wf of stack.client.workflow.list({ query: `TaskQueue = '${stack.taskQueue}'` }))
      started.push(wf.workflowId);
    assert.deepEqual(started, []);
    const otherKey = await api.call('POST', '/v1/bulk-onboardings', {
      key: api.keyB,
      body: { format: 'csv', inventory: lines.join('\n'), defaults: defaults() },
    });
    assert.equal(otherKey.status, 404);
  });

  it('a file or defaults refused whole: 422 naming the line of the file, or the field under defaults', async () => {
    const header = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'csv', inventory: `phoneNumberId,nmae\n${randomUUID()},x\n`, defaults: defaults() },
    });
    assert.equal(header.status, 422);
    assert.equal(header.json.error.code, 'invalid-inventory');
    assert.equal(header.json.error.problems.length, 1);
    assert.equal(header.json.error.problems[0].line, 1);
    assert.match(header.json.error.problems[0].reason, /^unknown column "nmae"/);
    const badCsv = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'csv', inventory: `phoneNumberId,name\n"${randomUUID()},y\n`, defaults: defaults() },
    });
    assert.deepEqual(
      [badCsv.json.error.code, badCsv.json.error.problems[0].line, badCsv.json.error.problems[0].reason.slice(0, 31)],
      ['invalid-inventory', 2, 'not valid CSV: Quote Not Closed'],
    );
    const perNumber = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'csv', inventory: `phoneNumberId\n${randomUUID()}\n`, defaults: { ...defaults(), conector: {} } },
    });
    assert.equal(perNumber.status, 422);
    assert.equal(perNumber.json.error.code, 'invalid-defaults');
    assert.deepEqual(perNumber.json.error.problems, [{ field: 'defaults.conector', reason: 'unknown field' }]);
    const request = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'xml', inventory: '', defaults: defaults() },
    });
    assert.equal(request.json.error.code, 'invalid-input');
    assert.deepEqual(
      request.json.error.problems.map((p: { field: string }) => p.field),
      ['format'],
    );
  });

  it('1,000 valid rows: 202, stored and counted whole (then stopped: onboarding them all is the bench job)', async () => {
    const numbers = Array.from({ length: 1_000 }, () => randomUUID());
    const inventory = ['phoneNumberId', ...numbers].join('\n');
    const started = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'csv', inventory, defaults: defaults(), concurrency: 1 },
    });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.json.rows, 1_000);
    assert.equal(started.headers.get('location'), `/v1/bulk-onboardings/${started.json.id}`);
    const progress = await api.call('GET', `/v1/bulk-onboardings/${started.json.id}`);
    assert.equal(progress.status, 200);
    assert.equal(progress.json.total, 1_000);
    assert.equal(progress.json.invalid, 0);
    // The same upload again is the same run.
    const again = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'csv', inventory, defaults: defaults(), concurrency: 1 },
    });
    assert.equal(again.json.workflowId, started.json.workflowId);
    await stack.client.workflow.getHandle(started.json.workflowId).terminate('test: enough');
    // Its progress never says it ended (its stage stays where it stopped): the events stream ends all the same.
    const events = await readEvents(api, `/v1/bulk-onboardings/${started.json.id}/events`, SCHEMAS);
    assert.deepEqual(
      events.map((e) => e.event),
      ['progress', 'end'],
    );
  });

  it('a JSON Lines upload: 202, its events stream to the end, progress and a CSV report; one connector per number', async () => {
    const numbers = Array.from({ length: 4 }, () => randomUUID());
    const inventory = numbers.map((n) => JSON.stringify({ phoneNumberId: n })).join('\n');
    const started = await api.call('POST', '/v1/bulk-onboardings', {
      body: { format: 'jsonl', inventory, defaults: defaults() },
    });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.json.rows, 4);
    // Each event is what the document's per-event schema says (as a fuzzer reads it), its data a BulkProgress.
    const events = await readEvents(api, `/v1/bulk-onboardings/${started.json.id}/events`, SCHEMAS);
    assert.ok(events.length >= 2);
    assert.equal(events[0]?.event, 'progress');
    const end = events.at(-1);
    assert.equal(end?.event, 'end');
    const last = end.data as { stage: string; counts: { active: number } };
    assert.equal(last.stage, 'completed');
    assert.equal(last.counts.active, 4);
    const progress = await api.call('GET', `/v1/bulk-onboardings/${started.json.id}`);
    assert.equal(progress.json.total, 4);
    const report = await api.call('GET', `/v1/bulk-onboardings/${started.json.id}/report`);
    assert.match(report.headers.get('content-type') ?? '', /text\/csv/);
    const rows = report.text.trim().split('\n');
    assert.equal(rows[0], 'phoneNumberId,outcome,connectorId,channelId,workflowId,reason');
    assert.equal(rows.slice(1).filter((row) => row.includes(',active,')).length, 4);
    for (const n of numbers)
      assert.equal(stack.sim.connectors().filter((c) => JSON.stringify(c).includes(n)).length, 1);
    assert.equal((await api.call('GET', `/v1/bulk-onboardings/${started.json.id}`, { key: api.keyB })).status, 404);
  });
});
