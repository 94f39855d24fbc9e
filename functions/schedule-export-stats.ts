import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { lambdaRuntime, startedOnFirstEvent } from '../shared/aws/index.ts';
import {
  s3ExportBucket,
  loadExportConfig,
  runExport,
  type ExportDeps,
  type ExportOptions,
} from '../shared/export/index.ts';

// The statistics export, on a schedule: `{"action": "start"}` (or a plain scheduled event) daily
// begins a snapshot; `{"action": "continue"}` every few minutes finishes one that ran out of time
// or failed. Each run stops with this much time left, to drop unfinished years and save the job.
const SAFETY_MS = 30_000;

const eventSchema = z.object({ action: z.enum(['start', 'continue']).default('start') });

/** The handler over the given dependencies (tests and the local stack pass their own). */
export function createExportHandler(
  deps: ExportDeps,
  options: Omit<ExportOptions, 'mode' | 'timeLeft'> = {},
) {
  return async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const { action } = eventSchema.parse(event ?? {});
    try {
      const result = await runExport(deps, {
        ...options,
        mode: action,
        timeLeft: () => context.getRemainingTimeInMillis() - SAFETY_MS,
      });
      const summary =
        result.status === 'complete'
          ? { status: result.status, snapshot: result.manifest.snapshot, ...result.manifest.totals }
          : result;
      deps.logger.info('export run', { action, ...summary });
      return summary;
    } catch (error) {
      deps.logger.error('export run failed', { action, error });
      throw error;
    }
  };
}

/** Lambda entry point; configuration and clients are set up on the first event and reused after. */
export const handler = startedOnFirstEvent(() => {
  const { config, table, s3, logger } = lambdaRuntime('export', loadExportConfig);
  return createExportHandler(
    { table, bucket: s3ExportBucket(s3(), config.EXPORTS_BUCKET), logger },
    { keep: config.EXPORT_KEEP, concurrency: config.EXPORT_CONCURRENCY },
  );
});
