/**
 * AES-256-GCM payload codec. Every payload (workflow and activity inputs and results, signals, queries, failure
 * details) leaves the process as `binary/encrypted`; the key id travels in the payload's metadata, so keys rotate:
 * encrypt with the active key, decrypt with whichever key the payload names (old keys stay configured until no
 * open run or retained history needs them).
 *
 * Layout of `data`: 12-byte random IV ‖ ciphertext ‖ 16-byte tag; the key id is also bound as additional
 * authenticated data, so a payload relabelled with another key id fails authentication instead of decoding.
 */
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PayloadKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadKeyError';
  }
}

export interface CodecKeys {
  /** The key id new payloads are encrypted with. */
  activeKeyId: string;
  /** Every key this process may decrypt with, by id (32 bytes each). */
  keys: ReadonlyMap<string, Buffer>;
}

const text = (s: string) => new TextEncoder().encode(s);
const fromBytes = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

export class AesGcmPayloadCodec implements PayloadCodec {
  readonly #active: { id: string; key: Buffer };
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor(keys: CodecKeys) {
    for (const [id, key] of keys.keys) {
      if (key.length !== 32)
        throw new PayloadKeyError(`payload encryption key "${id}" must be 32 bytes (got ${key.length})`);
    }
    const active = keys.keys.get(keys.activeKeyId);
    if (!active) throw new PayloadKeyError(`payload encryption key "${keys.activeKeyId}" is not configured`);
    this.#active = { id: keys.activeKeyId, key: active };
    this.#keys = keys.keys;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.#active.key, iv);
      cipher.setAAD(Buffer.from(this.#active.id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(this.#active.id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (fromBytes(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = fromBytes(payload.metadata?.[KEY_ID_METADATA]);
      if (!keyId) throw new PayloadKeyError('encrypted payload without an encryption-key-id');
      const key = this.#keys.get(keyId);
      if (!key) throw new PayloadKeyError(`payload was encrypted with key "${keyId}", which is not configured here`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES)
        throw new PayloadKeyError(`encrypted payload (key "${keyId}") is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadKeyError(
          `payload does not decrypt with key "${keyId}": wrong key material for that id, or the payload was altered`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
