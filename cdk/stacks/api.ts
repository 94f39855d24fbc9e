import { Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ENDPOINTS } from '#shared/api/endpoints.ts';
import { LATEST_KEY, SNAPSHOTS_PREFIX } from '#shared/export/snapshots.ts';
import { grantTableRead, type BucketName } from '../constructs/access.ts';
import { ALARM_PERIOD, alarmAbove } from '../constructs/alarms.ts';
import { acknowledgeWildcards } from '../constructs/nag.ts';
import { AtlasFunction } from '../constructs/function.ts';

// The query API: an HTTP API whose routes are the endpoint table (shared/api/endpoints.ts), one
// read-only function per endpoint.

/** Requests per second the stage accepts on average, and in a burst, before answering 429. */
export const THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

export interface ApiStackProps extends StackProps {
  table: dynamodb.ITableV2;
  exportsBucket: BucketName;
  alarmTopic: sns.ITopic;
}

export class ApiStack extends Stack {
  readonly httpApi: apigw.HttpApi;
  /** The API's host name, for CloudFront's origin. */
  readonly apiDomain: string;
  readonly functions: AtlasFunction[] = [];
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { table, exportsBucket } = props;

    // Seals page cursors. CloudFormation resolves the reference at deploy time, so the value is
    // never in a template; the functions read it from their environment like locally.
    const cursorSecret = new secrets.Secret(this, 'CursorSecret', {
      description: 'Key that seals the API page cursors (CURSOR_SECRET)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation would only invalidate the page cursors in flight, and the functions read the ' +
        'value at deploy time; to rotate, put a new value and deploy (docs/DEPLOY.md).',
    });

    // No CORS on purpose: the site reaches the API through its own CloudFront origin (web.ts),
    // so no other origin is allowed to read the answers from a browser.
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'IMR Atlas query API',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            route: '$context.routeKey',
            status: '$context.status',
            bytes: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.apiDomain = Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint));
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'A public, read-only record: every route answers anyone, as the site does.',
    });

    for (const endpoint of ENDPOINTS) {
      const environment: Record<string, string> = {
        TABLE_NAME: table.tableName,
        CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(),
      };
      if (endpoint.fn === 'api-list-exports') environment.EXPORTS_BUCKET = exportsBucket.value;
      const fn = new AtlasFunction(this, endpoint.fn, { entry: endpoint.fn, environment });
      grantTableRead(fn, table);
      if (endpoint.fn === 'api-list-exports') {
        // The published snapshots and latest.json, as CloudFront serves them; not the job.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'ReadPublishedExports',
            actions: ['s3:GetObject'],
            resources: [exportsBucket.arn(`${SNAPSHOTS_PREFIX}*`), exportsBucket.arn(LATEST_KEY)],
          }),
        );
        // Without a condition: S3 decides whether a read of a missing key (latest.json before
        // the first export, a manifest pruned since the listing) is NoSuchKey or AccessDenied by
        // asking whether the caller may list the bucket, with no prefix in that question; an
        // s3:prefix condition never holds then, and the endpoint would answer 500 instead of
        // listing no snapshots. The bucket's key names are the published files and the job's.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'ListSnapshots',
            actions: ['s3:ListBucket'],
            resources: [exportsBucket.arn()],
          }),
        );
        acknowledgeWildcards(
          fn.role ?? fn,
          [exportsBucket.nagArn(`${SNAPSHOTS_PREFIX}*`)],
          'The published snapshot files, all of which the endpoint lists; not the job under jobs/.',
        );
      }
      this.httpApi.addRoutes({
        path: endpoint.path,
        methods: [apigw.HttpMethod.GET],
        integration: new HttpLambdaIntegration(`${endpoint.fn}Integration`, fn),
      });
      this.functions.push(fn);
    }

    alarmAbove(this, 'ServerErrorsAlarm', {
      metric: this.httpApi.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 10,
      description: 'The API answered more than 10 requests with a 5xx in five minutes.',
      topic: props.alarmTopic,
    });
  }
}
