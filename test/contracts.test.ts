/**
 * The caller contract under contracts/ is what the code says: regenerating it changes nothing (a renamed field, a new
 * stage or failure type fails here until `npm run contracts` is run and the change committed), and the JSON Schemas
 * are usable by another language's validator (ajv, draft 2020-12) on the documents callers send and receive.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { contractDocuments, serialiseContract } from '../src/client/contract-documents';
import { ProvisioningFailureDetailsSchema } from '../src/client/contract-schemas';
import { TEMPLATE_REFS as KNOWN_TEMPLATE_REFS } from '../src/domain/connector-templates';
import { parseApplyInput, type ApplyResult } from '../src/domain/apply';
import { bulkOffboardOptionsOf } from '../src/client/bulk-offboard-request';
import { countOutcomes, type BulkOffboardResult } from '../src/domain/bulk-offboarding';
import { parseOffboardInput, type OffboardResult } from '../src/domain/offboarding';
import { planWorkspace } from '../src/domain/plan';
import { parsePlanInput } from '../src/domain/plan-input';
import {
  CONNECTOR_ARGUMENTS,
  parseProvisioningInput,
  type ProvisionChannelInputRaw,
} from '../src/domain/provisioning-input';

function parseOk(input: unknown): boolean {
  try {
    parseProvisioningInput(input);
    return true;
  } catch {
    return false;
  }
}

const DIR = join(__dirname, '..', 'contracts');

function validator(file: string) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(DIR, file), 'utf8')) as object);
}

describe('caller contract (contracts/*.schema.json, conventions.json)', () => {
  const generated = contractDocuments();

  for (const file of Object.keys(generated)) {
    it(`${file} is what the code generates (run "npm run contracts" after changing a schema)`, () => {
      assert.equal(readFileSync(join(DIR, file), 'utf8'), serialiseContract(generated[file]));
    });
  }

  it('contracts/ holds no stale generated file', () => {
    const onDisk = readdirSync(DIR).filter((f) => f.endsWith('.schema.json') || f === 'conventions.json');
    assert.deepEqual(onDisk.sort(), Object.keys(generated).sort());
  });

  it('the input schema takes the short notation (durations as strings, defaults left out) and names what it refuses', () => {
    const validate = validator('provisioning-input.schema.json');
    const example = JSON.parse(readFileSync(join(__dirname, '..', 'examples', 'provision-sms.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.ok(validate(example), JSON.stringify(validate.errors));
    const { readiness: _r, subscriptions: _s, ...minimal } = example;
    assert.ok(validate(minimal), 'readiness and subscriptions have defaults');
    assert.equal(
      validate({ ...example, connector: { ...(example.connector as object), securityArguments: {} } }),
      false,
    );
    assert.equal(validate({ ...example, workspaceId: 'not-a-uuid' }), false);
    assert.ok(validate.errors?.some((e) => e.instancePath === '/workspaceId'));
  });

  it('the input schema refuses what the validator refuses: per-template arguments, blanks, durations, bounds', () => {
    const validate = validator('provisioning-input.schema.json');
    const example = JSON.parse(
      readFileSync(join(__dirname, '..', 'examples', 'provision-sms.json'), 'utf8'),
    ) as ProvisionChannelInputRaw;
    const connector = example.connector;
    const refused = (input: unknown, path: string) => {
      assert.equal(parseOk(input), false, `the validator accepts ${JSON.stringify(input)}`);
      assert.equal(validate(input), false, `the schema accepts ${JSON.stringify(input)}`);
      assert.ok(
        validate.errors?.some((e) => e.instancePath.startsWith(path)),
        `${path}: ${JSON.stringify(validate.errors)}`,
      );
    };
    const { arguments: _a, ...noArguments } = connector;
    refused({ ...example, connector: noArguments }, '/connector');
    refused({ ...example, connector: { ...connector, arguments: { phoneNumberId: 'x' } } }, '/connector/arguments');
    refused({ ...example, connector: { ...connector, name: '   ' } }, '/connector/name');
    refused({ ...example, connector: { ...connector, name: 'x'.repeat(201) } }, '/connector/name');
    refused({ ...example, connector: { ...connector, name: 'a\uD800' } }, '/connector/name');
    refused({ ...example, readiness: { deadline: 'soon' } }, '/readiness/deadline');
    refused({ ...example, readiness: { initialPollInterval: 99 } }, '/readiness/initialPollInterval');
    refused({ ...example, readiness: { backoffCoefficient: 11 } }, '/readiness/backoffCoefficient');
    const [subscription] = example.subscriptions!;
    refused({ ...example, subscriptions: [{ ...subscription, event: '' }] }, '/subscriptions/0/event');
    refused(
      { ...example, subscriptions: [{ ...subscription, eventFilters: [{ key: 'channelId', value: 'c' }] }] },
      '/subscriptions/0/eventFilters',
    );
    // One if/then per template the server checks the arguments of; any other template takes any object.
    const schema = JSON.parse(readFileSync(join(DIR, 'provisioning-input.schema.json'), 'utf8')) as {
      properties: { connector: { allOf: Array<{ if: { properties: { connectorTemplateRef: { const: string } } } }> } };
    };
    assert.deepEqual(
      schema.properties.connector.allOf.map((rule) => rule.if.properties.connectorTemplateRef.const),
      Object.keys(CONNECTOR_ARGUMENTS),
    );
    for (const connectorTemplateRef of KNOWN_TEMPLATE_REFS.filter((t) => !(t in CONNECTOR_ARGUMENTS))) {
      const other = { ...example, connector: { ...connector, connectorTemplateRef, arguments: {} } };
      assert.ok(parseOk(other) && validate(other), JSON.stringify(validate.errors));
    }
  });

  it('the failure and progress schemas accept what the workflow reports, and refuse a renamed field', () => {
    const details = {
      failedStep: 'awaiting-readiness',
      reason: 'channel status is error',
      createOutcome: 'created',
      connectorId: 'c1',
      undone: ['deleted connector c1'],
      compensationFailures: [],
      leftBehind: [],
    };
    assert.ok(ProvisioningFailureDetailsSchema.safeParse(details).success);
    const failure = validator('provisioning-failure.schema.json');
    assert.ok(
      failure({ type: 'ProvisioningFailed', message: 'm', nonRetryable: true, details: [details] }),
      JSON.stringify(failure.errors),
    );
    assert.ok(
      failure({
        type: 'InvalidProvisioningInput',
        message: 'm',
        nonRetryable: true,
        details: [['workspaceId: must be a UUID']],
      }),
    );
    const { failedStep, ...renamed } = details;
    assert.equal(
      failure({
        type: 'ProvisioningFailed',
        message: 'm',
        nonRetryable: true,
        details: [{ ...renamed, failedstep: failedStep }],
      }),
      false,
    );
    const progress = validator('provisioning-progress.schema.json');
    assert.ok(
      progress({
        stage: 'cancelled',
        adopted: false,
        statusPolls: 2,
        statusReports: 0,
        subscriptionIds: [],
        compensation: details,
      }),
      JSON.stringify(progress.errors),
    );
    assert.equal(
      progress({ stage: 'done', adopted: false, statusPolls: 2, statusReports: 0, subscriptionIds: [] }),
      false,
    );
  });

  it('the offboard and plan schemas take what the validators take, and describe what the workflows answer', () => {
    const offboardInput = validator('offboard-input.schema.json');
    const ws = '00000000-0000-4000-8000-000000000001';
    const number = '00000000-0000-4000-8000-000000000002';
    for (const ok of [
      { workspaceId: ws, phoneNumberId: number, confirmDeadline: '5m' },
      { workspaceId: ws, connector: { connectorTemplateRef: 'whatsapp', name: 'Support' } },
    ]) {
      assert.ok(offboardInput(ok), JSON.stringify(offboardInput.errors));
      parseOffboardInput(ok);
    }
    assert.equal(offboardInput({ workspaceId: ws, phoneNumberId: 'x' }), false);
    assert.equal(offboardInput({ workspaceId: ws, phoneNumberId: number, force: true }), false);

    const report: OffboardResult = {
      workflowId: `offboard/${ws}/${number}`,
      workspaceId: ws,
      phoneNumberId: number,
      outcome: 'offboarded',
      deleted: [{ connectorId: 'c1', name: 'SMS [prov-0123456789abcdef]', confirmedBy: 'not-found' }],
      foreign: [],
      leftBehind: [{ kind: 'webhook-subscription', subscriptionId: 's1' }],
      birdWrites: 1,
    };
    const offboardResult = validator('offboard-result.schema.json');
    assert.ok(offboardResult(report), JSON.stringify(offboardResult.errors));
    assert.equal(offboardResult({ ...report, outcome: 'gone' }), false);

    const planInput = { workspaceId: ws, inventory: 'crm-eu', entries: [{ phoneNumberId: number, line: 2 }] };
    assert.ok(validator('plan-input.schema.json')(planInput));
    parsePlanInput(planInput);
    const plan = planWorkspace({
      ...planInput,
      connectors: [{ connectorId: 'c9', name: 'x {inv:crm-eu} [prov-0123456789abcdef]', numberId: ws }],
    });
    assert.deepEqual(
      plan.entries.map((e) => e.action),
      ['create', 'prune'],
    );
    const planResult = validator('plan-result.schema.json');
    assert.ok(planResult(plan), JSON.stringify(planResult.errors));
    assert.equal(planResult({ ...plan, counts: { ...plan.counts, destroy: 1 } }), false);
  });
  it('the bulk offboarding schemas take what the doors take, and describe what the workflow answers', () => {
    const ws = '00000000-0000-4000-8000-000000000001';
    const number = '00000000-0000-4000-8000-000000000002';
    const request = validator('bulk-offboard-request.schema.json');
    for (const ok of [
      { workspaceId: ws, file: `phoneNumberId\n${number}\n`, concurrency: 5 },
      { workspaceId: ws, rows: [{ phoneNumberId: number }, { connectorTemplateRef: 'whatsapp:1', name: 'Shop' }] },
    ]) {
      assert.ok(request(ok), JSON.stringify(request.errors));
      assert.ok(bulkOffboardOptionsOf(ok).rows.length > 0);
    }
    assert.equal(request({ workspaceId: ws, rows: [] }), false);
    assert.equal(request({ workspaceId: ws, file: number, concurrency: 201 }), false);
    assert.equal(request({ workspaceId: ws, file: number, force: true }), false);

    const result: BulkOffboardResult = {
      progress: {
        stage: 'completed',
        workspaceId: ws,
        total: 1,
        pending: 0,
        running: 0,
        window: 10,
        counts: countOutcomes([{ row: 0, outcome: 'already-absent', workflowId: `offboard/${ws}/${number}` }]),
        startedAt: '2026-12-05T10:00:00.000Z',
        finishedAt: '2026-12-05T10:00:01.000Z',
        continuedAsNew: 0,
      },
      stored: { bulkKey: `offboard-${ws}-0123456789abcdef`, runKey: 'r1' },
    };
    const resultSchema = validator('bulk-offboard-result.schema.json');
    assert.ok(resultSchema(result), JSON.stringify(resultSchema.errors));
    assert.ok(validator('bulk-offboard-progress.schema.json')(result.progress));
    assert.equal(validator('bulk-offboard-progress.schema.json')({ ...result.progress, stage: 'done' }), false);
    assert.equal(
      resultSchema({ ...result, progress: { ...result.progress, counts: { ...result.progress.counts, gone: 1 } } }),
      false,
    );
  });

  it('the apply schemas take what the validator takes, and describe what the workflow reports', () => {
    const ws = '00000000-0000-4000-8000-000000000001';
    const number = '00000000-0000-4000-8000-000000000002';
    const input = {
      plan: { workspaceId: ws, inventory: 'crm-eu', entries: [{ phoneNumberId: number, line: 2 }] },
      bulkKey: `${ws}-0123456789abcdef`,
      source: 'crm.csv',
      expected: [{ action: 'create', phoneNumberId: number }],
      bulk: { concurrency: 10, pageSize: 100, startsPerRun: 500, sweepIntervalMs: 60_000 },
    };
    const applyInput = validator('apply-input.schema.json');
    assert.ok(applyInput(input), JSON.stringify(applyInput.errors));
    parseApplyInput(input);
    assert.equal(applyInput({ ...input, prune: 'yes' }), false);
    assert.equal(applyInput({ ...input, expected: [{ action: 'destroy' }] }), false);

    const result: ApplyResult = {
      inventory: 'crm-eu',
      workspaceId: ws,
      counts: { create: 1, keep: 0, repair: 0, adopt: 0, foreign: 0, prune: 1, other: 0 },
      changed: true,
      rows: [
        { action: 'create', phoneNumberId: number, line: 2, outcome: 'created', reason: 'created' },
        { action: 'prune', phoneNumberId: ws, connectorId: 'c9', outcome: 'skipped', reason: 'give --prune' },
      ],
      creates: {
        workflowId: `apply/${ws}/crm-eu/create`,
        bulkKey: `${ws}-0123456789abcdef`,
        runKey: 'r1',
        rows: 1,
        counts: { active: 1, alreadyActive: 0, failed: 0, compensated: 0, cancelled: 0, notStarted: 0 },
      },
    };
    const applyResult = validator('apply-result.schema.json');
    assert.ok(applyResult(result), JSON.stringify(applyResult.errors));
    assert.equal(applyResult({ ...result, rows: [{ ...result.rows[0], outcome: 'destroyed' }] }), false);
  });
});
