/**
 * The identity of a Bird delivery for de-duplication: what the signature covers, its timestamp and the body.
 * Bird's messagebird-request-id is not signed, so keying on it let a captured delivery be replayed endlessly
 * with fresh ids, and Bird's guide does not promise one on every delivery. Bird's own retries keep the timestamp
 * (as sent, whatever its unit) and body, so they share the key; changing either breaks the signature.
 */
import { createHash } from 'node:crypto';

export function deliveryKey(timestamp: string, rawBody: Buffer): string {
  return `${timestamp}.${createHash('sha256').update(rawBody).digest('base64url')}`;
}
