import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { type Credentials, parseSecret, SecretFormatError } from '../lambda-runtime';

/**
 * A cluster's credentials from Secrets Manager, cached for the container's life (an hour at most),
 * not Powertools' default 5 s; read again (`fresh`) when the cluster refuses them, so a rotation
 * costs one extra read, not an hour of blindness.
 */
export function secretReader(provider: SecretsProvider) {
  return async (arn: string, options?: { fresh?: boolean }): Promise<Credentials> => {
    const secret = await provider.get(arn, { maxAge: 3600, forceFetch: options?.fresh ?? false });
    if (secret instanceof Uint8Array)
      throw new SecretFormatError('the cluster secret is binary: store the password as a string');
    return parseSecret(secret);
  };
}
