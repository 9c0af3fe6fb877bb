/**
 * Temporal Server 1.29.1 on PostgreSQL, started the way docker-compose.yml's `temporal` service (the
 * temporalio/auto-setup image) starts it, without Docker:
 *  - schema: temporal-sql-tool creates the `temporal` and `temporal_visibility` databases, then setup-schema -v 0.0
 *    and update-schema from the module's schema/postgresql/v12 directories, as the image's auto-setup.sh does;
 *  - config: the image renders the server module's docker/config_template.yaml from its environment (dockerize,
 *    `.Env.X`). The server renders a config file itself when it says `enable-template` (sprig, `env "X"`), so the
 *    same template is handed to it with `.Env.X` read as `env "X"`, under the Compose service's own environment
 *    (DB, POSTGRES_*, DYNAMIC_CONFIG_FILE_PATH), with only the addresses made local and the ports free;
 *  - dynamic config: the file Compose mounts (deploy/dynamicconfig.yaml) at the path DYNAMIC_CONFIG_FILE_PATH
 *    names, relative to the working directory, /etc/temporal in the image;
 *  - then auto-setup's post-start steps: the `default` namespace (retention 24h) and its Custom*Field search
 *    attributes.
 */
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, temporalCliPath } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import type { Postgres } from './postgres';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');

export interface TemporalServer {
  address: string;
  /** The `temporal` CLI (the one scripts/temporal.sh builds) pointed at this server. */
  cli(args: string[]): Promise<string>;
  lines: string[];
  stop(): Promise<void>;
}

