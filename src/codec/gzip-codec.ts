/**
 * Compression of large payloads. Temporal refuses a payload over 2 MiB (its blob size limit), and some of ours grow
 * with the input: a plan lists every number of an inventory (about 190 bytes each), an apply reports one row per
 * number, so an inventory of 12,000 numbers could not be planned. Gzip shrinks them about four times (random UUIDs
 * are most of their bytes). Only payloads over the threshold are compressed, so everything people read in the UI and
 * every recorded history stays plain JSON; the codec server decodes the rest.
 *
 * Layout: `binary/gzip` encoding, `data` the gzip of the whole serialised Payload (its metadata included).
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const GZIP_ENCODING = 'binary/gzip';
/** Compressed above this (serialised) size: far above any payload a person reads, far below Temporal's 2 MiB. */
export const GZIP_THRESHOLD_BYTES = 256 * 1024;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const encodingOf = (p: Payload) =>
  p.metadata?.[METADATA_ENCODING_KEY] ? Buffer.from(p.metadata[METADATA_ENCODING_KEY]).toString() : undefined;

export class GzipLargePayloadCodec implements PayloadCodec {
  constructor(readonly thresholdBytes = GZIP_THRESHOLD_BYTES) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        if (plain.length <= this.thresholdBytes) return payload;
        return { metadata: { [METADATA_ENCODING_KEY]: Buffer.from(GZIP_ENCODING) }, data: await gzipAsync(plain) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (encodingOf(payload) !== GZIP_ENCODING) return payload;
        return temporal.api.common.v1.Payload.decode(await gunzipAsync(payload.data ?? new Uint8Array()));
      }),
    );
  }
}

/** Codecs as one (for the codec server): encoded in the array's order, decoded in reverse, as the SDK applies them. */
export function chainCodecs(codecs: PayloadCodec[]): PayloadCodec {
  return {
    async encode(payloads) {
      for (const c of codecs) payloads = await c.encode(payloads);
      return payloads;
    },
    async decode(payloads) {
      for (const c of [...codecs].reverse()) payloads = await c.decode(payloads);
      return payloads;
    },
  };
}
