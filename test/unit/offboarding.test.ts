/** Offboarding's pure rules: which connectors are the channel's, which of them are ours, and the outcome. */
import assert from 'node:assert/strict';
import {
  channelConnectors,
  channelKeyOf,
  offboardWorkflowId,
  outcomeOf,
  parseOffboardInput,
  provisioningIdOf,
} from '../../src/domain/offboarding';

const WS = '8f0a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const NUMBER = 'aaaaaaaa-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const OTHER = 'bbbbbbbb-4b5d-4e6f-8a9b-0c1d2e3f4a5b';

describe('offboarding rules', () => {
  it('keys a channel by number or by template and name, as provisioning does', () => {
    const byNumber = { workspaceId: WS, phoneNumberId: NUMBER };
    assert.equal(provisioningIdOf(byNumber), `provision/${WS}/${NUMBER}`);
    assert.equal(offboardWorkflowId(byNumber), `offboard/${WS}/${NUMBER}`);
    const byName = { workspaceId: WS, connector: { connectorTemplateRef: 'whatsapp:1', name: 'Sales line' } };
    assert.equal(offboardWorkflowId(byName), `offboard/${WS}/whatsapp:1/Sales%20line`);
    assert.deepEqual(
      channelKeyOf({
        workspaceId: WS,
        connector: {
          connectorTemplateRef: 'sms-messagebird:1',
          name: 'x',
          arguments: { phoneNumberId: NUMBER.toUpperCase() },
        },
      }),
      byNumber,
    );
  });

  it('splits the channel connectors into ours (tagged) and foreign, ignoring other numbers', () => {
    const listed = [
      { id: '1', name: 'A [prov-0123456789abcdef]', arguments: { phoneNumberId: NUMBER } },
      { id: '2', name: 'Dashboard', number: { numberId: NUMBER.toUpperCase() } },
      { id: '3', name: 'B [prov-0123456789abcdef]', arguments: { phoneNumberId: OTHER } },
    ];
    const { own, foreign } = channelConnectors(listed, { workspaceId: WS, phoneNumberId: NUMBER });
    assert.deepEqual(
      own.map((c) => [c.connectorId, c.tag]),
      [['1', 'prov-0123456789abcdef']],
    );
    assert.deepEqual(
      foreign.map((c) => c.connectorId),
      ['2'],
    );
    const byName = channelConnectors(
      [
        { id: '4', name: 'Sales [prov-0123456789abcdef]', connectorTemplateRef: 'whatsapp:1' },
        { id: '5', name: 'Sales', connectorTemplateRef: 'telegram:1' },
      ],
      { workspaceId: WS, connector: { connectorTemplateRef: 'whatsapp:1', name: 'Sales' } },
    );
    assert.deepEqual(
      byName.own.map((c) => c.connectorId),
      ['4'],
    );
    assert.deepEqual(byName.foreign, []);
  });

  it('names the outcome: offboarded, foreign-left-untouched or already-absent', () => {
    const d = { connectorId: '1', name: 'A', confirmedBy: 'not-found' as const };
    assert.equal(outcomeOf({ deleted: [d], foreign: [] }), 'offboarded');
    assert.equal(outcomeOf({ deleted: [], foreign: [{ connectorId: '2', name: 'B' }] }), 'foreign-left-untouched');
    assert.equal(outcomeOf({ deleted: [], foreign: [] }), 'already-absent');
    assert.equal(
      outcomeOf({ deleted: [], foreign: [], cancelledProvisioning: { workflowId: 'w', runId: 'r' } }),
      'offboarded',
    );
  });

  it('refuses input naming the field', () => {
    assert.throws(() => parseOffboardInput({ workspaceId: WS, phoneNumberId: 'x' }), /phoneNumberId/);
    assert.throws(
      () =>
        parseOffboardInput({
          workspaceId: WS,
          phoneNumberId: NUMBER,
          connector: { connectorTemplateRef: 'a', name: 'b' },
        }),
      /give exactly one/,
    );
    assert.equal(parseOffboardInput({ workspaceId: WS, phoneNumberId: NUMBER.toUpperCase() }).phoneNumberId, NUMBER);
  });
});
