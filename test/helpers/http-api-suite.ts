/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are JSON already checked against the OpenAPI document by call() */
/**
 * What the HTTP API's offboarding, plan and apply test files share: the mocha hooks that start a stack and the API on
 * it once per file, and the waits they make over HTTP (a provisioning completed, a run ended) and the Bird writes
 * since a point.
 */
import assert from 'node:assert/strict';
import { startApi, type ApiHarness, type ApiResponse } from './http-api';
import { startStack, type smsInput, type Stack } from './stack';
import { waitFor } from './wait';

type SmsInput = ReturnType<typeof smsInput>;

export interface ApiSuite {
  numberOf: (input: SmsInput) => string;
  /** Bird's calls other than reads since the simulator had recorded `since` calls. */
  writesSince: (since: number) => ReturnType<Stack['sim']['calls']>;
  /** Provisions `input` through the API and waits until it completed; answers its connector. */
  provisioned: (input: SmsInput) => Promise<string>;
  /** Waits until the run at `path` (an offboarding or an apply) no longer runs; answers its last GET. */
  ended: (path: string) => Promise<ApiResponse>;
}

/**
 * Registers the file's hooks; `onStarted` receives the stack and the API once both run (the test file keeps them in
 * its own variables).
 */
export function apiSuite(onStarted: (started: { stack: Stack; api: ApiHarness }) => void): ApiSuite {
  let stack: Stack | undefined;
  let api: ApiHarness | undefined;
  before(async function () {
    this.timeout(300_000);
    stack = await startStack({ sim: { provisioningDelayMs: 200, deprovisioningDelayMs: 1_500 } });
    api = await startApi(stack);
    onStarted({ stack, api });
  });
  after(async () => {
    await api?.app.close();
    await stack?.closeCheckingHistories();
  });

  const suite: ApiSuite = {
    numberOf: (input) => (input.connector.arguments as { phoneNumberId: string }).phoneNumberId,
    writesSince: (since) =>
      stack!.sim
        .calls()
        .slice(since)
        .filter((c) => c.method !== 'GET'),
    async provisioned(input) {
      assert.equal((await api!.call('POST', '/v1/provisionings', { body: input })).status, 202);
      const path = `/v1/provisionings/${stack!.workspaceId}/${suite.numberOf(input)}`;
      const done = await waitFor(
        'completed',
        async () => {
          const r = await api!.call('GET', path);
          return r.json?.status === 'completed' ? r : undefined;
        },
        60_000,
        200,
      );
      return done.json.connectorId as string;
    },
    ended: (path) =>
      waitFor(
        'the run to end',
        async () => {
          const r = await api!.call('GET', path);
          return r.json?.status !== 'running' ? r : undefined;
        },
        60_000,
        200,
      ),
  };
  return suite;
}
