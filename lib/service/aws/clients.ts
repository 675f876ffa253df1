import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Every AWS client of the functions: explicit connect and request timeouts, and three attempts. A
 * subnet without a route to an AWS API fails a call in seconds (about 3 × 2 s to connect), and an
 * endpoint that accepts but never answers in about 15 s (3 × 5 s), not at the Lambda limit, so the
 * handler still has its time to report. The SDK's defaults would wait for the operating system's
 * connect timeout, minutes; and its request timeout only logs a warning unless told to throw
 * (`throwOnRequestTimeout`: measured, a hanging Secrets Manager held a check to its 70 s limit).
 * Region, credentials and endpoint come from the environment, as Lambda sets them (tests point
 * `AWS_ENDPOINT_URL` at a local emulator).
 */
export const CLIENT_CONFIG = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
} as const;

/** DynamoDB as the state stores use it: plain objects in, undefined attributes dropped. */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(CLIENT_CONFIG), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