/** The directory with temporal-server, temporal-sql-tool, schema/ and config_template.yaml (scripts/temporal-server.sh). */
export async function ensureServerBin(): Promise<string> {
  const { stdout } = await run('bash', [join(ROOT, 'scripts', 'temporal-server.sh'), 'ensure'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/**
 * The auto-setup image's schema steps for PostgreSQL (SQL_PLUGIN postgres12, schema dir v12): the tool applies the
 * versioned SQL files of the schema directory it is given (that of `schemaBin`'s server version).
 */
export async function setUpSchema(opts: {
  toolBin: string;
  schemaBin: string;
  pg: Postgres;
  plugin: string;
}): Promise<void> {
  const { pg } = opts;
  const tool = (db: string, ...args: string[]) =>
    run(join(opts.toolBin, 'temporal-sql-tool'), [
      '--plugin',
      opts.plugin,
      '--ep',
      '127.0.0.1',
      '-p',
      String(pg.port),
      '-u',
      pg.user,
      '--pw',
      pg.password,
      '--db',
      db,
      ...args,
    ]);
  for (const [db, dir] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    await tool(db, 'create-database');
    await tool(db, 'setup-schema', '-v', '0.0');
    await tool(db, 'update-schema', '-d', join(opts.schemaBin, 'schema', 'postgresql', 'v12', dir, 'versioned'));
  }
}

/**
 * The image's dockerize template in the server's own template language (sprig): dockerize's `.Env.X` is `env "X"`,
 * its `default VALUE FALLBACK` is sprig's `default FALLBACK VALUE`, its `split S SEP` sprig's `splitList SEP S`.
 */
export function serverTemplate(dockerizeTemplate: string): string {
  const token = String.raw`\.Env\.[A-Za-z0-9_]+|\$[A-Za-z0-9_]+|"[^"]*"`;
  const text = dockerizeTemplate
    .replace(new RegExp(String.raw`\bdefault\s+(${token})\s+(${token})`, 'g'), 'default $2 $1')
    .replace(new RegExp(String.raw`\bsplit\s+(${token})\s+(${token})`, 'g'), 'splitList $2 $1')
    .replace(/\.Env\.([A-Za-z0-9_]+)/g, '(env "$1")');
  return `# enable-template\n${text}`;
}

export async function startTemporalServer(opts: {
  bin: string;
  /** The Compose service's environment (the `temporal` service of docker-compose.yml). */
  composeEnv: Record<string, string>;
  pg: Postgres;
  dynamicConfigFile: string;
}): Promise<TemporalServer> {
  const etc = mkdtempSync(join(tmpdir(), 'stack-temporal-'));
  mkdirSync(join(etc, 'config'), { recursive: true });
  writeFileSync(
    join(etc, 'config', 'docker.yaml'),
    serverTemplate(readFileSync(join(opts.bin, 'config_template.yaml'), 'utf8')),
  );
  const dynamicPath = opts.composeEnv.DYNAMIC_CONFIG_FILE_PATH;
  if (!dynamicPath) throw new Error('the temporal service sets no DYNAMIC_CONFIG_FILE_PATH');
  mkdirSync(dirname(join(etc, dynamicPath)), { recursive: true });
  copyFileSync(opts.dynamicConfigFile, join(etc, dynamicPath));

  const ports: Record<string, number> = {};
  for (const name of ['FRONTEND_GRPC', 'FRONTEND_HTTP', 'HISTORY_GRPC', 'MATCHING_GRPC', 'WORKER_GRPC'])
    ports[`${name}_PORT`] = await freePort();
  // Membership ports are stored in a SMALLINT column (cluster_membership.rpc_port): below 32768, unlike ephemeral ones.
  for (const name of ['FRONTEND_MEMBERSHIP', 'HISTORY_MEMBERSHIP', 'MATCHING_MEMBERSHIP', 'WORKER_MEMBERSHIP'])
    ports[`${name}_PORT`] = await freeLowPort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...opts.composeEnv,
    // The Compose network's host names and fixed ports, made local.
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(opts.pg.port),
    BIND_ON_IP: '127.0.0.1',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  // As the image's entrypoint runs it, from /etc/temporal: `temporal-server --env docker start`.
  const child = spawn(join(opts.bin, 'temporal-server'), ['--env', 'docker', 'start'], {
    cwd: etc,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const s of [child.stdout, child.stderr])
    s.setEncoding('utf8').on('data', (c: string) => lines.push(...c.split('\n').filter(Boolean)));
  let exited = false;
  child.once('exit', () => (exited = true));

  const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
  const cli = async (args: string[]) =>
    (await run(temporalCliPath(), [...args, '--address', address], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  const server: TemporalServer = {
    address,
    cli,
    lines,
    async stop() {
      if (!exited) {
        const gone = new Promise((res) => child.once('exit', res));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(etc, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      'the Temporal frontend to serve',
      async () => {
        if (exited)
          throw new Error(
            `temporal-server exited:\n${lines
              .filter((l) => /"level":"(error|fatal)"|^[^{]/.test(l))
              .slice(-5)
              .join('\n')
              .slice(0, 4000)}`,
          );
        try {
          return (await cli(['operator', 'cluster', 'health'])).includes('SERVING') ? true : undefined;
        } catch {
          return undefined;
        }
      },
      180_000,
      1_000,
    );
    await autoSetupNamespace(cli);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** auto-setup.sh's setup_server: the default namespace (24h retention), then the Custom*Field search attributes. */
async function autoSetupNamespace(cli: (args: string[]) => Promise<string>): Promise<void> {
  try {
    await cli(['operator', 'namespace', 'describe', 'default']);
  } catch {
    await cli([
      'operator',
      'namespace',
      'create',
      '--retention',
      '24h',
      '--description',
      'Default namespace for Temporal Server.',
      'default',
    ]);
  }
  await waitFor(
    'the default namespace to be usable',
    async () => {
      try {
        return await cli(['operator', 'search-attribute', 'list', '--namespace', 'default']);
      } catch {
        return undefined;
      }
    },
    60_000,
    1_000,
  );
  await cli([
    'operator',
    'search-attribute',
    'create',
    '--namespace',
    'default',
    '--name',
    'CustomKeywordField',
    '--type',
    'Keyword',
    '--name',
    'CustomStringField',
    '--type',
    'Text',
    '--name',
    'CustomTextField',
    '--type',
    'Text',
    '--name',
    'CustomIntField',
    '--type',
    'Int',
    '--name',
    'CustomDatetimeField',
    '--type',
    'Datetime',
    '--name',
    'CustomDoubleField',
    '--type',
    'Double',
    '--name',
    'CustomBoolField',
    '--type',
    'Bool',
  ]);
}

/** A port below 32768 that is free right now. */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((res) => {
      const probe = createServer();
      probe.once('error', () => res(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => res(true)));
    });
    if (free) return port;
  }
}
