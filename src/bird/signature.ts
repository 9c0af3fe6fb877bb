/**
 * Bird's webhook signature: base64(HMAC-SHA256(signingKey, timestamp + "\n" + url + "\n" + sha256(rawBody))),
 * where sha256(rawBody) enters as its raw 32 bytes, not hex. Shared by the simulator (signs) and the receiver
 * (verifies) so both ends agree byte for byte.
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
