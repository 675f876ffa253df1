import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (an esbuild alias in
 * lib/infra/placement-function.ts): Lambda always puts the role's credentials in the environment, so
 * the default chain's profile, SSO, login, process, web-identity and instance-metadata providers (and
 * the STS/SSO/sign-in clients they carry, about 110 KB of the bundle) could never answer there.
 * Same export as the package it replaces; the SDK memoizes what it returns, as with the default chain.
 */
export const defaultProvider = (init: FromEnvInit = {}) => {
  const read = fromEnv(init);
  return async () => {
    try {
      return await read();
    } catch (error) {
      throw new EnvironmentCredentialsError(
        'no AWS credentials in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): ' +
          'this bundle reads only those, which Lambda sets for the function role',
        { cause: error },
      );
    }
  };
};

/** The function's environment holds no credentials: it does not run on Lambda, or its role is missing. */
export class EnvironmentCredentialsError extends Error {
  override name = 'EnvironmentCredentialsError';
}
