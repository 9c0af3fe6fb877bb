/**
 * The provisioning input schema on its own: every input it accepts must be able to start (workflow id length,
 * payload size, JSON), one number is one number whatever the case of its UUID, and every refusal names its field.
 */
import { problemText } from '../src/base/problems';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  InvalidProvisioningInput,
  isResolvedInput,
  MAX_INPUT_BYTES,
  MAX_WORKFLOW_ID_LENGTH,
  parseProvisioningInput,
} from '../src/domain/provisioning-input';
import { provisioningWorkflowId } from '../src/domain/provisioning-identity';
import { TEMPLATE_REFS } from '../src/domain/connector-templates';
import { blankTextAcceptedBefore, parseProvisioningInputAcceptingBlankText } from '../src/domain/blank-text';

const uuid = (): string => randomUUID();
const base = () => ({
  workspaceId: uuid(),
  organizationId: uuid(),
  connector: {
    connectorTemplateRef: 'sms-messagebird:1',
    name: 'Acme Support',
    arguments: { phoneNumberId: uuid(), channelMessageType: 'transactional' },
  },
});

function problemsOf(raw: unknown): string[] {
  try {
    parseProvisioningInput(raw);
  } catch (err) {
    assert.ok(err instanceof InvalidProvisioningInput, `expected InvalidProvisioningInput, got ${String(err)}`);
    return err.problems.map(problemText);
  }
  assert.fail('expected the input to be refused');
}

