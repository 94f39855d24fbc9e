import type { S3Client } from '@aws-sdk/client-s3';
import type { LogLevel, Logger } from '../logger.ts';
import { createLogger } from '../logger.ts';
import type { TableDeps } from '../store/index.ts';
import { createDynamoClient, createS3Client } from './clients.ts';

// How every Lambda function starts: at its first event (not at import, so tests and the local
// stack can import a function's module and hand its create…Handler their own dependencies), it
// reads its configuration from the environment once and validates it, builds its SDK clients
// and its logger over that configuration, and keeps them for the instance's life.

/** An environment as process.env gives it. */
export type Env = Record<string, string | undefined>;

/** The settings every function that reads the table has (shared/config.ts). */
export interface RuntimeConfig {
  AWS_REGION: string;
  LOG_LEVEL: LogLevel;
  TABLE_NAME: string;
  /** Set only for the local stack: where DynamoDB Local and the local S3 listen. */
  IMR_DYNAMODB_ENDPOINT?: string | undefined;
  IMR_S3_ENDPOINT?: string | undefined;
  APPLY_QUEUE_WAIT_MS?: number | undefined;
}

/** What a function is built from: its configuration, its table, an S3 client and its logger. */
export interface Runtime<C extends RuntimeConfig> {
  config: C;
  table: TableDeps;
  /** The S3 client, built when first asked for (not every function reads a bucket). */
  s3(): S3Client;
  /** JSON lines at the configured level, each naming the function's service. */
  logger: Logger;
}

/** Reads a function's configuration with `load` (it throws a ConfigError) and builds its runtime over it. */
export function lambdaRuntime<C extends RuntimeConfig>(
  service: string,
  load: (env: Env) => C,
  env: Env = process.env,
): Runtime<C> {
  const config = load(env);
  let s3: S3Client | undefined;
  return {
    config,
    table: {
      client: createDynamoClient({
        region: config.AWS_REGION,
        endpoint: config.IMR_DYNAMODB_ENDPOINT,
      }),
      tableName: config.TABLE_NAME,
      ...(config.APPLY_QUEUE_WAIT_MS === undefined
        ? {}
        : { queue: { waitMs: config.APPLY_QUEUE_WAIT_MS } }),
    },
    s3: () =>
      (s3 ??= createS3Client({ region: config.AWS_REGION, endpoint: config.IMR_S3_ENDPOINT })),
    logger: createLogger({ level: config.LOG_LEVEL, service }),
  };
}

/**
 * `start`, run at the first call and its result kept. A start that failed (a setting missing, a
 * secret unreadable) is not kept: the next event tries again rather than failing for the
 * instance's life. Calls that arrive while it runs wait for the same start.
 */
export function once<T>(start: () => T | Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    if (started === undefined) {
      const attempt = (async () => start())();
      attempt.catch(() => {
        if (started === attempt) started = undefined;
      });
      started = attempt;
    }
    return started;
  };
}

type Handler<A extends unknown[], R> = (...args: A) => Promise<R>;

/** A Lambda entry point over the handler `start` builds at the first event (see `once`). */
export function startedOnFirstEvent<A extends unknown[], R>(
  start: () => Handler<A, R> | Promise<Handler<A, R>>,
): Handler<A, R> {
  const handle = once(start);
  return async (...args) => (await handle())(...args);
}
