import { lambdaRuntime, once } from '../shared/aws/index.ts';
import { loadConfig } from '../shared/config.ts';
import { applyAllQueued, type ApplyOutcome } from '../shared/store/index.ts';

// Run every minute by an EventBridge schedule: applies the jobs no writer applied (its applier
// died, or it gave up waiting for another), so search and statistics are never more than a
// minute behind the letters (docs/DATA-MODEL.md, "Index entries and counters").
const runtime = once(() => lambdaRuntime('apply-queued', loadConfig));

/** Lambda entry point; configuration and clients are set up on the first event. */
export const handler = async (): Promise<ApplyOutcome[]> => {
  const { table, logger } = await runtime();
  const outcomes = await applyAllQueued({ ...table, queue: { waitMs: 0 } });
  logger.info('queued changes applied', { outcomes });
  return outcomes;
};
