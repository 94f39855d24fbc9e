import { z } from 'zod';
import { LOG_LEVELS } from './logger.ts';

// Configuration comes from the environment, read once and validated, so a missing setting fails
// at start with its name rather than as an odd error on the first request.

const awsSchema = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});

const configSchema = awsSchema.extend({
  TABLE_NAME: z.string().min(1),
  /** Set only for the local stack: where DynamoDB Local and the local S3 listen. */
  IMR_DYNAMODB_ENDPOINT: z.url().optional(),
  IMR_S3_ENDPOINT: z.url().optional(),
  /**
   * How long a writer waits for another applier of its lane (shared/store/apply-queue.ts). The
   * deployed ingest does not wait (a waiting Lambda is billed): the running applier and the
   * minute's sweep apply its job.
   */
  APPLY_QUEUE_WAIT_MS: z.coerce.number().int().min(0).max(60_000).optional(),
});

export type Config = z.infer<typeof configSchema>;

const apiConfigSchema = configSchema
  .extend({
    /**
     * Seals page cursors (shared/api/cursor.ts); at least 32 characters of randomness. Given as
     * a value locally; in AWS, CURSOR_SECRET_ARN names it and it is read at cold start.
     */
    CURSOR_SECRET: z.string().min(32).optional(),
    /** The Secrets Manager secret holding the cursor secret (set for the functions that page). */
    CURSOR_SECRET_ARN: z.string().startsWith('arn:').optional(),
    /** The statistics exports bucket, for GET /api/exports (absent: no exports listed). */
    EXPORTS_BUCKET: z.string().min(1).optional(),
  })
  .refine((c) => c.CURSOR_SECRET === undefined || c.CURSOR_SECRET_ARN === undefined, {
    path: ['CURSOR_SECRET_ARN'],
    message: 'give the cursor secret once: CURSOR_SECRET or CURSOR_SECRET_ARN, not both',
  });
export type ApiConfig = z.infer<typeof apiConfigSchema>;

// The API's authorizer reads no table: it checks CloudFront's origin header (shared/api/origin.ts).
const originConfigSchema = awsSchema.extend({
  /** The Secrets Manager secret CloudFront sends as the origin header's value. */
  ORIGIN_SECRET_ARN: z.string().startsWith('arn:'),
});
export type OriginConfig = z.infer<typeof originConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration from an environment. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  return parseConfig(configSchema, env);
}

/** The configuration of the API functions. */
export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}

/** The configuration of the API's origin authorizer. */
export function loadOriginConfig(env: Record<string, string | undefined>): OriginConfig {
  return parseConfig(originConfigSchema, env);
}

// Functions that are not triggered by the bucket (the ingest learns it from each event) are told
// which bucket to use.
const bucketConfigSchema = configSchema.extend({ BUCKET_NAME: z.string().min(1) });

export type BucketConfig = z.infer<typeof bucketConfigSchema>;

/** The configuration of a function that works on the upload bucket (the receipts roll-up). */
export function loadBucketConfig(env: Record<string, string | undefined>): BucketConfig {
  return parseConfig(bucketConfigSchema, env);
}

function parseConfig<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
