/**
 * The Temporal UI as a person sees it: headless Chromium (Debian's package, driven by playwright-core) opens the dev
 * server's Web UI for a completed provisioning, a compensated one and a bulk run, checks that the run's summary,
 * stage, outcome and activity summaries are on the page, and saves screenshots under test-artifacts/ui/ (gitignored)
 * for a human to look at.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { awaitBulk, prepareInventory, startBulk } from '../src/client/bulk-client';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { smsBulkDefaults } from './helpers/inventory';
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

  async function openRun(
    label: string,
    workflowId: string,
    runId: string,
    expect: { summary: string[]; stage: string; outcome: string; activities: string[]; details: string[] },
  ): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    try {
      const base = `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}`;
      await page.goto(`${base}/user-metadata`);
      // Summary, current details and the summaries of the activities ("Events with Metadata") on one tab.
      const wanted = [...expect.summary, ...expect.details, ...expect.activities];
      const metadata = await waitFor(
        `${label}: summary, details and activity summaries on the User Metadata tab`,
        async () => {
          const text = await pageText(page);
          return wanted.every((s) => text.includes(s)) ? text : undefined;
        },
        30_000,
        250,
      ).catch(async (err: unknown) => {
        const text = await pageText(page);
        throw new Error(
          `${(err as Error).message}; missing: ${JSON.stringify(wanted.filter((s) => !text.includes(s)))} in:\n${text}`,
        );
      });
      assert.ok(metadata.includes(workflowId), 'the run is the one asked for');
      await page.screenshot({ path: resolve(ARTIFACTS, `${label}-user-metadata.png`), fullPage: true });

      await page.goto(`${base}/search-attributes`);
      await waitFor(
        `${label}: stage ${expect.stage} and outcome ${expect.outcome} among the search attributes`,
        async () => {
          const text = await pageText(page);
          return text.includes(`"ProvisioningStage": "${expect.stage}"`) &&
            text.includes(`"ProvisioningOutcome": "${expect.outcome}"`)
            ? text
            : undefined;
        },
        30_000,
        250,
      );
      await page.screenshot({ path: resolve(ARTIFACTS, `${label}-search-attributes.png`), fullPage: true });

      await page.goto(`${base}/history`);
      await waitFor(
        `${label}: event history`,
        async () => ((await pageText(page)).includes('Workflow Execution Started') ? true : undefined),
        30_000,
        250,
      );
      await page.screenshot({ path: resolve(ARTIFACTS, `${label}-history.png`), fullPage: false });
    } finally {
      await page.close();
    }
  }

  it('shows a completed provisioning: summary, stage, outcome and the story of its activities', async () => {
    const input = smsInput(stack);
    const started = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    assert.equal((await awaitResult(stack.client, started.workflowId)).ok, true);
    await openRun('completed', started.workflowId, started.runId, {
      summary: [input.connector.name, 'sms-messagebird:1'],
      stage: 'completed',
      outcome: 'active',
      details: ['Stage: completed', 'Readiness: poll, polls every 100ms ×2 up to 1s, deadline 20s'],
      activities: [`create connector '${input.connector.name}'`, 'poll status of connector'],
    });
  });

  it('shows a compensated provisioning: the reason and what was undone, and its compensation step', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'error',
      errorMessage: 'number not verified',
    });
    const started = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    assert.equal((await awaitResult(stack.client, started.workflowId)).ok, false);
    await openRun('compensated', started.workflowId, started.runId, {
      summary: [input.connector.name, 'sms-messagebird:1'],
      stage: 'failed',
      outcome: 'compensated',
      details: [
        'Failed at: awaiting-readiness: channel status is error: number not verified',
        'Undone: deleted connector',
      ],
      activities: [`create connector '${input.connector.name}'`, '(compensation)'],
    });
  });

  it('shows a bulk run: its summary, counts and the activities that read its inventory', async () => {
    const numbers = Array.from({ length: 4 }, () => randomUUID());
    const file = resolve(ARTIFACTS, 'ui-bulk.csv');
    await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
    const inventory = await prepareInventory(
      file,
      smsBulkDefaults(stack, {
        name: 'UI bulk',
        readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '1s', deadline: '20s' },
      }),
    );
    const started = await startBulk(stack.client, stack.bulkStore, inventory, { taskQueue: stack.taskQueue });
    stack.startedWorkflowIds.push(started.workflowId);
    assert.equal((await awaitBulk(stack.client, started.workflowId)).status, 'completed');
    await openRun('bulk', started.workflowId, started.runId, {
      summary: ['Bulk onboarding of 4 numbers from ui-bulk.csv'],
      stage: 'completed',
      outcome: 'all-active',
      details: ['Progress: 4 of 4 done', 'Active: 4'],
      activities: [
        "index Bird's existing sms-messagebird:1 connectors, page 1",
        'read rows 1–4 of 4',
        'record 4 outcomes (batch 1)',
      ],
    });
  });
});
