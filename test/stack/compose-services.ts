/**
 * docker-compose.yml's services as local processes: each app service's command and environment are read from the
 * file, not restated, and only what Docker's network would resolve is made local — service host names and fixed
 * ports become 127.0.0.1 and free ports, 0.0.0.0 listeners become 127.0.0.1, the bulk-store volume a temporary
 * directory, and `dist/` the production build (the Dockerfile's /app/dist).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';

const ROOT = resolve(__dirname, '..', '..');

export interface ComposeService {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[] };
}

export function loadComposeServices(): Record<string, ComposeService> {
  const doc = parseDocument(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  return (doc.toJS({ maxAliasCount: 100 }) as { services: Record<string, ComposeService> }).services;
}

/** Compose's escaped `$$` is a literal `$` once Compose has read the file. */
export function unescapeDollars(text: string): string {
  return text.replaceAll('$$', '$');
}

export interface Localizer {
  /** `host:port` of a service on the Compose network → its local address. */
  hosts: Record<string, string>;
  /** A fixed port a service listens on → the free local port it gets instead. */
  ports: Record<string, number>;
  /** Named volume → local directory. */
  volumes: Record<string, string>;
  buildDir: string;
}

export function localEnv(service: ComposeService, l: Localizer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(service.environment ?? {})) {
    let value = String(raw);
    for (const [from, to] of Object.entries(l.hosts)) value = value.replaceAll(from, to);
    if (value === '0.0.0.0') value = '127.0.0.1';
    if (value in l.ports) value = String(l.ports[value]);
    env[key] = value;
  }
  for (const v of service.volumes ?? []) {
    const [volume, target] = v.split(':');
    const local = l.volumes[volume!];
    if (!local) throw new Error(`no local directory for volume ${volume}`);
    for (const [key, value] of Object.entries(env)) if (value === target) env[key] = local;
  }
  return env;
}

/**
 * The service's `node dist/...` command as [entry, ...args] against the production build; `runArgs`, as
 * `docker compose run <service> <args>` does, replace the service's `command` (the CLI's `--help`).
 */
export function localCommand(
  service: ComposeService,
  l: Localizer,
  runArgs?: string[],
): { entry: string; args: string[] } {
  const argv = [...(service.entrypoint ?? []), ...(runArgs ?? service.command ?? [])];
  if (argv[0] !== 'node' || !argv[1]?.startsWith('dist/'))
    throw new Error(`not a node dist/ command: ${argv.join(' ')}`);
  return { entry: join(l.buildDir, argv[1].slice('dist/'.length)), args: argv.slice(2) };
}
