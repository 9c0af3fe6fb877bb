/**
 * A throwaway PostgreSQL for the stack test: Debian's server binaries (scripts/temporal-server.sh ensure-postgres
 * installs them when missing), a fresh cluster in a temporary directory, TCP on 127.0.0.1 and a free port, the user
 * and password docker-compose.yml gives the postgres image (POSTGRES_USER / POSTGRES_PASSWORD). PostgreSQL refuses
 * to run as root, so under root it runs as the `postgres` system user the Debian package creates.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');

export interface Postgres {
  port: number;
  user: string;
  password: string;
  /** Runs SQL through psql on a database; returns the unaligned rows. */
  query(database: string, sql: string): Promise<string[]>;
  stop(): Promise<void>;
}

async function ensurePostgresBin(): Promise<string> {
  const { stdout } = await run('bash', [join(ROOT, 'scripts', 'temporal-server.sh'), 'ensure-postgres'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Under root: the command as the postgres user (setpriv keeps the environment, unlike su). */
async function asPostgresUser(): Promise<{ prefix: string[]; uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return {
    prefix: ['setpriv', `--reuid=${uid.trim()}`, `--regid=${gid.trim()}`, '--clear-groups', '--'],
    uid: Number(uid),
    gid: Number(gid),
  };
}

export async function startPostgres(opts: { user: string; password: string }): Promise<Postgres> {
  const bin = await ensurePostgresBin();
  const who = await asPostgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'stack-postgres-'));
  if (who.uid !== undefined) chownSync(dir, who.uid, who.gid!);
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${opts.password}\n`, { mode: 0o600 });
  if (who.uid !== undefined) chownSync(pwfile, who.uid, who.gid!);
  const cmd = (exe: string, args: string[]) => [...who.prefix, join(bin, exe), ...args];
  const [initExe, ...initArgs] = cmd('initdb', [
    '-D',
    data,
    '-U',
    opts.user,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  await run(initExe!, initArgs, { cwd: dir });

  const port = await freePort();
  const [exe, ...args] = cmd('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
  ]);
  const child: ChildProcess = spawn(exe!, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  let exited = false;
  child.once('exit', () => (exited = true));

  const env = { ...process.env, PGPASSWORD: opts.password };
  const query = async (database: string, sql: string): Promise<string[]> => {
    const { stdout } = await run(
      'psql',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        opts.user,
        '-d',
        database,
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        sql,
      ],
      { env },
    );
    return stdout.split('\n').filter((l) => l.length > 0);
  };
  await waitFor(
    'PostgreSQL to accept connections',
    async () => {
      if (exited) throw new Error(`postgres exited:\n${log.join('')}`);
      try {
        await query('postgres', 'SELECT 1');
        return true;
      } catch {
        return undefined;
      }
    },
    60_000,
    200,
  );

  return {
    port,
    user: opts.user,
    password: opts.password,
    query,
    async stop() {
      if (!exited) {
        const gone = new Promise((res) => child.once('exit', res));
        child.kill('SIGINT'); // fast shutdown
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
