import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { UPLOADS_PREFIX } from '../../shared/uploads/index.ts';
import { PARSE_LIMITS } from '../../shared/parser/index.ts';
import { GSI1, WRITER_APPLY_MS } from '../../shared/store/index.ts';
import { RECEIPTS_PREFIX } from '../../shared/receipts/index.ts';
import { grantTableReadWrite, type BucketName } from '../constructs/access.ts';
import { ALARM_PERIOD, alarmAbove } from '../constructs/alarms.ts';
import { AtlasFunction } from '../constructs/function.ts';
import { acknowledgeWildcards } from '../constructs/nag.ts';

// Letters in: S3 → SQS → the ingest function, with a dead-letter queue and alarms; and the
// daily roll-up of upload receipts.

/** Messages per invocation. With MAX_CONCURRENCY, 100 letters at once at most (RELIABILITY.md). */
export const BATCH_SIZE = 10;
/** Ingest functions at once: bounds the table's write rate during a bulk backfill. */
export const MAX_CONCURRENCY = 10;
/** Attempts before a message is parked in the dead-letter queue (the local stack's too). */
export const MAX_RECEIVE_COUNT = 5;
/**
 * A batch may be all scans, each read by OCR for at most PARSE_LIMITS.scan.wallMs (a text letter
 * takes milliseconds), and each letter then applies its lane for up to WRITER_APPLY_MS of batch
 * starts (a batch takes seconds, counted once more): the batch's work plus a minute, within
 * Lambda's 15 minutes.
 */
export const INGEST_TIMEOUT = Duration.seconds(
  Math.min(900, (BATCH_SIZE * (PARSE_LIMITS.scan.wallMs + 2 * WRITER_APPLY_MS)) / 1000 + 60),
);

export interface IngestStackProps extends StackProps {
  table: dynamodb.ITableV2;
  uploadBucket: BucketName;
  alarmTopic: sns.ITopic;
}

