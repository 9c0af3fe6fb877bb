/**
 * `npm run bird-sim`: the simulator as a standalone process, for the demo and out-of-process tests.
 * Configuration comes from BIRD_SIM_* variables (see env.ts); the access key is never printed.
 */
import { DEFAULT_WORKSPACE } from './defaults';
import { parseSimEnv, SimEnvError, type SimEnvConfig } from './env';
import { BirdSimulator } from './server';
import type { SimCall } from './types';

function logCall(call: SimCall): void {
  const outcome = call.status === null ? 'held' : String(call.status);
  const fault = call.fault ? ` [fault: ${call.fault}]` : '';
  console.log(`${new Date(call.at).toISOString()} ${call.method} ${call.path} -> ${outcome}${fault}`);
}

async function main(): Promise<void> {
  let config: SimEnvConfig;
  try {
    config = parseSimEnv(process.env);
  } catch (err) {
    if (!(err instanceof SimEnvError)) throw err;
    console.error(err.message);
    process.exitCode = 2;
    return;
  }

  const sim = await BirdSimulator.start({ ...config.options, onCall: logCall });
  for (const r of config.routes) sim.routeDeliveries(r.publicUrlPrefix, r.localUrlPrefix);

  console.log(`Bird simulator listening on ${sim.url}`);
  console.log(`  workspace id:    ${DEFAULT_WORKSPACE.id}`);
  console.log(`  organization id: ${DEFAULT_WORKSPACE.organizationId}`);
  console.log(
    `  access key:      ${config.customAccessKey ? 'from BIRD_SIM_ACCESS_KEY' : 'built-in default (DEFAULT_ACCESS_KEY)'} (not shown)`,
  );
  for (const r of config.routes) console.log(`  deliveries to ${r.publicUrlPrefix}* go to ${r.localUrlPrefix}*`);
  console.log(`  introspection:   ${sim.url}/_sim/calls, /_sim/connectors, /_sim/subscriptions, /_sim/deliveries`);

  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`${signal} received, closing`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('close failed:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error('bird-sim failed to start:', err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
