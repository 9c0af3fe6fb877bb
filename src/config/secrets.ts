/**
 * Secrets are passed through Temporal by reference only: a workflow input names a secret ("WEBHOOK_SIGNING_KEY"),
 * and the worker resolves it here, inside an activity, right before the Bird call that needs it. Workflow history,
 * visible to anyone with Temporal UI access, therefore only ever holds the name.
 *
 * The environment store reads BIRD_SECRET_<REF>. The prefix is deliberate: a reference can never resolve to an
 * arbitrary process variable (say BIRD_ACCESS_KEY) and ship it to a URL named in a workflow input.
 */
import { Secret } from '../base/secret';

export interface SecretStore {
  /** Throws SecretNotFoundError (naming the reference, never a value) when the reference is unknown. */
  resolve(ref: string): Secret;
}

export class SecretNotFoundError extends Error {
  constructor(
    readonly ref: string,
    where: string,
  ) {
    super(`secret reference "${ref}" is not configured on the worker (expected ${where})`);
    this.name = 'SecretNotFoundError';
  }
}

export const SECRET_ENV_PREFIX = 'BIRD_SECRET_';

export function envSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  return {
    resolve(ref) {
      const name = `${SECRET_ENV_PREFIX}${ref}`;
      const value = env[name];
      if (!value) throw new SecretNotFoundError(ref, `environment variable ${name}`);
      return new Secret(value);
    },
  };
}

/** For tests and embedding: a fixed map of references to values. */
export function staticSecretStore(values: Record<string, string>): SecretStore {
  return {
    resolve(ref) {
      const value = values[ref];
      if (value === undefined) throw new SecretNotFoundError(ref, 'a configured secret');
      return new Secret(value);
    },
  };
}
