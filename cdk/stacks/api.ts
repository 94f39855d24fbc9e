import { Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ENDPOINTS, type Endpoint, ORIGIN_HEADER } from '../../shared/api/index.ts';
import { LATEST_KEY, SNAPSHOTS_PREFIX } from '../../shared/export/index.ts';
import { grantTableRead, type BucketName } from '../constructs/access.ts';
import { ALARM_PERIOD, alarmAbove } from '../constructs/alarms.ts';
import { acknowledgeWildcards } from '../constructs/nag.ts';
import { AtlasFunction } from '../constructs/function.ts';

// The query API: an HTTP API whose routes are the endpoint table (shared/api/endpoints.ts), one
// read-only function per endpoint.

/** Requests per second the stage accepts on average, and in a burst, before answering 429. */
export const THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;
/**
 * Instances of each endpoint's function at most (reserved concurrency). At ~50 ms a request that
 * is the stage's 200 requests a second for one endpoint; a flood beyond it is throttled (429)
 * instead of taking the account's concurrency from the ingest, which has its own reservation.
 */
export const API_CONCURRENCY = 10;
/** The origin authorizer's instances at most: CloudFront's header is cached, so it runs rarely. */
export const AUTHORIZER_CONCURRENCY = 5;
/** How long API Gateway keeps the authorizer's answer for one header value. */
export const AUTHORIZER_CACHE = Duration.minutes(5);

export interface ApiStackProps extends StackProps {
  table: dynamodb.ITableV2;
  exportsBucket: BucketName;
  alarmTopic: sns.ITopic;
}

export class ApiStack extends Stack {
  readonly httpApi: apigw.HttpApi;
  /** The value CloudFront sends in the origin header (web.ts), and the authorizer expects. */
  readonly originSecret: secrets.Secret;
  /** The API's host name, for CloudFront's origin. */
  readonly apiDomain: string;
  readonly functions: AtlasFunction[] = [];
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { table, exportsBucket } = props;

    // Seals page cursors. Only the functions that page may read it, once per instance at cold
    // start (functions/http/api-gateway.ts): it is in no template and no function's environment.
    const cursorSecret = new secrets.Secret(this, 'CursorSecret', {
      description: 'Key that seals the API page cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation would only invalidate the page cursors in flight; to rotate, put a new value ' +
        'and update the paging functions so new instances read it (docs/DEPLOY.md).',
    });

    // The execute-api address is public and stays on: switching it off needs a custom domain
    // (and certificate) for CloudFront to call instead, which this deployment does not have.
    // So every route requires the origin header CloudFront adds (web.ts), with this secret.
    this.originSecret = new secrets.Secret(this, 'OriginSecret', {
      description: `Value CloudFront sends the API in ${ORIGIN_HEADER}; nothing else has it`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'CloudFront sends it as a fixed origin header, so a rotation means setting the new ' +
        "value on the distribution's API origin too; done by hand when needed (docs/DEPLOY.md).",
    });
    const authorizerFn = new AtlasFunction(this, 'OriginAuthorizer', {
      entry: 'api-authorize-origin',
      memorySize: 256,
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: AUTHORIZER_CONCURRENCY,
      environment: { ORIGIN_SECRET_ARN: this.originSecret.secretArn },
    });
    grantSecretRead(authorizerFn, this.originSecret);
    // A request without the header is refused (401) by API Gateway itself, with no invocation;
    // one with it is answered from the cache for each value it has seen.
    const authorizer = new HttpLambdaAuthorizer('OriginHeader', authorizerFn, {
      authorizerName: 'cloudfront-origin',
      identitySource: [`$request.header.${ORIGIN_HEADER}`],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: AUTHORIZER_CACHE,
    });

    // No CORS on purpose: the site reaches the API through its own CloudFront origin (web.ts),
    // so no other origin is allowed to read the answers from a browser.
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'IMR Atlas query API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
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

    for (const endpoint of ENDPOINTS as readonly Endpoint[]) {
      const environment: Record<string, string> = { TABLE_NAME: table.tableName };
      if (endpoint.pages === true) environment.CURSOR_SECRET_ARN = cursorSecret.secretArn;
      if (endpoint.fn === 'api-list-exports') environment.EXPORTS_BUCKET = exportsBucket.value;
      const fn = new AtlasFunction(this, endpoint.fn, {
        entry: endpoint.fn,
        environment,
        reservedConcurrentExecutions: API_CONCURRENCY,
      });
      if (endpoint.pages === true) grantSecretRead(fn, cursorSecret);
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

// GetSecretValue of the one secret: not grantRead's DescribeSecret too, which the code never calls.
function grantSecretRead(fn: AtlasFunction, secret: secrets.ISecret): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadSecret',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretArn],
    }),
  );
}
