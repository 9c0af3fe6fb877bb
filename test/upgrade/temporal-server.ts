/**
 * Temporal Server 1.30.9 (scripts/temporal-server.sh ensure-upgrade) on in-memory SQLite, for the upgrade test:
 * the first server line that tells a pinned run its deployment's current version changed, which the dev server
 * (Server 1.29.1 inside the CLI) never does. Configured from the module's own config/development-sqlite.yaml, with
 * free ports, no pprof or metrics listener, and test/upgrade/dynamicconfig.yaml; the SQLite plugin creates the
 * schema itself in memory mode. Then what the dev server does on start: the `default` namespace and the product's
 * search attributes.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { freePort } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');
export const UPGRADE_DYNAMIC_CONFIG = join(__dirname, 'dynamicconfig.yaml');

export interface UpgradeServer {
  address: string;
  namespace: string;
  /** The server's version as it reports it (getSystemInfo). */
  version: string;
  lines: string[];
  stop(): Promise<void>;
}

/** The directory with temporal-server and development-sqlite.yaml, built on first use (slow, once). */
export async function ensureUpgradeServerBin(): Promise<string> {
  const { stdout } = await run('bash', [join(ROOT, 'scripts', 'temporal-server.sh'), 'ensure-upgrade'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** The module's SQLite config, made to run beside other servers: its own ports, the test's dynamic config. */
async function serverConfig(bin: string, dynamicConfigFile: string): Promise<{ yaml: string; frontendPort: number }> {
  const doc = parseDocument(readFileSync(join(bin, 'development-sqlite.yaml'), 'utf8'));
  doc.setIn(['log', 'level'], 'warn');
  doc.deleteIn(['global', 'pprof']);
  doc.deleteIn(['global', 'metrics']);
  const ports: Record<string, number> = {};
  for (const service of ['frontend', 'matching', 'history', 'worker']) {
    ports[service] = await freePort();
    doc.setIn(['services', service, 'rpc', 'grpcPort'], ports[service]);
    doc.setIn(['services', service, 'rpc', 'membershipPort'], await freePort());
  }
  const httpPort = await freePort();
  doc.setIn(['services', 'frontend', 'rpc', 'httpPort'], httpPort);
  doc.setIn(['clusterMetadata', 'clusterInformation', 'active', 'rpcAddress'], `127.0.0.1:${ports.frontend}`);
  doc.setIn(['clusterMetadata', 'clusterInformation', 'active', 'httpAddress'], `127.0.0.1:${httpPort}`);
  doc.setIn(['dynamicConfigClient', 'filepath'], dynamicConfigFile);
  return { yaml: doc.toString(), frontendPort: ports.frontend! };
}

export async function startUpgradeServer(opts: { bin: string; dynamicConfigFile?: string }): Promise<UpgradeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'upgrade-temporal-'));
  const { yaml, frontendPort } = await serverConfig(opts.bin, opts.dynamicConfigFile ?? UPGRADE_DYNAMIC_CONFIG);
  writeFileSync(join(dir, 'config.yaml'), yaml);
  const child = spawn(
    join(opts.bin, 'temporal-server'),
    ['--config-file', join(dir, 'config.yaml'), '--allow-no-auth', 'start'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  for (const s of [child.stdout, child.stderr])
    s.setEncoding('utf8').on('data', (c: string) => lines.push(...c.split('\n').filter(Boolean)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const address = `127.0.0.1:${frontendPort}`;
  const namespace = 'default';
  let connection: Connection | undefined;
  const server: UpgradeServer = {
    address,
    namespace,
    version: '?',
    lines,
    async stop() {
      await connection?.close();
      if (!exited) {
        const gone = new Promise((res) => child.once('exit', res));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    connection = await waitFor(
      'the Temporal frontend to serve',
      async () => {
        if (exited) throw new Error(`temporal-server exited:\n${lines.slice(-8).join('\n').slice(0, 4000)}`);
        try {
          const c = await Connection.connect({ address, connectTimeout: 1_000 });
          await c.workflowService.getSystemInfo({});
          return c;
        } catch {
          return undefined;
        }
      },
      120_000,
      500,
    );
    server.version = (await connection.workflowService.getSystemInfo({})).serverVersion ?? '?';
    await setUpNamespace(connection, namespace);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** What `temporal server start-dev` does: the namespace, then the product's search attributes (all Keyword). */
async function setUpNamespace(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  const Keyword = proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  const wanted = Object.fromEntries(PROVISIONING_SEARCH_ATTRIBUTES.map((key) => [key.name, Keyword]));
  // The namespace reaches every service's cache within system.namespaceCacheRefreshInterval (2 s).
  await waitFor(
    'the namespace to take search attributes',
    async () => {
      try {
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: wanted });
        return true;
      } catch (err) {
        if (/not found|NotFound|already exists/i.test(String(err)))
          return /already exists/i.test(String(err)) ? true : undefined;
        throw err;
      }
    },
    30_000,
    500,
  );
  await waitFor(
    'the search attributes to be listed',
    async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      return Object.keys(wanted).every((name) => customAttributes?.[name] !== undefined) ? true : undefined;
    },
    30_000,
    250,
  );
}
