import type { ClusterSettings } from '../config/placement-settings';
import type { ObserveOptions } from '../observe';

/** The part of Lambda's invocation context the handlers read. */
export interface LambdaContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** Credentials as stored in Secrets Manager: a bare password, or `{"username", "password"}` for an ACL user. */
export interface Credentials {
  username?: string;
  password?: string;
}

/** A secret that is neither a password nor `{username,password}`. The message never contains the secret. */
export class SecretFormatError extends Error {
  override name = 'SecretFormatError';
}

export function parseSecret(secret: string | undefined): Credentials {
  if (secret === undefined || secret === '') return {};
  const trimmed = secret.trim();
  if (!trimmed.startsWith('{')) return { password: secret };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // No `cause` on purpose: JSON.parse's message quotes the text it could not parse, the secret.
    throw new SecretFormatError('the cluster secret looks like JSON but does not parse');
  }
  const { username, password } = parsed as Record<string, unknown>;
  if (typeof password !== 'string' || (username !== undefined && typeof username !== 'string')) {
    throw new SecretFormatError(
      'the cluster secret must be a password or {"username": "...", "password": "..."}',
    );
  }
  return { username, password };
}

/** Observe options from a cluster's settings and its credentials. */
export function observeOptionsFrom(
  cluster: string,
  settings: ClusterSettings,
  credentials: Credentials,
): ObserveOptions {
  return {
    ...credentials,
    cluster,
    timeoutMs: settings.timeoutMs,
    tls: settings.tls === 'off' ? undefined : { insecure: settings.tls === 'insecure' },
  };
}
