import {
  s3ExportBucket,
  runExport,
  type ExportDeps,
  type ExportResult,
} from '../shared/export/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { LocalStack } from './stack.ts';

// The scheduled export on the local stack: the same runExport the Lambda calls, at start and
// then every interval, never two at once.

/** The export's dependencies over the local stack's table and exports bucket. */
export function localExportDeps(stack: LocalStack, logger: Logger): ExportDeps {
  return { table: stack.table, bucket: s3ExportBucket(stack.s3, stack.exportsBucket), logger };
}

export interface ExportSchedule {
  /** Waits for a run in progress, then stops the schedule. */
  stop(): Promise<void>;
}

/** Runs an export now and then every `intervalMs`; a run still going when the next is due skips it. */
export function startExportSchedule(
  stack: LocalStack,
  options: { intervalMs: number; logger: Logger; onResult?: (result: ExportResult) => void },
): ExportSchedule {
  const deps = localExportDeps(stack, options.logger);
  let running: Promise<void> | null = null;
  const tick = (): void => {
    if (running !== null) return;
    running = runExport(deps)
      .then((result) => {
        options.onResult?.(result);
        if (result.status === 'complete') {
          options.logger.info('export written', {
            snapshot: result.manifest.snapshot,
            items: result.manifest.totals.items,
          });
        }
      })
      .catch((error: unknown) => options.logger.error('export failed', { error }))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
