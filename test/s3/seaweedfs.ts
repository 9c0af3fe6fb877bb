/**
 * A real S3-compatible object store for the S3 bulk-store tests: SeaweedFS's `weed server` (master, volume, filer
 * and S3 gateway in one process), built once by scripts/seaweedfs.sh, on 127.0.0.1 free ports, with an identities
 * file: an admin, the product's identity (read, write, list on the test bucket only) and an outsider with no
 * permission on it. Stopping and starting it again on the same directory and ports keeps every object.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const ROOT = resolve(__dirname, '..', '..');

export interface S3Identity {
  accessKeyId: string;
  secretAccessKey: string;
}

function identity(name: string): S3Identity {
  return {
    accessKeyId: `${name.toUpperCase()}${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(24).toString('base64url'),
  };
}

export class SeaweedFs {
  readonly admin = identity('admin');
  readonly product = identity('bulk');
  readonly outsider = identity('outsider');
  #proc: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly lines: string[] = [];

  private constructor(
    readonly weed: string,
    readonly dir: string,
    readonly bucket: string,
    readonly ports: Record<
      'master' | 'volume' | 'filer' | 's3' | 'masterGrpc' | 'volumeGrpc' | 'filerGrpc' | 's3Grpc',
      number
    >,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.ports.s3}`;
  }

  static async start(bucket = 'bulk-store'): Promise<SeaweedFs> {
    const weed = execFileSync('bash', [join(ROOT, 'scripts', 'seaweedfs.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    const dir = await mkdtemp(join(tmpdir(), 'seaweedfs-'));
    const ports = { master: 0, volume: 0, filer: 0, s3: 0, masterGrpc: 0, volumeGrpc: 0, filerGrpc: 0, s3Grpc: 0 };
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    const s = new SeaweedFs(weed, dir, bucket, ports);
    await writeFile(join(dir, 's3.json'), JSON.stringify(s.#identities(), null, 2));
    await s.resume();
    const admin = s.client(s.admin);
    await waitFor(
      'the S3 gateway to create a bucket',
      async () => {
        try {
          await admin.send(new CreateBucketCommand({ Bucket: bucket }));
          return true;
        } catch (err) {
          if ((err as Error).name === 'BucketAlreadyOwnedByYou' || (err as Error).name === 'BucketAlreadyExists')
            return true;
          return undefined;
        }
      },
      90_000,
      500,
    );
    admin.destroy();
    return s;
  }

  #identities() {
    const b = this.bucket;
    return {
      identities: [
        {
          name: 'admin',
          credentials: [{ accessKey: this.admin.accessKeyId, secretKey: this.admin.secretAccessKey }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
        {
          name: 'bulk',
          credentials: [{ accessKey: this.product.accessKeyId, secretKey: this.product.secretAccessKey }],
          actions: [`Read:${b}`, `Write:${b}`, `List:${b}`],
        },
        {
          name: 'outsider',
          credentials: [{ accessKey: this.outsider.accessKeyId, secretKey: this.outsider.secretAccessKey }],
          actions: ['Read:elsewhere', 'Write:elsewhere', 'List:elsewhere'],
        },
      ],
    };
  }

  /** An SDK client as one identity (the tests' own view of the bucket). */
  client(who: S3Identity): S3Client {
    return new S3Client({
      region: 'us-east-1',
      endpoint: this.endpoint,
      forcePathStyle: true,
      credentials: who,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** The product's settings for BULK_STORE_URL=s3://bucket/prefix, credentials by reference (BIRD_SECRET_<REF>_*). */
  env(prefix: string, who: S3Identity = this.product): Record<string, string> {
    return {
      BULK_STORE_URL: `s3://${this.bucket}/${prefix}`,
      BULK_STORE_S3_ENDPOINT: this.endpoint,
      BULK_STORE_S3_REGION: 'us-east-1',
      BULK_STORE_S3_FORCE_PATH_STYLE: 'true',
      BULK_STORE_S3_CREDENTIALS: 'BULK_STORE',
      BIRD_SECRET_BULK_STORE_ACCESS_KEY_ID: who.accessKeyId,
      BIRD_SECRET_BULK_STORE_SECRET_ACCESS_KEY: who.secretAccessKey,
    };
  }

  /** Starts (or starts again) the server on the same directory and ports, and waits until S3 answers. */
  async resume(): Promise<void> {
    const p = this.ports;
    const args = [
      'server',
      `-dir=${join(this.dir, 'data')}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${p.master}`,
      `-master.port.grpc=${p.masterGrpc}`,
      `-volume.port=${p.volume}`,
      `-volume.port.grpc=${p.volumeGrpc}`,
      '-filer',
      `-filer.port=${p.filer}`,
      `-filer.port.grpc=${p.filerGrpc}`,
      '-s3',
      `-s3.port=${p.s3}`,
      `-s3.port.grpc=${p.s3Grpc}`,
      // No Iceberg catalog (its own fixed port) and no telemetry (no network beyond 127.0.0.1).
      '-s3.port.iceberg=0',
      '-master.telemetry=false',
      `-s3.config=${join(this.dir, 's3.json')}`,
      '-volume.max=8',
      '-master.volumeSizeLimitMB=64',
    ];
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const proc = spawn(this.weed, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = proc;
    for (const stream of [proc.stdout, proc.stderr])
      stream.on('data', (d: Buffer) => this.lines.push(...d.toString('utf8').split('\n').filter(Boolean)));
    this.#exited = new Promise((res) => proc.once('exit', () => res()));
    await waitFor(
      'the S3 gateway to answer',
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`weed exited (${proc.exitCode}):\n${this.lines.slice(-30).join('\n')}`);
        try {
          const res = await fetch(`${this.endpoint}/`, { signal: AbortSignal.timeout(2_000) });
          return res.status > 0 ? true : undefined;
        } catch {
          return undefined;
        }
      },
      90_000,
      250,
    );
  }

  /** Stops the whole server (SIGTERM, then SIGKILL): the store is unreachable until resume(). */
  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
