// shared/aws: AWS clients, secrets, retries and the one Lambda bootstrap.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { lambdaRuntime, once, startedOnFirstEvent } from './bootstrap.ts';
export { LOCAL_CREDENTIALS, createDynamoClient, createS3Client } from './clients.ts';
export { isConnectionError, retryConnectionErrors } from './retry.ts';
export { keptSecret, secretsManagerReader } from './secrets.ts';
