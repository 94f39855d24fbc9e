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

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration from an environment. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