export class IngestStack extends Stack {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly ingest: AtlasFunction;
  readonly rollup: AtlasFunction;
  readonly applyQueued: AtlasFunction;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id, props);
    const { table, uploadBucket } = props;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the ingest queue; it has none of its own.',
    });
    this.queue = new sqs.Queue(this, 'Letters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's guidance: at least six times the function timeout, so a batch still being
      // retried by the poller is not handed to another function meanwhile.
      visibilityTimeout: Duration.seconds(INGEST_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    // The bucket belongs to the storage stack; adding the notification to it there would make
    // storage depend on this stack's queue. Imported here, the notification is this stack's.
    const bucket = s3.Bucket.fromBucketName(this, 'UploadBucket', uploadBucket.value);
    // Receipts and roll-ups are written to the same bucket; they must not come back as letters.
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), {
      prefix: UPLOADS_PREFIX,
    });

    this.ingest = new AtlasFunction(this, 'Ingest', {
      entry: 's3-ingest-letter',
      // PDF text extraction and OCR are CPU-bound and single-threaded; Lambda gives one full
      // vCPU from 1,769 MB. OCR's engines take about 300 MB of it (docs/DEPLOY.md).
      memorySize: 1769,
      timeout: INGEST_TIMEOUT,
      // A writer does not wait for its lane's applier: waiting is billed, and the applier at
      // work (or the minute's sweep) applies its job (docs/DATA-MODEL.md).
      environment: { TABLE_NAME: table.tableName, APPLY_QUEUE_WAIT_MS: '0' },
      // Its instances are set aside, so no flood of API requests can take them (api.ts caps
      // each API function too); as many as the queue's poller runs at once.
      reservedConcurrentExecutions: MAX_CONCURRENCY,
    });
    this.ingest.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: BATCH_SIZE,
        maxConcurrency: MAX_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );
    grantTableReadWrite(this.ingest, table);
    this.ingest.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadAndTagLetters',
        actions: ['s3:GetObject', 's3:PutObjectTagging'],
        resources: [uploadBucket.arn(`${UPLOADS_PREFIX}*`)],
      }),
    );
    // Without it S3 answers a read of a deleted key with 403 rather than NoSuchKey, and the
    // letter would be retried to the dead-letter queue instead of recorded as object-missing.
    this.ingest.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'KnowMissingLetters',
        actions: ['s3:ListBucket'],
        resources: [uploadBucket.arn()],
      }),
    );
    this.ingest.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteReceipts',
        actions: ['s3:PutObject'],
        resources: [uploadBucket.arn(`${RECEIPTS_PREFIX}*`)],
      }),
    );
    acknowledgeWildcards(
      this.ingest.role ?? this.ingest,
      [uploadBucket.nagArn(`${UPLOADS_PREFIX}*`), uploadBucket.nagArn(`${RECEIPTS_PREFIX}*`)],
      'Any upload may arrive and any receipt be written: the wildcard is the contents of the ' +
        'uploads/ and receipts/ prefixes, which is what the ingest works on.',
    );

    this.rollup = new AtlasFunction(this, 'ReceiptsRollup', {
      entry: 'schedule-rollup-receipts',
      timeout: Duration.minutes(5),
      environment: { TABLE_NAME: table.tableName, BUCKET_NAME: uploadBucket.value },
    });
    // Five GSI1 queries per organisation (one per status); nothing else of the table.
    this.rollup.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'QueryUploadsByOrganisation',
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${GSI1.name}`],
      }),
    );
    this.rollup.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListOrganisations',
        actions: ['s3:ListBucket'],
        resources: [uploadBucket.arn()],
        conditions: { StringLike: { 's3:prefix': UPLOADS_PREFIX } },
      }),
    );
    this.rollup.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteDailyRollups',
        actions: ['s3:PutObject'],
        resources: [uploadBucket.arn(`${RECEIPTS_PREFIX}*/daily/*`)],
      }),
    );
    acknowledgeWildcards(
      this.rollup.role ?? this.rollup,
      [uploadBucket.nagArn(`${RECEIPTS_PREFIX}*/daily/*`)],
      "Every organisation's daily roll-up folder, receipts/<org>/daily/, and nothing else.",
    );
    // Shortly after midnight UTC: the day before is complete. The function reads the day from
    // the event's own time, so the default scheduled event is the input.
    new events.Rule(this, 'DailyRollup', {
      description: "Each organisation's receipts roll-up of the day before",
      schedule: events.Schedule.cron({ minute: '15', hour: '0' }),
      targets: [new targets.LambdaFunction(this.rollup, { retryAttempts: 2 })],
    });

    // Writers apply their own index entries and counters; this applies what a writer that died
    // or gave up waiting left queued, so search and statistics lag by at most a minute.
    this.applyQueued = new AtlasFunction(this, 'ApplyQueued', {
      entry: 'schedule-apply-queued',
      timeout: Duration.minutes(1),
      environment: { TABLE_NAME: table.tableName },
    });
    grantTableReadWrite(this.applyQueued, table);
    new events.Rule(this, 'EveryMinuteApplyQueued', {
      description: 'Applies the index entries and counters no letter writer applied',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.applyQueued, { retryAttempts: 0 })],
    });

    alarmAbove(this, 'DeadLettersAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      threshold: 0,
      description:
        'Uploads whose ingest failed five times (DynamoDB or S3 unavailable): redrive the ' +
        'dead-letter queue once the cause is fixed (docs/DEPLOY.md).',
      topic: props.alarmTopic,
    });
    alarmAbove(this, 'IngestErrorsAlarm', {
      metric: this.ingest.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 0,
      description: 'The ingest function crashed or timed out (message failures are not errors).',
      topic: props.alarmTopic,
    });
    alarmAbove(this, 'IngestBacklogAlarm', {
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      threshold: 3600,
      periods: 3,
      description: 'Letters have waited over an hour to be ingested.',
      topic: props.alarmTopic,
    });
    alarmAbove(this, 'ApplyQueuedErrorsAlarm', {
      metric: this.applyQueued.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      // More than two failed sweeps in five minutes: a lane stuck, not one bad minute.
      threshold: 2,
      description:
        'Applying queued index entries and counters keeps failing, or a lane has not drained for 5 minutes: search and statistics are falling behind (docs/DEPLOY.md, Operate).',
      topic: props.alarmTopic,
    });
    alarmAbove(this, 'RollupErrorsAlarm', {
      metric: this.rollup.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 0,
      description: 'The daily receipts roll-up failed.',
      topic: props.alarmTopic,
    });
  }
}
