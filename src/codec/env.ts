/**
 * Payload encryption from the environment. Off unless PAYLOAD_ENCRYPTION_KEY_ID names the active key; key material
 * is read by reference from PAYLOAD_ENCRYPTION_KEY_<ID> (base64 of 32 random bytes), every such variable being a
 * key this process can decrypt with (that is how keys rotate: add the new one, make it active, keep the old).
 *
 * Deliberately not BIRD_SECRET_<REF>: those are resolvable by a reference written in a workflow input (and sent to
 * a URL named there); the codec keys must never be reachable that way.
 */
import type { DataConverter } from '@temporalio/common';
import type { FieldProblem } from '../base/problems';
import { ConfigError } from '../config/app-config';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { GzipLargePayloadCodec } from './gzip-codec';

export const ACTIVE_KEY_VAR = 'PAYLOAD_ENCRYPTION_KEY_ID';
export const KEY_VAR_PREFIX = 'PAYLOAD_ENCRYPTION_KEY_';
const KEY_ID = /^[A-Za-z0-9_]{1,64}$/;

/** The codec configured by the environment, or undefined when encryption is off. Throws ConfigError naming the variable. */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const active = env[ACTIVE_KEY_VAR];
  if (active === undefined || active === '') return undefined;
  if (!KEY_ID.test(active) || active === 'ID') {
    throw new ConfigError([
      { field: ACTIVE_KEY_VAR, reason: `must be letters, digits or _, and not "ID" (it names ${KEY_VAR_PREFIX}<ID>)` },
    ]);
  }
  const keys = new Map<string, Buffer>();
  const problems: FieldProblem[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(KEY_VAR_PREFIX) || name === ACTIVE_KEY_VAR || value === undefined) continue;
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== value.trim().replace(/=+$/, '')) {
      problems.push({ field: name, reason: 'must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)' });
      continue;
    }
    keys.set(name.slice(KEY_VAR_PREFIX.length), key);
  }
  if (!keys.has(active) && !problems.some((p) => p.field === `${KEY_VAR_PREFIX}${active}`)) {
    problems.push({ field: `${KEY_VAR_PREFIX}${active}`, reason: `required (the key named by ${ACTIVE_KEY_VAR})` });
  }
  if (problems.length) throw new ConfigError(problems);
  return new AesGcmPayloadCodec({ activeKeyId: active, keys });
}

/**
 * What clients, the worker and the CLI pass as `dataConverter`: large payloads compressed (src/codec/gzip-codec.ts),
 * then every payload encrypted when encryption is on (compression first: ciphertext does not compress).
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const codec = payloadCodecFromEnv(env);
  return { payloadCodecs: [new GzipLargePayloadCodec(), ...(codec ? [codec] : [])] };
}
