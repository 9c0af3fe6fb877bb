/**
 * A delivery signed the way Bird's guide describes it ("Verifying a webhook", docs.bird.com, Notifications API),
 * written from the guide's steps rather than from src/bird/signature.ts, so the receiver and the simulator are
 * checked against Bird's description and not against themselves:
 *   1. base64-decode messagebird-signature;
 *   2. SHA-256 the request body, as binary;
 *   3. join messagebird-request-timestamp, the request URL and that checksum with "\n";
 *   4. HMAC-SHA256 the joined payload with the signing key;
 *   5. compare with step 1.
 * The guide's headers are these two; messagebird-request-id is only "the event reference" for Bird's logs.
 */
import { createHash, createHmac } from 'node:crypto';

/** Bird's examples join strings byte for byte (PHP strings, latin1 in its Node sample): the join is over bytes. */
export function signedAsBirdsGuide(signingKey: string, timestamp: string, url: string, body: string): string {
  const checksum = createHash('sha256').update(Buffer.from(body, 'utf8')).digest();
  const payload = Buffer.concat([Buffer.from(`${timestamp}\n${url}\n`, 'utf8'), checksum]);
  return createHmac('sha256', Buffer.from(signingKey, 'utf8')).update(payload).digest('base64');
}

/** The headers of a delivery as the guide verifies it: signature and timestamp, nothing else required. */
export function birdGuideHeaders(signingKey: string, timestamp: string, url: string, body: string) {
  return {
    'messagebird-signature': signedAsBirdsGuide(signingKey, timestamp, url, body),
    'messagebird-request-timestamp': timestamp,
  };
}
