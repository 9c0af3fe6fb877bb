/**
 * The Temporal part of docker-compose.yml without Docker: its `postgresql` service (a throwaway PostgreSQL with the
 * user and password the file gives it), its `temporal` service (a real Temporal Server configured as the auto-setup
 * image configures it, with deploy/dynamicconfig.yaml as Compose mounts it) and its `temporal-search-attributes`
 * one-shot (the file's own script).
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { temporalCliPath } from '../helpers/temporal';
import { loadComposeServices, unescapeDollars } from './compose-services';
import { startPostgres, type Postgres } from './postgres';
import { ensureServerBin, setUpSchema, startTemporalServer, type TemporalServer } from './temporal-server';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
export const DYNAMIC_CONFIG_FILE = join(ROOT, 'deploy', 'dynamicconfig.yaml');

export interface ComposeTemporal {
  pg: Postgres;
  server: TemporalServer;
  /** Runs the Compose one-shot's search-attribute script against the server; its stdout. */
  registerSearchAttributes(): Promise<string>;
  stop(): Promise<void>;
}

export async function startComposeTemporal(
  opts: { timed?: <T>(what: string, f: () => Promise<T>) => Promise<T> } = {},
): Promise<ComposeTemporal> {
  const timed = opts.timed ?? (<T>(_: string, f: () => Promise<T>) => f());
  const services = loadComposeServices();
  const composeEnv = services.temporal!.environment!;
  const pgEnv = services.postgresql!.environment!;
  const bin = await timed('server build (cached after the first)', ensureServerBin);
  const pg = await timed('PostgreSQL', () =>
    startPostgres({ user: pgEnv.POSTGRES_USER!, password: pgEnv.POSTGRES_PASSWORD! }),
  );
  let server: TemporalServer | undefined;
  try {
    await timed('schema', () => setUpSchema({ toolBin: bin, schemaBin: bin, pg, plugin: composeEnv.DB! }));
    server = await timed('Temporal Server', () =>
      startTemporalServer({ bin, composeEnv, pg, dynamicConfigFile: DYNAMIC_CONFIG_FILE }),
    );
  } catch (err) {
    await pg.stop();
    throw err;
  }
  const started = server;
  const oneShot = services['temporal-search-attributes']!;
  return {
    pg,
    server: started,
    async registerSearchAttributes() {
      if (oneShot.entrypoint?.join(' ') !== '/bin/sh -c')
        throw new Error('the search-attribute one-shot is no longer a /bin/sh -c script');
      // The CLI wants a home for its config file, as the admin-tools image has.
      const env = {
        PATH: `${dirname(temporalCliPath())}:${process.env.PATH ?? ''}`,
        HOME: tmpdir(),
        TEMPORAL_ADDRESS: started.address,
      };
      return (await run('sh', ['-c', unescapeDollars(oneShot.command![0]!)], { env })).stdout;
    },
    async stop() {
      await started.stop();
      await pg.stop();
    },
  };
}
