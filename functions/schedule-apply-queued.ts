import type { Context } from 'aws-lambda';
import { lambdaRuntime, once } from '../shared/aws/index.ts';
import { loadConfig } from '../shared/config.ts';
import {
  applyAllQueued,
  oldestQueued,
  setAsideCount,
  type ApplyOutcome,
} from '../shared/store/index.ts';

// Run every minute by an EventBridge schedule: applies the jobs no writer applied (its applier
// died, or it gave up waiting for another), so search and statistics are never more than a
// minute or so behind the letters (docs/DATA-MODEL.md, "Index entries and counters").
const runtime = once(() => lambdaRuntime('apply-queued', loadConfig));

// A batch is seconds of writes; none is started in the function's last 25 s, so the function is
// not stopped half-way through one (it would be taken over only after going stale).
const LAST_BATCH_START_MS = 25_000;
/** A lane whose oldest job is older than this is reported stuck (five sweeps have passed). */
const STUCK_AFTER_MS = 5 * 60_000;

/** Lambda entry point; configuration and clients are set up on the first event. */
export const handler = async (
  _event: unknown,
  context: Context,
): Promise<(ApplyOutcome | 'failed')[]> => {
  const stopBy = Date.now() + context.getRemainingTimeInMillis() - LAST_BATCH_START_MS;
  const { table, logger } = await runtime();
  const outcomes = await applyAllQueued({ ...table, queue: { waitMs: 0 } }, stopBy);
  const [oldest, setAside] = await Promise.all([oldestQueued(table), setAsideCount(table)]);
  logger.info('queued changes applied', { outcomes, oldest, setAside });
  // Failing the run makes it count in the function's Errors, which the alarm watches: a lane
  // that failed, one whose oldest job has outlived several sweeps, or jobs set aside.
  const problems = [
    ...outcomes.flatMap((o, lane) =>
      typeof o === 'object' ? [`lane ${lane} failed: ${String(o.failed)}`] : [],
    ),
    ...oldest.flatMap((at, lane) =>
      at !== null && Date.now() - Date.parse(at) > STUCK_AFTER_MS
        ? [`lane ${lane} has index entries and counters queued since ${at} not applied`]
        : [],
    ),
    ...setAside.flatMap((n, lane) => (n > 0 ? [`lane ${lane} has ${n} jobs set aside`] : [])),
  ];
  if (problems.length > 0) throw new Error(problems.join('; '));
  return outcomes.map((o) => (typeof o === 'object' ? 'failed' : o));
};
