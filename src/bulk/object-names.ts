/**
 * How the bulk store names and checks its objects: keys are checked before they become paths, chunks are numbered
 * so a listing sorts them, and every object read is parsed and digest-checked, an altered one named in the error.
 */
import { createHash } from 'node:crypto';
import { BulkStoreError } from './object-backend';

export function keyOf(bulkKey: string): string {
  if (!/^[A-Za-z0-9-]{1,100}$/.test(bulkKey)) throw new BulkStoreError(`not a bulk key: ${JSON.stringify(bulkKey)}`);
  return bulkKey;
}

export function runOf(bulkKey: string, runKey: string): string {
  if (!/^[A-Za-z0-9-]{1,100}$/.test(runKey)) throw new BulkStoreError(`not a run key: ${JSON.stringify(runKey)}`);
  return `${keyOf(bulkKey)}/runs/${runKey}`;
}

export function chunkName(n: number): string {
  return `${String(n).padStart(6, '0')}.jsonl`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function parseJson<T>(text: string, name: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new BulkStoreError(`bulk store object ${name} was altered: it is not the JSON the store wrote`, 'corrupt');
  }
}
