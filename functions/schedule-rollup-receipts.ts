import { z } from 'zod';
import { lambdaRuntime, once } from '../shared/aws/index.ts';
import { loadBucketConfig } from '../shared/config.ts';
import { s3LetterObjects } from '../shared/ingest/index.ts';
import {
  listOrganisations,
  dayBefore,
  rollupDays,
  type DailyRollup,
} from '../shared/receipts/index.ts';

// Run by a daily EventBridge schedule shortly after midnight UTC: every organisation's roll-up of
// the day before. The day comes from the event's time, so a retried run rolls up the same day.
const scheduledEventSchema = z.object({ time: z.iso.datetime() });

const runtime = once(() => {
  const { config, table, s3, logger } = lambdaRuntime('receipts-rollup', loadBucketConfig);
  return {
    deps: {
      table,
      objects: s3LetterObjects(s3()),
      bucket: config.BUCKET_NAME,
      organisations: () => listOrganisations(s3(), config.BUCKET_NAME),
    },
    logger,
  };
});

/** Lambda entry point; configuration and clients are set up on the first event. */
export const handler = async (event: unknown): Promise<DailyRollup[]> => {
  // The event is checked first: a malformed one is refused before anything is set up.
  const day = dayBefore(scheduledEventSchema.parse(event).time);
  const { deps, logger } = await runtime();
  const rollups = await rollupDays(deps, day);
  logger.info('receipts rolled up', { day, rollups });
  return rollups;
};
