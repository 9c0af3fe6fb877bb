/**
 * The bulk store in an S3-compatible bucket (AWS S3, SeaweedFS, Ceph RGW, R2, ...), through @aws-sdk/client-s3.
 * Every object is put whole (S3 PUTs are atomic), so the claim-check design of src/bulk/store.ts carries over as is.
 *
 * Errors are rewritten into BulkStoreErrors that name the object and say what to do; they carry the service's error
 * code and status, never a credential (the SDK signs requests with the secret key, it never prints it, and the
 * access key id is scrubbed from anything the service says back).
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Secret } from '../base/secret';
import { BulkStoreError, type ObjectBackend } from './object-backend';

export interface S3BackendOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
  region: string;
  /** For a service other than AWS: its URL, e.g. http://seaweedfs:8333. */
  endpoint?: string;
  /** Path-style URLs (http://host/bucket/key), which most self-hosted services need. */
  forcePathStyle: boolean;
  /** Resolved from a secret reference; absent: the SDK's default chain (AWS_* variables, web identity, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: Secret };
  /** How long one request may take before it counts as unreachable. */
  requestTimeoutMs?: number;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
  'RequestTimeout',
]);

export class S3Backend implements ObjectBackend {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #accessKeyId: string | undefined;

  constructor(opts: S3BackendOptions) {
    this.#bucket = opts.bucket;
    this.#prefix = opts.prefix ? `${opts.prefix}/` : '';
    this.location = `s3://${opts.bucket}${opts.prefix ? `/${opts.prefix}` : ''}`;
    this.#accessKeyId = opts.credentials?.accessKeyId;
    const creds = opts.credentials;
    const timeout = opts.requestTimeoutMs ?? 30_000;
    this.#client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle,
      // The secret is revealed only when the SDK signs a request, never stored on a plain object.
      credentials: creds
        ? async () => ({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey.reveal() })
        : undefined,
      // One quick retry here; waiting out an outage is the activity retry policy's job (it is durable, this is not).
      maxAttempts: 2,
      requestHandler: { connectionTimeout: Math.min(timeout, 5_000), requestTimeout: timeout },
      // Checksums only where S3 requires them: several S3-compatible services refuse the newer default trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  describe(key: string): string {
    return `${this.location}/${key}`;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404))
        return undefined;
      throw this.#explain(err, 'read', key);
    }
  }

  async put(key: string, body: string): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          Body: body,
          ContentType: key.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json',
        }),
      );
    } catch (err) {
      throw this.#explain(err, 'write', key);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: `${this.#prefix}${prefix}/`,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.#prefix.length));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.#explain(err, 'list', `${prefix}/`);
    }
    return keys.sort();
  }

  /** Closes the SDK's connection pool (a process that is done with the store). */
  close(): void {
    this.#client.destroy();
  }

  #explain(err: unknown, op: 'read' | 'write' | 'list', key: string): BulkStoreError {
    const what = `could not ${op} ${this.describe(key)}`;
    if (err instanceof S3ServiceException) {
      const status = err.$metadata.httpStatusCode;
      const said = this.#scrub(`${err.name}${status ? ` (HTTP ${status})` : ''}: ${err.message}`);
      if (
        status === 403 ||
        err.name === 'AccessDenied' ||
        err.name === 'InvalidAccessKeyId' ||
        err.name === 'SignatureDoesNotMatch'
      ) {
        return new BulkStoreError(
          `${what}: access denied by the object store (${said}). Check that the credentials (BULK_STORE_S3_CREDENTIALS) may read, write and list bucket ${this.#bucket}`,
          'denied',
        );
      }
      if (err.name === 'NoSuchBucket')
        return new BulkStoreError(`${what}: bucket ${this.#bucket} does not exist (${said})`, 'invalid');
      if (status !== undefined && status >= 500)
        return new BulkStoreError(`${what}: the object store failed (${said})`, 'unreachable');
      return new BulkStoreError(`${what}: ${said}`, 'invalid');
    }
    const e = err as { name?: string; code?: string; message?: string };
    const code = e.code ?? e.name ?? 'Error';
    const kind = UNREACHABLE.has(code) || UNREACHABLE.has(e.name ?? '') ? 'unreachable' : 'invalid';
    const hint = kind === 'unreachable' ? ': the object store did not answer (it is retried)' : '';
    return new BulkStoreError(`${what}${hint} (${code}: ${this.#scrub(e.message ?? String(err))})`, kind);
  }

  #scrub(text: string): string {
    const short = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    return this.#accessKeyId ? short.split(this.#accessKeyId).join('[access key id]') : short;
  }
}
