/**
 * Bird's webhook signature: base64(HMAC-SHA256(signingKey, timestamp + "\n" + url + "\n" + sha256(rawBody))),
 * where sha256(rawBody) enters as its raw 32 bytes, not hex, and timestamp is the messagebird-request-timestamp
 * header exactly as sent. Shared by the simulator (signs) and the receiver (verifies) so both ends agree byte for
 * byte. Bird's guide (docs.bird.com, "Verifying a webhook") names only the signature and timestamp headers;
 * messagebird-request-id is a reference for Bird's delivery logs, not part of the proof.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(signingKey: string, timestamp: string, url: string, rawBody: Buffer | string): string {
  const bodyDigest = createHash('sha256').update(rawBody).digest();
  return createHmac('sha256', signingKey)
    .update(Buffer.from(`${timestamp}\n${url}\n`, 'utf8'))
    .update(bodyDigest)
    .digest('base64');
}

/** Constant-time check; a malformed or wrong-length signature is simply not valid. */
export function verifyWebhookSignature(
  signingKey: string,
  timestamp: string,
  url: string,
  rawBody: Buffer,
  signature: string,
): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const expected = Buffer.from(signWebhook(signingKey, timestamp, url, rawBody), 'base64');
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * When Bird sent a delivery, from its messagebird-request-timestamp header. Bird does not document the unit (its
 * examples are Unix seconds), so both units are read, each by its length: 10 digits are seconds and 13 digits
 * milliseconds (either way 2001-09-09 to 2286-11-20). Any other length could be either, so it is refused by name.
 */
export function webhookSentAtMs(header: string): number | 'malformed' | 'neither seconds nor milliseconds' {
  if (!/^\d+$/.test(header)) return 'malformed';
  if (header.length === 10) return Number(header) * 1000;
  if (header.length === 13) return Number(header);
  return 'neither seconds nor milliseconds';
}
