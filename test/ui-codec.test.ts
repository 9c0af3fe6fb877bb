/**
 * Payload encryption as an operator meets it in the Temporal UI: a dev server whose UI is pointed at the codec
 * server (`--ui-codec-endpoint`), an encrypted provisioning, and headless Chromium. A browser whose requests to the
 * codec server carry the token (as an authenticating proxy in front of it would add) sees the decoded input; one
 * without sees no channel name, only ciphertext. Screenshots of both go to test-artifacts/ui/.
 */
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BirdClient } from '../src/bird/client';
import { BirdSimulator } from '../src/bird-sim';
import { AesGcmPayloadCodec } from '../src/codec/aes-gcm-codec';
import { buildCodecServer } from '../src/codec/server';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { Secret } from '../src/base/secret';
import { staticSecretStore } from '../src/config/secrets';
import { createProvisioningWorker } from '../src/worker/factory';
import { launchChromium } from './helpers/browser';
import { freePort, temporal, temporalCliPath } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const ARTIFACTS = resolve(__dirname, '..', 'test-artifacts', 'ui');

async function frameText(page: Page): Promise<string> {
  return (await Promise.all(page.frames().map((f) => f.innerText('body').catch(() => '')))).join('\n');
}

describe('Temporal UI decoding through the codec server (headless Chromium)', function () {
  this.timeout(180_000);
  const token = randomBytes(24).toString('base64url');
  const accessKey = `sim-key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const codec = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) });
  let env: TestWorkflowEnvironment;
  let uiUrl: string;
  let codecUrl: string;
  let browser: Browser;
  const closers: Array<() => Promise<unknown>> = [];

  before(async function () {
    this.timeout(120_000);
    mkdirSync(ARTIFACTS, { recursive: true });
    const { workflowBundle } = await temporal();
    const [uiPort, codecPort] = [await freePort(), await freePort()];
    uiUrl = `http://127.0.0.1:${uiPort}`;
    codecUrl = `http://127.0.0.1:${codecPort}`;
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        searchAttributes: [...PROVISIONING_SEARCH_ATTRIBUTES],
        ui: true,
        uiPort,
        extraArgs: ['--ui-codec-endpoint', codecUrl],
        log: { format: 'pretty', level: 'error' },
      },
    });
    closers.push(() => env.teardown());
    const server = buildCodecServer({
      codec,
      authToken: new Secret(token),
      corsOrigins: [uiUrl, `http://localhost:${uiPort}`],
    });
    await server.listen({ host: '127.0.0.1', port: codecPort });
    closers.unshift(() => server.close());
    const sim = await BirdSimulator.start({
      provisioningDelayMs: 200,
      accessKeys: [accessKey],
      workspaces: [{ id: workspaceId, organizationId }],
    });
    closers.unshift(() => sim.close());
    const worker = await createProvisioningWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: 'codec-ui',
      bird: new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey) }),
      secrets: staticSecretStore({}),
      workflowBundle,
      dataConverter: { payloadCodecs: [codec] },
    });
    const running = worker.run();
    closers.unshift(async () => {
      worker.shutdown();
      await running;
    });
    browser = await launchChromium();
    closers.unshift(() => browser.close());
  });
  after(async () => {
    for (const close of closers) await close();
  });

  it('shows the decoded input to a browser that sends the token, and ciphertext to one that does not', async () => {
    const name = `Encrypted SMS ${randomUUID().slice(0, 8)}`;
    const client = new Client({
      connection: env.connection,
      namespace: 'default',
      dataConverter: { payloadCodecs: [codec] },
    });
    const input = {
      workspaceId,
      organizationId,
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name,
        arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
      },
      readiness: { mode: 'poll', initialPollInterval: '100ms', deadline: '20s' },
    };
    const { workflowId, runId } = await parseAndStartProvisioning(client, input, { taskQueue: 'codec-ui' });
    assert.equal((await awaitResult(client, workflowId)).ok, true);
    const url = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;

    const open = async (withToken: boolean) => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
      const codecCalls: number[] = [];
      // What an authenticating proxy in front of the codec server would add for a signed-in operator.
      await context.route(`${codecUrl}/**`, async (route) => {
        const headers = { ...route.request().headers(), ...(withToken ? { authorization: `Bearer ${token}` } : {}) };
        const response = await route.fetch({ headers });
        if (route.request().method() === 'POST') codecCalls.push(response.status());
        await route.fulfill({ response });
      });
      const page = await context.newPage();
      await page.goto(url);
      return { page, context, codecCalls };
    };

    const authorised = await open(true);
    await waitFor(
      'the decoded input (the channel name) on the page',
      async () => ((await frameText(authorised.page)).includes(name) ? true : undefined),
      30_000,
      250,
    );
    assert.ok(
      authorised.codecCalls.includes(200),
      `the UI asked the codec server: ${JSON.stringify(authorised.codecCalls)}`,
    );
    await authorised.page.screenshot({ path: resolve(ARTIFACTS, 'codec-decoded.png') });
    await authorised.context.close();

    const refused = await open(false);
    await waitFor(
      'the UI to ask the codec server and be refused',
      async () => (refused.codecCalls.includes(401) ? true : undefined),
      30_000,
      250,
    );
    await waitFor(
      'the history page',
      async () => ((await frameText(refused.page)).includes('Workflow Execution Started') ? true : undefined),
      30_000,
      250,
    );
    const text = await frameText(refused.page);
    await refused.page.screenshot({ path: resolve(ARTIFACTS, 'codec-refused.png') });
    assert.ok(!text.includes(name), 'without the token the channel name is nowhere on the page');
    // The raw payload instead: its encoding (base64 of "binary/encrypted") and key id, and ciphertext.
    assert.ok(
      text.includes(Buffer.from('binary/encrypted').toString('base64')),
      'the input shows as an encrypted payload',
    );
    await refused.context.close();
  });
});
