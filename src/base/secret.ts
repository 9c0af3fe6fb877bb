/**
 * A value that must never be printed: logs, errors, JSON and util.inspect all see "[redacted]".
 * Wrapping the access key and signing keys this way makes an accidental `console.log(config)` harmless.
 */
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The only way to read the value: call it where the secret is used (an Authorization header, an HMAC). */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
