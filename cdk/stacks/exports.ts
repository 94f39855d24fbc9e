import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { grantTableRead, type BucketName } from '../constructs/access.ts';
import { alarmAbove } from '../constructs/alarms.ts';
import { acknowledgeWildcards } from '../constructs/nag.ts';
import { AtlasFunction } from '../constructs/function.ts';

// The statistics exports (docs/EXPORTS.md): a daily snapshot, finished by a run every
// 15 minutes when one run was not enough.

/** Schedules: the daily start and the quarter-hourly continuation, with the event each sends. */
export const EXPORT_SCHEDULES = {
  start: {
    schedule: events.Schedule.cron({ minute: '30', hour: '1' }),
    input: { action: 'start' },
  },
  continue: { schedule: events.Schedule.rate(Duration.minutes(15)), input: { action: 'continue' } },
} as const;

export interface ExportsStackProps extends StackProps {
  table: dynamodb.ITableV2;
  exportsBucket: BucketName;
  alarmTopic: sns.ITopic;
}

export class ExportsStack extends Stack {
  readonly exporter: AtlasFunction;

  constructor(scope: Construct, id: string, props: ExportsStackProps) {
    super(scope, id, props);
    const { table, exportsBucket } = props;

    this.exporter = new AtlasFunction(this, 'Export', {
      entry: 'schedule-export-stats',
      // Lambda's longest run; a run stops 30 s before it and the next one continues.
      timeout: Duration.minutes(15),
      // Peak RSS measured at 377 MB for 100,000 letters; memory also buys CPU, and the export
      // is CPU-bound (Parquet encoding).
      memorySize: 1769,
      // One run at a time: the lease in S3 covers the local stack, this covers AWS.
      reservedConcurrentExecutions: 1,
      environment: {
        TABLE_NAME: table.tableName,
        EXPORTS_BUCKET: exportsBucket.value,
        EXPORT_KEEP: '30',
        EXPORT_CONCURRENCY: '3',
      },
    });
    grantTableRead(this.exporter, table);
    this.exporter.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteSnapshots',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [exportsBucket.arn('*')],
      }),
    );
    this.exporter.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListSnapshots',
        actions: ['s3:ListBucket'],
        resources: [exportsBucket.arn()],
      }),
    );
    acknowledgeWildcards(
      this.exporter.role ?? this.exporter,
      [exportsBucket.nagArn('*')],
      "The exports bucket is this function's own: snapshots, latest.json and the job it keeps.",
    );

    for (const [name, { schedule, input }] of Object.entries(EXPORT_SCHEDULES)) {
      new events.Rule(this, `${name === 'start' ? 'Start' : 'Continue'}Schedule`, {
        description: `Statistics export: ${name}`,
        schedule,
        targets: [
          new targets.LambdaFunction(this.exporter, {
            event: events.RuleTargetInput.fromObject(input),
            // A busy or failed run is picked up by the next continuation anyway.
            retryAttempts: 0,
          }),
        ],
      });
    }

    alarmAbove(this, 'ExportErrorsAlarm', {
      metric: this.exporter.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 2,
      description:
        'Export runs failed three times in an hour: the snapshot is not progressing ' +
        '(latest.json still names the previous one).',
      topic: props.alarmTopic,
    });
  }
}
