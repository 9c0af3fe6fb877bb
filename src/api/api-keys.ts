/**
 * API keys of the HTTP API, configured by reference as every other secret: API_KEYS names each key and the
 * workspaces it may act on ("crm=<ws>,<ws>;portal=<ws>"), and the key itself is in API_KEY_<NAME>, so the list of
 * who may do what can be read (and logged) without any key in it. A request's key is compared with every configured
 * key in constant time (SHA-256 digests through timingSafeEqual), all of them, so the time taken says nothing about
 * which key or how much of it matched. Only the key's name is ever logged or used as the rate limit's bucket.
 */
import type { FieldProblem } from '../base/problems';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BirdId } from '../bird/schemas';
import { Secret } from '../base/secret';

export interface ApiKey {
  name: string;
  secret: Secret;
  /** Lower-cased workspace ids. */
  workspaces: ReadonlySet<string>;
}

export interface Caller {
  keyName: string;
  workspaces: ReadonlySet<string>;
}

export const API_KEY_ENV_PREFIX = 'API_KEY_';
export const MIN_API_KEY_LENGTH = 24;

/** Problems name the variable, never a value. */
export function apiKeysFromEnv(env: NodeJS.ProcessEnv): { keys: ApiKey[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const keys: ApiKey[] = [];
  const spec = env.API_KEYS?.trim();
  if (!spec)
    return {
      keys,
      problems: [
        {
          field: 'API_KEYS',
          reason:
            'required, e.g. "crm=<workspace uuid>,<workspace uuid>;portal=<workspace uuid>" (each key in API_KEY_<NAME>)',
        },
      ],
    };
  for (const [i, entry] of spec
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    const [rawName, rawWorkspaces = ''] = entry.split('=', 2).map((p) => p.trim());
    const name = rawName ?? '';
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
      problems.push({
        field: 'API_KEYS',
        reason: `entry ${i + 1}: the key name must be letters, digits and _ (it names API_KEY_<NAME>)`,
      });
      continue;
    }
    const workspaces = rawWorkspaces
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean);
    if (!workspaces.length)
      problems.push({
        field: 'API_KEYS',
        reason: `${name}: names no workspace (write ${name}=<workspace uuid>[,<workspace uuid>…])`,
      });
    const bad = workspaces.filter((w) => !BirdId.safeParse(w).success);
    if (bad.length)
      problems.push({ field: 'API_KEYS', reason: `${name}: ${bad.length} workspace id(s) are not UUIDs` });
    const variable = `${API_KEY_ENV_PREFIX}${name.toUpperCase()}`;
    const value = env[variable];
    if (!value) problems.push({ field: variable, reason: `required (the key named ${name} in API_KEYS)` });
    else if (value.length < MIN_API_KEY_LENGTH)
      problems.push({ field: variable, reason: `must be at least ${MIN_API_KEY_LENGTH} characters` });
    if (keys.some((k) => k.name === name)) problems.push({ field: 'API_KEYS', reason: `${name}: named twice` });
    if (value && workspaces.length && !bad.length)
      keys.push({ name, secret: new Secret(value), workspaces: new Set(workspaces.map((w) => w.toLowerCase())) });
  }
  return { keys, problems };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The caller an `Authorization: Bearer <key>` header authenticates, or undefined. */
export function authenticate(keys: readonly ApiKey[], authorization: string | undefined): Caller | undefined {
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(authorization ?? '');
  const presented = digest(match?.[1] ?? '');
  let found: ApiKey | undefined;
  for (const key of keys) {
    // Every key is compared, whatever matched before: no early exit to time.
    if (timingSafeEqual(presented, digest(key.secret.reveal())) && match) found = key;
  }
  return found && { keyName: found.name, workspaces: found.workspaces };
}
