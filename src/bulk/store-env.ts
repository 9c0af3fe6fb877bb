/**
 * Which bulk store a process uses, from its environment. The CLI and every worker must name the same one.
 *
 *   BULK_STORE_URL=s3://bucket/prefix     an S3-compatible bucket (workers on any host; see docs/object-store.md)
 *   BULK_STORE_URL=file:///var/lib/bulk   a directory (the embedded default; BULK_STORE_DIR=/var/lib/bulk says the same)
 *   (neither)                             .data/bulk under the working directory
 *
 * With s3://: BULK_STORE_S3_ENDPOINT (a service other than AWS), BULK_STORE_S3_REGION, BULK_STORE_S3_FORCE_PATH_STYLE,
 * and BULK_STORE_S3_CREDENTIALS, a secret reference like every other: REF resolves BIRD_SECRET_REF_ACCESS_KEY_ID and
 * BIRD_SECRET_REF_SECRET_ACCESS_KEY (src/config/secrets.ts). Without it the AWS SDK's default chain applies (AWS_* variables,
 * a web identity such as EKS IRSA, an instance role).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../config/app-config';
import { parseFields } from '../base/zod-issues';
import { envSecretStore, SecretNotFoundError } from '../config/secrets';
import { S3Backend } from './s3-backend';
import { BulkStore } from './store';

const storeUrl = z
  .string()
  .refine(
    (v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v) || /^file:\/\/\/./.test(v),
    'must be s3://bucket/prefix or file:///absolute/dir',
  );

export const BulkStoreEnvShape = {
  /** Where bulk runs keep their inventories and outcomes; the CLI must see the same store. */
  BULK_STORE_URL: storeUrl.optional(),
  BULK_STORE_DIR: z.string().min(1).optional(),
  BULK_STORE_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  BULK_STORE_S3_REGION: z.string().min(1).optional(),
  BULK_STORE_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  BULK_STORE_S3_CREDENTIALS: z
    .string()
    .regex(/^[A-Z0-9_]+$/, 'must be a secret reference such as BULK_STORE (upper case, digits, _)')
    .optional(),
};

const BulkStoreEnv = z.object(BulkStoreEnvShape).superRefine((e, ctx) => {
  if (e.BULK_STORE_URL && e.BULK_STORE_DIR) {
    ctx.addIssue({
      code: 'custom',
      path: ['BULK_STORE_DIR'],
      message: 'set BULK_STORE_URL or BULK_STORE_DIR, not both',
    });
  }
});

export function bulkStoreFromEnv(env: NodeJS.ProcessEnv = process.env): BulkStore {
  const e = parseFields(BulkStoreEnv, env, (problems) => new ConfigError(problems));
  const url = e.BULK_STORE_URL;
  if (!url || url.startsWith('file:'))
    return new BulkStore(url ? fileURLToPath(url) : e.BULK_STORE_DIR || resolve('.data', 'bulk'));
  const [, bucket = '', prefix = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url) ?? [];
  return new BulkStore(
    new S3Backend({
      bucket,
      prefix: prefix.replace(/^\/+|\/+$/g, ''),
      region: e.BULK_STORE_S3_REGION ?? env.AWS_REGION ?? 'us-east-1',
      endpoint: e.BULK_STORE_S3_ENDPOINT,
      forcePathStyle: e.BULK_STORE_S3_FORCE_PATH_STYLE === 'true',
      credentials: e.BULK_STORE_S3_CREDENTIALS ? credentialsOf(e.BULK_STORE_S3_CREDENTIALS, env) : undefined,
    }),
  );
}

function credentialsOf(ref: string, env: NodeJS.ProcessEnv) {
  const secrets = envSecretStore(env);
  try {
    return {
      accessKeyId: secrets.resolve(`${ref}_ACCESS_KEY_ID`).reveal(),
      secretAccessKey: secrets.resolve(`${ref}_SECRET_ACCESS_KEY`),
    };
  } catch (err) {
    if (err instanceof SecretNotFoundError)
      throw new ConfigError([{ field: 'BULK_STORE_S3_CREDENTIALS', reason: err.message }]);
    throw err;
  }
}
