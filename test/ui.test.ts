/**
 * The Temporal UI as a person sees it: headless Chromium (Debian's package, driven by playwright-core) opens the dev
 * server's Web UI for a completed provisioning and a compensated one, checks that the run's summary and stage are on
 * the page, and saves screenshots under test-artifacts/ui/ (gitignored) for a human to look at.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { awaitResult, startProvisioning } from '../src/client/provisioning-client';
import { launchChromium } from './helpers/browser';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { temporal } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const ARTIFACTS = resolve(__dirname, '..', 'test-artifacts', 'ui');

/** Text of the page and of every frame in it: the UI renders summaries and details (markdown) in sandboxed iframes. */
async function pageText(page: Page): Promise<string> {
  const parts = await Promise.all(page.frames().map((f) => f.innerText('body').catch(() => '')));
  return parts.join('\n');
}

describe('Temporal UI (headless Chromium)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let browser: Browser;
  let uiUrl: string;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    uiUrl = (await temporal()).uiUrl;
    [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await stack?.closeCheckingHistories();
  });

  async function openRun(label: string, workflowId: string, runId: string, expect: { summary: string[]; stage: string }): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    try {
      const base = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}`;
      await page.goto(`${base}/user-metadata`);
      const metadata = await waitFor(`${label}: summary on the User Metadata tab`, async () => {
        const text = await pageText(page);
        return expect.summary.every((s) => text.includes(s)) ? text : undefined;
      }, 30_000, 250);
      assert.ok(metadata.includes(workflowId), 'the run is the one asked for');
      await page.screenshot({ path: resolve(ARTIFACTS, `${label}-user-metadata.png`), fullPage: true });

      await page.goto(`${base}/search-attributes`);
      await waitFor(`${label}: stage ${expect.stage} among the search attributes`, async () => {
        const text = await pageText(page);
        return text.includes(`"ProvisioningStage": "${expect.stage}"`) ? text : undefined;
      }, 30_000, 250);
      await page.screenshot({ path: resolve(ARTIFACTS, `${label}-search-attributes.png`), fullPage: true });

      await page.goto(`${base}/history`);
      await waitFor(`${label}: event history`, async () => ((await pageText(page)).includes('Workflow Execution Started') ? true : undefined), 30_000, 250);
      await page.screenshot({ path: resolve(ARTIFACTS, `${label}-history.png`), fullPage: false });
    } finally {
      await page.close();
    }
  }

  it('shows a completed provisioning: summary and stage', async () => {
    const input = smsInput(stack);
    const started = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    assert.equal((await awaitResult(stack.client, started.workflowId)).ok, true);
    await openRun('completed', started.workflowId, started.runId, { summary: [input.connector.name, 'sms-messagebird:1'], stage: 'completed' });
  });

  it('shows a compensated provisioning: summary and stage', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, { outcome: 'error', errorMessage: 'number not verified' });
    const started = await startProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    assert.equal((await awaitResult(stack.client, started.workflowId)).ok, false);
    await openRun('compensated', started.workflowId, started.runId, { summary: [input.connector.name, 'sms-messagebird:1'], stage: 'failed' });
  });
});
