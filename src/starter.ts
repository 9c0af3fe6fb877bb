/**
 * The CLI's entry point: `npm run starter -- <command>` (in the image: `node dist/src/starter.js`). The program
 * itself (commands, global flags, exit codes) is built in src/cli/; `starter --help` lists it all.
 */
import { runCli } from './cli/program';

void runCli(process.argv).then((code) => {
  process.exitCode = code;
  // Exits as soon as the event loop is empty; the unref'd timer only ends a process something still holds open.
  setTimeout(() => process.exit(code), 1_000).unref();
});
