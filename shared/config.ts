import { z } from 'zod';

// Configuration comes from the environment, read once and validated, so a missing setting fails
// at start with its name rather than as an odd error on the first request.

const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Set only for the local stack: where DynamoDB Local and the local S3 listen. */
  IMR_DYNAMODB_ENDPOINT: z.url().optional(),
  IMR_S3_ENDPOINT: z.url().optional(),
});

export type Config = z.infer<typeof configSchema>;

const apiConfigSchema = configSchema.extend({
  /** Seals page cursors (shared/api/cursor.ts); at least 32 characters of randomness. */
  CURSOR_SECRET: z.string().min(32),
  /** The statistics exports bucket, for GET /api/exports (absent: no exports listed). */
  EXPORTS_BUCKET: z.string().min(1).optional(),
});
export type ApiConfig = z.infer<typeof apiConfigSchema>;

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
