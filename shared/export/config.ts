import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config.ts';

// The export function's settings on top of the shared ones, read once and validated like them.

const exportConfigSchema = z.object({
  /** Where snapshots, latest.json and the job in progress are kept. */
  EXPORTS_BUCKET: z.string().min(1),
  /** Complete snapshots kept; older ones are deleted (never the latest). */
  EXPORT_KEEP: z.coerce.number().int().positive().default(30),
  /** Decision years read and written at once. */
  EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(3),
});

export type ExportConfig = Config & z.infer<typeof exportConfigSchema>;

/** Reads and validates the export function's configuration from an environment. */
export function loadExportConfig(env: Record<string, string | undefined>): ExportConfig {
  const base = loadConfig(env);
  const parsed = exportConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return { ...base, ...parsed.data };
}
