import { lambdaRuntime, once } from '../shared/aws/index.ts';
import { loadConfig } from '../shared/config.ts';
import { applyAllQueuedCounters, type ApplyOutcome } from '../shared/store/index.ts';

// Run every minute by an EventBridge schedule: applies the counter jobs that no writer applied
// (its applier died, or it gave up waiting for another), so statistics are never more than a
// minute behind the letters (docs/DATA-MODEL.md, "Counters").
const runtime = once(() => lambdaRuntime('counter-sweep', loadConfig));

/** Lambda entry point; configuration and clients are set up on the first event. */
export const handler = async (): Promise<ApplyOutcome[]> => {
  const { table, logger } = await runtime();
  const outcomes = await applyAllQueuedCounters({ ...table, counters: { waitMs: 0 } });
  logger.info('counters applied', { outcomes });
  return outcomes;
};