describe('provisioning input', () => {
  it('lower-cases the UUIDs that name a provisioning, so one number in two cases is one workflow', () => {
    const raw = base();
    const upper = structuredClone(raw);
    upper.workspaceId = raw.workspaceId.toUpperCase();
    upper.connector.arguments.phoneNumberId = raw.connector.arguments.phoneNumberId.toUpperCase();
    const a = parseProvisioningInput(raw);
    const b = parseProvisioningInput(upper);
    assert.equal(provisioningWorkflowId(a), provisioningWorkflowId(b));
    assert.equal(
      (b.connector.arguments as { phoneNumberId: string }).phoneNumberId,
      raw.connector.arguments.phoneNumberId,
    );
  });

  it('says "required" for a missing field', () => {
    const raw = base() as Record<string, unknown>;
    delete raw.organizationId;
    assert.deepEqual(problemsOf(raw), ['organizationId: required']);
  });

  it('says "required" for a missing field whatever its schema (enum, template argument), naming the choices', () => {
    const raw = base();
    delete (raw.connector as { connectorTemplateRef?: string }).connectorTemplateRef;
    assert.deepEqual(problemsOf(raw), [
      `connector.connectorTemplateRef: required (one of ${TEMPLATE_REFS.map((t) => `"${t}"`).join(', ')})`,
    ]);
    const sms = base();
    delete (sms.connector.arguments as Record<string, unknown>).channelMessageType;
    (sms as Record<string, unknown>).subscriptions = [{ event: 'channel.updated', url: 'https://hooks.example.com/x' }];
    assert.deepEqual(problemsOf(sms), [
      'connector.arguments.channelMessageType: required (one of "promotional", "transactional", "conversational", "emergency", "2fa")',
      'subscriptions.0.service: required (one of "channels", "conversations")',
    ]);
  });

  it('refuses a name whose workflow id Temporal would refuse, naming connector.name', () => {
    const raw = base();
    raw.connector = { connectorTemplateRef: 'whatsapp:1', name: '漢'.repeat(200) } as never;
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      new RegExp(`^connector\\.name: too long for a workflow id .*> ${MAX_WORKFLOW_ID_LENGTH}`),
    );
  });

  it('refuses an input too large to start, naming the field that makes it so', () => {
    const raw = base();
    (raw.connector.arguments as Record<string, unknown>).blob = 'x'.repeat(3 * 1024 * 1024);
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, new RegExp(`^connector\\.arguments: too large .*at most ${MAX_INPUT_BYTES}`));
  });

  it('refuses a lone surrogate in a name as invalid text, not "URI malformed"', () => {
    const raw = base();
    raw.connector = { connectorTemplateRef: 'whatsapp:1', name: 'Sales \uD800 channel' } as never;
    assert.deepEqual(problemsOf(raw), ['connector.name: must be valid Unicode text (it contains a lone surrogate)']);
  });

  it('refuses values JSON cannot carry (BigInt, cycles, NaN), naming where they are', () => {
    const withBigInt = base();
    (withBigInt.connector.arguments as Record<string, unknown>).count = 10n;
    assert.deepEqual(problemsOf(withBigInt), ['connector.arguments.count: must be JSON (a bigint is not)']);
    const cyclic = base();
    (cyclic.connector.arguments as Record<string, unknown>).self = cyclic.connector.arguments;
    assert.deepEqual(problemsOf(cyclic), ['connector.arguments.self: must be JSON (it refers back to itself)']);
    const nan = base();
    (nan.connector.arguments as Record<string, unknown>).ratio = Number.NaN;
    assert.deepEqual(problemsOf(nan), ['connector.arguments.ratio: must be a finite number']);
  });

  it('the parsed input is "resolved" (the workflow takes it as it is); the short notation is not', () => {
    const parsed = parseProvisioningInput({ ...base(), readiness: { deadline: '5m' } });
    assert.equal(parsed.readiness.deadline, 300_000);
    assert.equal(isResolvedInput(parsed), true);
    assert.equal(isResolvedInput({ ...base(), readiness: { deadline: '5m' } }), false);
    assert.equal(isResolvedInput(base()), false);
  });

  it('refuses blank free text (a name of spaces, an empty or blank id, event or filter value), naming each field', () => {
    const raw = base();
    const blank = {
      ...raw,
      connector: { ...raw.connector, name: ' \t ', invitationToken: ' ' },
      subscriptions: [
        {
          service: 'channels',
          event: ' ',
          url: 'https://hooks.example.com/x',
          eventFilters: [{ key: 'channelStatus', value: '' }],
        },
      ],
    };
    assert.deepEqual(problemsOf(blank).sort(), [
      'connector.invitationToken: must not be empty or only spaces',
      'connector.name: must not be empty or only spaces',
      'subscriptions.0.event: must not be empty or only spaces',
      'subscriptions.0.eventFilters.0.value: must not be empty or only spaces',
    ]);
    assert.deepEqual(problemsOf({ ...raw, connector: { ...raw.connector, name: '' } }), [
      'connector.name: must not be empty or only spaces',
    ]);
    assert.deepEqual(
      problemsOf({
        ...raw,
        connector: { ...raw.connector, arguments: { ...raw.connector.arguments, useCaseId: '  ' } },
      }),
      ['connector.arguments.useCaseId: must not be empty or only spaces'],
    );
    // Refused, not trimmed: a name that says something is kept exactly as written (it names the workflow).
    assert.equal(
      parseProvisioningInput({ ...raw, connector: { ...raw.connector, name: ' Acme ' } }).connector.name,
      ' Acme ',
    );
  });

  it('parses blank free text as it did before it was refused, for the runs started with it then (their replay)', () => {
    const raw = {
      ...base(),
      connector: { ...base().connector, name: ' ' },
      subscriptions: [
        {
          service: 'channels',
          event: 'channel.updated',
          url: 'https://hooks.example.com/x',
          eventFilters: [{ key: 'channelStatus', value: '' }],
        },
      ],
    };
    assert.deepEqual(
      blankTextAcceptedBefore(raw).map((b) => b.path.join('.')),
      ['connector.name', 'subscriptions.0.eventFilters.0.value'],
    );
    const input = parseProvisioningInputAcceptingBlankText(raw);
    assert.equal(input.connector.name, ' ');
    assert.equal(input.subscriptions[0]!.eventFilters[0]!.value, '');
    assert.equal(raw.connector.name, ' ', 'the raw input is left as it was');
    // An empty name was refused before as well.
    assert.deepEqual(
      blankTextAcceptedBefore({ ...raw, connector: { ...raw.connector, name: '' } }).map((b) => b.path.join('.')),
      ['subscriptions.0.eventFilters.0.value'],
    );
    assert.throws(
      () => parseProvisioningInputAcceptingBlankText({ ...raw, connector: { ...raw.connector, name: '' } }),
      /connector\.name: must not be empty/,
    );
  });
});
