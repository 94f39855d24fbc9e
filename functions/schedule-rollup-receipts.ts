import { z } from 'zod';
import { createDynamoClient, createS3Client } from '#shared/aws/clients.ts';
import { loadBucketConfig } from '#shared/config.ts';
import { s3LetterObjects } from '#shared/ingest/letter-objects.ts';
import { createLogger } from '#shared/logger.ts';
import { listOrganisations } from '#shared/receipts/bucket.ts';
import { dayBefore, rollupDays, type DailyRollup } from '#shared/receipts/daily.ts';

// Run by a daily EventBridge schedule shortly after midnight UTC: every organisation's roll-up of
// the day before. The day comes from the event's time, so a retried run rolls up the same day.
const scheduledEventSchema = z.object({ time: z.iso.datetime() });

function setUp() {
  const c = loadBucketConfig(process.env);
  const s3 = createS3Client({ region: c.AWS_REGION, endpoint: c.IMR_S3_ENDPOINT });
  const client = createDynamoClient({ region: c.AWS_REGION, endpoint: c.IMR_DYNAMODB_ENDPOINT });
  return {
    deps: {
      table: { client, tableName: c.TABLE_NAME },
      objects: s3LetterObjects(s3),
      bucket: c.BUCKET_NAME,
      organisations: () => listOrganisations(s3, c.BUCKET_NAME),
    },
    logger: createLogger({ level: c.LOG_LEVEL, service: 'receipts-rollup' }),
  };
}
let setup: ReturnType<typeof setUp> | undefined;

/** Lambda entry point; configuration and clients are set up on the first event. */
export const handler = async (event: unknown): Promise<DailyRollup[]> => {
  const day = dayBefore(scheduledEventSchema.parse(event).time);
  setup ??= setUp();
  const rollups = await rollupDays(setup.deps, day);
  setup.logger.info('receipts rolled up', { day, rollups });
  return rollups;
};
