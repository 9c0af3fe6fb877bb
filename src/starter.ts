/**
 * The CLI's entry point: `npm run starter -- <command>` (in the image: `node dist/src/starter.js`). The program
 * itself (commands, global flags, exit codes) is built in src/cli/; `starter --help` lists it all. With the OTEL_*
 * variables set (docs/operating.md, "Reading a trace") its Temporal calls are traced, flushed before it exits.
 */
import { runCli } from './cli/program';
import { ExitCode } from './cli/exit-codes';
import { startTracing, stopTracing } from './observability/tracing';

async function main(): Promise<number> {
  try {
    startTracing({ serviceName: 'bird-provisioning-cli' });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return ExitCode.usage;
  }
  try {
    return await runCli(process.argv);
  } finally {
    await stopTracing().catch(() => undefined);
  }
}

void main().then((code) => {
  process.exitCode = code;
  // Exits as soon as the event loop is empty; the unref'd timer only ends a process something still holds open.
  setTimeout(() => process.exit(code), 1_000).unref();
});
