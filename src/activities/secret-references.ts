/**
 * Secret references are resolved by the worker, never carried by value through Temporal. They are all checked
 * before the connector is created: a reference that is missing only for the second subscription would otherwise
 * fail after the first subscription was registered, and Bird's API cannot delete a subscription.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { SecurityArgumentsMap } from '../bird/schemas';
import type { SecretStore } from '../config/secrets';
import { FailureType, withoutStack } from '../domain/failure-types';

export interface SecretReferences {
  securityArgumentsRef?: string;
  signingKeyRefs: string[];
}

export function resolveSecurityArguments(secrets: SecretStore, ref: string | undefined) {
  if (!ref) return undefined;
  const raw = secrets.resolve(ref).reveal();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const parsed = SecurityArgumentsMap.safeParse(json);
  if (!parsed.success) {
    throw withoutStack(
      ApplicationFailure.create({
        type: FailureType.invalidSecret,
        message: `secret "${ref}" must hold a JSON object of security arguments ({"scheme": {"key": "value"}})`,
        nonRetryable: true,
      }),
    );
  }
  return parsed.data;
}

/**
 * Every reference at once, so the failure names all the missing ones. Thrown on the attempt's number, which tells
 * the workflow nothing was sent to Bird (a refusal on the first attempt: nothing to undo).
 */
export function assertSecretReferences(
  secrets: SecretStore,
  { securityArgumentsRef, signingKeyRefs }: SecretReferences,
) {
  const missing: string[] = [];
  for (const ref of [...new Set(signingKeyRefs)]) {
    try {
      secrets.resolve(ref);
    } catch {
      missing.push(ref);
    }
  }
  if (securityArgumentsRef) {
    try {
      resolveSecurityArguments(secrets, securityArgumentsRef);
    } catch (err) {
      if (err instanceof ApplicationFailure) throw err;
      missing.push(securityArgumentsRef);
    }
  }
  if (missing.length) {
    throw withoutStack(
      ApplicationFailure.create({
        type: FailureType.secretNotFound,
        message: `secret reference${missing.length > 1 ? 's' : ''} ${missing.map((r) => `"${r}"`).join(', ')} not configured on the worker (expected BIRD_SECRET_<REF>); nothing was created`,
        nonRetryable: true,
        details: [{ operation: 'checkSecretReferences', attempt: Context.current().info.attempt }],
      }),
    );
  }
}

export function secretReferenceActivities({ secrets }: { secrets: SecretStore }) {
  return {
    /** Run as a local activity (no Bird call) by runs that check their secrets before the create. */
    async checkSecretReferences(refs: SecretReferences): Promise<void> {
      assertSecretReferences(secrets, refs);
    },
  };
}
