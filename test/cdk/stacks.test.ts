import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CACHE, ENDPOINTS, endpoint } from '../../shared/api/endpoints.ts';
import { PARSE_LIMITS } from '../../shared/parser/limits.ts';
import { GSI1 } from '../../shared/store/table.ts';
import { buildAtlas } from '../../cdk/atlas.ts';
import { bundleSizes } from '../../cdk/bundle-sizes.ts';
import { OCR_RUNTIME_FILES } from '../../cdk/bundling/esbuild.ts';
import {
  EXPORTS_REWRITE_CODE,
  siteRewriteCode,
  siteStatusCode,
} from '../../cdk/constructs/edge-functions.ts';
import {
  API_CONCURRENCY,
  AUTHORIZER_CACHE,
  AUTHORIZER_CONCURRENCY,
  THROTTLE,
} from '../../cdk/stacks/api.ts';
import { RATE_LIMITS, RATE_WINDOW_SECONDS, webAclParameterName } from '../../cdk/stacks/edge.ts';
import { ORIGIN_HEADER } from '../../shared/api/origin.ts';
import {
  BATCH_SIZE,
  INGEST_TIMEOUT,
  MAX_CONCURRENCY,
  MAX_RECEIVE_COUNT,
} from '../../cdk/stacks/ingest.ts';
import { sharedMaxAge } from '../../cdk/stacks/web.ts';
import { ORGANISATIONS, STUB_INLINE_SCRIPT, synthesise, type Synthesised } from './synth.ts';

// The whole app synthesised offline, twice (dev and prod), with cdk-nag's AwsSolutions checks:
// synthesis itself fails on any unacknowledged finding. Bundling runs once per process.

let dev: Synthesised;
let prod: Synthesised;
/** Prod repointed at a table restored from a point-in-time backup (docs/DEPLOY.md "Restore"). */
let restored: Synthesised;
const RESTORED_TABLE = 'imr-atlas-prod-restored-20261203';

beforeAll(() => {
  dev = synthesise({ stage: 'dev', organisations: ORGANISATIONS });
  prod = synthesise({ stage: 'prod', organisations: ORGANISATIONS, alarmEmail: 'ops@example.org' });
  restored = synthesise({
    stage: 'prod',
    organisations: ORGANISATIONS,
    tableName: RESTORED_TABLE,
  });
}, 300_000);

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};
const resources = (t: Template, type: string) => Object.values(t.findResources(type)) as Resource[];
const policiesOf = (t: Template) => [
  ...resources(t, 'AWS::IAM::Policy').map((p) => p.Properties.PolicyDocument),
  ...resources(t, 'AWS::IAM::Role').flatMap((r) =>
    ((r.Properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
      (p) => p.PolicyDocument,
    ),
  ),
];
type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};
const statementsOf = (doc: unknown) => (doc as { Statement: Statement[] }).Statement;
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const text = (v: unknown) => JSON.stringify(v);
const AUTHORIZER = 'functions/api-authorize-origin.ts';

/** The API functions (by construct id) whose role may read the secret whose logical id matches. */
function secretReaders(secret: RegExp): string[] {
  return resources(dev.templates.api, 'AWS::IAM::Policy')
    .filter((p) =>
      statementsOf(p.Properties.PolicyDocument).some(
        (st) =>
          actions(st).includes('secretsmanager:GetSecretValue') &&
          secret.test(String((st.Resource as { Ref?: string }).Ref)),
      ),
    )
    .map((p) =>
      String((p.Properties.Roles as { Ref: string }[])[0]!.Ref).replace(
        /RoleDefault.*|Role[0-9A-F]{8}$/,
        '',
      ),
    );
}

describe('storage', () => {
  it('has an on-demand table of the shared shape with point-in-time recovery', () => {
    for (const { templates } of [dev, prod]) {
      templates.storage.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: GSI1.name,
            KeySchema: [
              { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
              { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ],
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      });
    }
  });

  it('protects and retains the table in prod only', () => {
    const table = (s: Synthesised) =>
      resources(s.templates.storage, 'AWS::DynamoDB::GlobalTable')[0]!;
    const protectedIn = (s: Synthesised) =>
      text(table(s).Properties.Replicas).includes('"DeletionProtectionEnabled":true');
    expect(protectedIn(prod)).toBe(true);
    expect(protectedIn(dev)).toBe(false);
    prod.templates.storage.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    dev.templates.storage.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    prod.templates.storage.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      { BucketName: Match.anyValue() },
      1,
    );
    prod.templates.web.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      { BucketName: Match.anyValue() },
      1,
    );
    for (const b of Object.values(prod.templates.storage.findResources('AWS::S3::Bucket'))) {
      expect(b.DeletionPolicy).toBe('Retain');
    }
    prod.templates.web.hasResource('AWS::S3::Bucket', {
      Properties: { BucketName: Match.anyValue() },
      DeletionPolicy: 'Retain',
    });
    dev.templates.web.hasResource('AWS::S3::Bucket', {
      Properties: { BucketName: Match.anyValue() },
      DeletionPolicy: 'Delete',
    });
  });

  it('refuses to synthesise without a stage, naming what each one keeps', () => {
    const app = new App({ context: { organisations: ORGANISATIONS } });
    expect(() => synthesiseInto(app)).toThrow(/context\.stage: say which stage .*-c stage=prod/);
  });

  it('repoints every stack at a restored table named by context, leaving the old one', () => {
    const { templates } = restored;
    // The storage stack no longer holds a table (its own, retained in prod, leaves the stack).
    templates.storage.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    templates.storage.resourceCountIs('AWS::DynamoDB::Table', 0);
    const consumers = [templates.ingest, templates.api, templates.exports];
    let functions = 0;
    for (const t of consumers) {
      for (const f of resources(t, 'AWS::Lambda::Function')) {
        if (!String(f.Properties.Description ?? '').startsWith('functions/')) continue;
        const env = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        if (f.Properties.Description === 'functions/api-authorize-origin.ts') continue;
        expect(env.TABLE_NAME, String(f.Properties.Description)).toBe(RESTORED_TABLE);
        functions++;
      }
      // Nothing of the storage stack's table is imported any more.
      expect(text(t.toJSON())).not.toMatch(/ImportValue[^}]*Table/);
      const tableGrants = policiesOf(t)
        .flatMap(statementsOf)
        .filter((st) => st.Sid === 'ReadTable' || st.Sid === 'WriteTable');
      expect(tableGrants.length).toBeGreaterThan(0);
      for (const st of tableGrants) {
        expect(text(st.Resource)).toContain(`:table/${RESTORED_TABLE}`);
      }
    }
    expect(functions).toBe(ENDPOINTS.length + 4);
    // The same grants as on the stack's own table: the index, never Scan.
    const ingestRead = policiesOf(templates.ingest)
      .flatMap(statementsOf)
      .find((st) => st.Sid === 'ReadTable')!;
    expect(text(ingestRead.Resource)).toContain(`:table/${RESTORED_TABLE}/index/${GSI1.name}`);
    expect(actions(ingestRead)).not.toContain('dynamodb:Scan');
    // Without the context, prod runs on its own table, imported from the storage stack.
    expect(text(prod.templates.api.toJSON())).toMatch(/ImportValue[^}]*Table/);
  });

  it('keeps every bucket private, encrypted and TLS-only', () => {
    for (const t of [dev.templates.storage, dev.templates.web]) {
      const buckets = t.findResources('AWS::S3::Bucket');
      expect(Object.keys(buckets).length).toBeGreaterThanOrEqual(2);
      for (const [id, b] of Object.entries(buckets)) {
        expect(b.Properties.PublicAccessBlockConfiguration, id).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(text(b.Properties.BucketEncryption), id).toContain('AES256');
        const policy = resources(t, 'AWS::S3::BucketPolicy').find(
          (p) => text(p.Properties.Bucket) === text({ Ref: id }),
        );
        expect(policy, `${id} has a policy`).toBeDefined();
        expect(statementsOf(policy!.Properties.PolicyDocument)).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    }
  });

  it('versions the upload bucket and expires quarantined (failed) letters by tag', () => {
    dev.templates.storage.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            TagFilters: [{ Key: 'imr-status', Value: 'failed' }],
            ExpirationInDays: 90,
            Status: 'Enabled',
          }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      },
    });
  });

  it('aborts incomplete multipart uploads in the exports bucket after a day', () => {
    dev.templates.web.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('-exports-')])],
      }),
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
      },
    });
  });

  it('lets this distribution, and no other, read only the published exports', () => {
    const policies = resources(dev.templates.web, 'AWS::S3::BucketPolicy');
    const statement = policies
      .flatMap((p) => statementsOf(p.Properties.PolicyDocument))
      .find((s) => s.Sid === 'CloudFrontReadsPublishedExports');
    expect(statement).toBeDefined();
    expect(statement!.Action).toBe('s3:GetObject');
    const keys = text(statement!.Resource);
    expect(keys).toContain('/snapshots/*');
    expect(keys).toContain('/latest.json');
    expect(keys).not.toContain('jobs');
    // This distribution's ARN exactly: not distribution/* (any distribution of the account).
    expect(statement!.Condition).toEqual({
      StringEquals: {
        'AWS:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cloudfront::',
              { Ref: 'AWS::AccountId' },
              ':distribution/',
              { Ref: expect.stringMatching(/^Distribution/) },
            ],
          ],
        },
      },
    });
    // Nothing else of the exports bucket is granted to CloudFront (CDK adds no /* grant).
    const exportsPolicy = policies.find((p) => text(p.Properties).includes('Published'))!;
    for (const st of statementsOf(exportsPolicy.Properties.PolicyDocument)) {
      if (text(st).includes('cloudfront.amazonaws.com')) expect(st).toBe(statement);
    }
    // The export schedule is deployed once the bucket it writes to exists.
    expect(dev.atlas.exports.dependencies).toContain(dev.atlas.web);
  });
});

describe('organisations', () => {
  const orgPolicy = (s: Synthesised, org: string) => {
    const role = resources(s.templates.storage, 'AWS::IAM::Role').find((r) =>
      String(text(r.Properties.RoleName)).includes(`-org-${org}`),
    );
    expect(role, org).toBeDefined();
    return {
      role: role!,
      statements: statementsOf(
        (role!.Properties.Policies as { PolicyDocument: unknown }[])[0]!.PolicyDocument,
      ),
    };
  };

  it('gives each organisation PutObject in its uploads, and reads of its receipts only', () => {
    for (const org of ORGANISATIONS) {
      const { statements } = orgPolicy(dev, org.id);
      expect(statements.map((s) => [s.Sid, actions(s)])).toEqual([
        ['UploadLetters', ['s3:PutObject']],
        ['ReadReceipts', ['s3:GetObject']],
        ['ListReceipts', ['s3:ListBucket']],
      ]);
      expect(text(statements[0]!.Resource)).toMatch(
        new RegExp(`/uploads/${org.id}/\\*"\\]\\]\\}$`),
      );
      expect(text(statements[1]!.Resource)).toMatch(
        new RegExp(`/receipts/${org.id}/\\*"\\]\\]\\}$`),
      );
      expect(statements[2]!.Condition).toEqual({
        StringLike: { 's3:prefix': [`receipts/${org.id}/`, `receipts/${org.id}/*`] },
      });
      const all = text(statements);
      expect(all).not.toMatch(/Delete|GetObject\*|s3:\*/);
    }
  });

  it("never names another organisation's folder", () => {
    const [a, b] = ORGANISATIONS;
    expect(text(orgPolicy(dev, a!.id).statements)).not.toContain(b!.id);
    expect(text(orgPolicy(dev, b!.id).statements)).not.toContain(a!.id);
  });

  it('trusts the configured principal, with the external id when one is set', () => {
    const { role } = orgPolicy(dev, 'beta-admin');
    expect(statementsOf(role.Properties.AssumeRolePolicyDocument)[0]).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::210987654321:role/uploader' },
      Condition: { StringEquals: { 'sts:ExternalId': 'x-42' } },
    });
    // An account is trusted only with its external id (cdk/config.ts refuses one without).
    const account = orgPolicy(dev, 'acme-claims').role;
    expect(statementsOf(account.Properties.AssumeRolePolicyDocument)[0]).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Condition: { StringEquals: { 'sts:ExternalId': 'acme-7f3c' } },
    });
  });

  it('refuses an organisation trusted by account without an external id', () => {
    const app = new App({
      context: {
        stage: 'prod',
        organisations: [{ id: 'acme', principal: 'arn:aws:iam::123456789012:root' }],
      },
    });
    expect(() => synthesiseInto(app)).toThrow(/organisations\.0\.externalId: required/);
  });

  it('refuses a bad organisation list with a clear message', () => {
    const app = new App({
      context: { stage: 'dev', organisations: [{ id: 'acme/../x', principal: 'me' }] },
    });
    expect(() => synthesiseInto(app)).toThrow(
      /invalid deployment settings in cdk\.json or -c: context\.organisations\.0\.id: .*context\.organisations\.0\.principal/,
    );
    const dup = new App({
      context: { stage: 'dev', organisations: [ORGANISATIONS[0], ORGANISATIONS[0]] },
    });
    expect(() => synthesiseInto(dup)).toThrow(/ids must be unique/);
  });
});

// The context is validated before anything is built, so no site is needed to see it refused.
function synthesiseInto(app: App) {
  return buildAtlas(app, { siteDir: '/nonexistent' });
}

describe('ingest', () => {
  it('sends object-created events under uploads/ to the queue', () => {
    dev.templates.ingest.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
            QueueArn: Match.anyValue(),
          },
        ],
      },
    });
  });

  it('redrives to a dead-letter queue and holds messages six function timeouts', () => {
    dev.templates.ingest.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: INGEST_TIMEOUT.toSeconds() * 6,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: MAX_RECEIVE_COUNT },
      SqsManagedSseEnabled: true,
    });
    expect(MAX_RECEIVE_COUNT).toBe(5);
  });

  it('reports partial batch failures with bounded concurrency', () => {
    dev.templates.ingest.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: MAX_CONCURRENCY },
    });
    expect([BATCH_SIZE, MAX_CONCURRENCY]).toEqual([10, 10]);
  });

  it('gives the ingest a full vCPU and the time to read a batch of scans by OCR', () => {
    dev.templates.ingest.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'functions/s3-ingest-letter.ts',
      MemorySize: 1769,
      Timeout: INGEST_TIMEOUT.toSeconds(),
    });
    expect(INGEST_TIMEOUT.toSeconds()).toBeLessThanOrEqual(900);
    expect(INGEST_TIMEOUT.toSeconds()).toBeGreaterThanOrEqual(
      (BATCH_SIZE * PARSE_LIMITS.scan.wallMs) / 1000,
    );
  });

  it('alarms on dead letters and function errors', () => {
    const alarms = resources(dev.templates.ingest, 'AWS::CloudWatch::Alarm');
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Properties: expect.objectContaining({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Namespace: 'AWS/SQS',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: [expect.anything()],
        }),
      }),
    );
    expect(alarms.filter((a) => a.Properties.MetricName === 'Errors').length).toBe(3);
  });

  it('lets the ingest leave its job to the running applier instead of waiting, billed', () => {
    const ingest = resources(dev.templates.ingest, 'AWS::Lambda::Function').find(
      (f) => f.Properties.Description === 'functions/s3-ingest-letter.ts',
    )!;
    expect(
      (ingest.Properties.Environment as { Variables: Record<string, unknown> }).Variables
        .APPLY_QUEUE_WAIT_MS,
    ).toBe('0');
  });

  it('applies every minute the index entries and counters no writer applied', () => {
    const sweep = resources(dev.templates.ingest, 'AWS::Lambda::Function').find(
      (f) => f.Properties.Description === 'functions/schedule-apply-queued.ts',
    );
    expect(sweep).toBeDefined();
    const rules = resources(dev.templates.ingest, 'AWS::Events::Rule').filter(
      (r) => r.Properties.ScheduleExpression === 'rate(1 minute)',
    );
    expect(rules).toHaveLength(1);
    expect(text(rules[0]!.Properties.Targets)).toContain('ApplyQueued');
    // Its failures (a lane not drained for 5 minutes) alarm once more than two in five minutes.
    const alarm = resources(dev.templates.ingest, 'AWS::CloudWatch::Alarm').find((a) =>
      text(a.Properties.AlarmDescription).includes('queued index entries and counters'),
    );
    expect(alarm?.Properties).toMatchObject({ MetricName: 'Errors', Threshold: 2 });
  });

  it('gives the ingest exactly the access the code uses', () => {
    const ingest = policiesOf(dev.templates.ingest)
      .map(statementsOf)
      .find((s) => s.some((x) => x.Sid === 'ReadAndTagLetters'))!;
    const bySid = Object.fromEntries(ingest.map((s) => [s.Sid, s]));
    expect(actions(bySid.ReadAndTagLetters!)).toEqual(['s3:GetObject', 's3:PutObjectTagging']);
    expect(text(bySid.ReadAndTagLetters!.Resource)).toContain('/uploads/*');
    expect(actions(bySid.KnowMissingLetters!)).toEqual(['s3:ListBucket']);
    expect(text(bySid.WriteReceipts!.Resource)).toContain('/receipts/*');
    expect(actions(bySid.WriteTable!)).toContain('dynamodb:ConditionCheckItem');
    expect(text(bySid.ReadTable!.Resource)).toContain(`/index/${GSI1.name}`);
  });

  it('rolls up receipts daily at 00:15 UTC with queries of GSI1 only', () => {
    dev.templates.ingest.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 0 * * ? *)',
    });
    const rollup = policiesOf(dev.templates.ingest)
      .map(statementsOf)
      .find((s) => s.some((x) => x.Sid === 'QueryUploadsByOrganisation'))!;
    const query = rollup.find((s) => s.Sid === 'QueryUploadsByOrganisation')!;
    expect(query.Action).toBe('dynamodb:Query');
    expect(text(query.Resource)).toContain(`/index/${GSI1.name}`);
    expect(text(rollup.find((s) => s.Sid === 'WriteDailyRollups')!.Resource)).toContain(
      '/receipts/*/daily/*',
    );
  });
});

describe('api', () => {
  it('has exactly the routes of the endpoint table, each to its own function', () => {
    const routes = resources(dev.templates.api, 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual(ENDPOINTS.map((e) => `GET ${e.path}`).sort());
    const descriptions = resources(dev.templates.api, 'AWS::Lambda::Function').map(
      (f) => f.Properties.Description,
    );
    expect(descriptions.sort()).toEqual(
      [...ENDPOINTS.map((e) => `functions/${e.fn}.ts`), AUTHORIZER].sort(),
    );
  });

  it('serves the feed as every other route: its own function, behind the origin authorizer, reading only', () => {
    const route = resources(dev.templates.api, 'AWS::ApiGatewayV2::Route').find(
      (r) => r.Properties.RouteKey === 'GET /api/feed.atom',
    );
    expect(route?.Properties).toMatchObject({
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: expect.stringMatching(/^HttpApiOriginHeader/) },
    });
    const fn = resources(dev.templates.api, 'AWS::Lambda::Function').find(
      (f) => f.Properties.Description === 'functions/api-get-feed.ts',
    );
    expect(fn?.Properties.ReservedConcurrentExecutions).toBe(API_CONCURRENCY);
    // It never pages, so it is given no cursor secret.
    expect(
      Object.keys((fn?.Properties.Environment as { Variables: object }).Variables).sort(),
    ).toEqual(['NODE_OPTIONS', 'TABLE_NAME']);
    // CloudFront keeps it no longer than it says (the API cache obeys the origin's header).
    expect(endpoint('api-get-feed').cacheControl).toBe(endpoint('api-list-items').cacheControl);
  });

  it('grants the API functions reads only, and never Scan', () => {
    const docs = policiesOf(dev.templates.api);
    expect(docs.length).toBe(ENDPOINTS.length + 1);
    for (const doc of docs) {
      const all = statementsOf(doc).flatMap(actions);
      for (const a of all)
        expect(a).toMatch(
          /^(dynamodb:(GetItem|BatchGetItem|Query)|s3:(GetObject|ListBucket)|logs:(CreateLogStream|PutLogEvents)|secretsmanager:GetSecretValue)$/,
        );
    }
  });

  it('caps every API function and the authorizer, and sets the ingest its own instances', () => {
    const functions = resources(dev.templates.api, 'AWS::Lambda::Function');
    for (const f of functions) {
      const want =
        f.Properties.Description === AUTHORIZER ? AUTHORIZER_CONCURRENCY : API_CONCURRENCY;
      expect(f.Properties.ReservedConcurrentExecutions, String(f.Properties.Description)).toBe(
        want,
      );
    }
    const ingest = resources(dev.templates.ingest, 'AWS::Lambda::Function').find(
      (f) => f.Properties.Description === 'functions/s3-ingest-letter.ts',
    )!;
    // As many as the queue's poller may run, so it is never throttled by its own reservation.
    expect(ingest.Properties.ReservedConcurrentExecutions).toBe(MAX_CONCURRENCY);
    // Lambda keeps 100 of an account's (default 1,000) unreserved: what this app sets aside.
    const reserved = Object.values(dev.templates)
      .flatMap((t) => resources(t, 'AWS::Lambda::Function'))
      .reduce((n, f) => n + ((f.Properties.ReservedConcurrentExecutions as number) ?? 0), 0);
    expect(reserved).toBe(ENDPOINTS.length * API_CONCURRENCY + AUTHORIZER_CONCURRENCY + 10 + 1);
    expect(reserved).toBeLessThanOrEqual(900);
  });

  it('answers only requests carrying the origin header CloudFront sends', () => {
    dev.templates.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: [`$request.header.${ORIGIN_HEADER}`],
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE.toSeconds(),
    });
    const routes = resources(dev.templates.api, 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBe(ENDPOINTS.length);
    for (const r of routes) {
      expect(r.Properties, String(r.Properties.RouteKey)).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: expect.stringMatching(/^HttpApiOriginHeader/) },
      });
    }
    // The authorizer reads the origin secret, and only it.
    const authorizer = resources(dev.templates.api, 'AWS::Lambda::Function').find(
      (f) => f.Properties.Description === AUTHORIZER,
    )!;
    expect(authorizer.Properties.Environment).toEqual({
      Variables: {
        NODE_OPTIONS: '--enable-source-maps',
        ORIGIN_SECRET_ARN: { Ref: expect.stringMatching(/^OriginSecret/) },
      },
    });
    const readers = secretReaders(/^OriginSecret/);
    expect(readers).toEqual(['OriginAuthorizer']);
    // CloudFront sends it on the API origin, as a dynamic reference to the same secret.
    const origin = (
      resources(dev.templates.web, 'AWS::CloudFront::Distribution')[0]!.Properties
        .DistributionConfig as { Origins: Record<string, unknown>[] }
    ).Origins.find((o) => o.CustomOriginConfig !== undefined)!;
    expect(origin.OriginCustomHeaders).toEqual([
      {
        HeaderName: ORIGIN_HEADER,
        HeaderValue: {
          'Fn::Join': [
            '',
            [
              '{{resolve:secretsmanager:',
              { 'Fn::ImportValue': expect.stringMatching(/:ExportsOutputRefOriginSecret/) },
              ':SecretString:::}}',
            ],
          ],
        },
      },
    ]);
  });

  it('throttles the stage and writes access logs', () => {
    dev.templates.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: THROTTLE.rateLimit,
        ThrottlingBurstLimit: THROTTLE.burstLimit,
      },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('names the cursor secret to the functions that page, which alone may read it', () => {
    const paging = ENDPOINTS.filter((e) => 'pages' in e && e.pages).map((e) => e.fn);
    expect(paging.sort()).toEqual(['api-list-determinations', 'api-list-items']);
    for (const f of resources(dev.templates.api, 'AWS::Lambda::Function')) {
      const env = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      // Never the value: not in an environment, not as a dynamic reference.
      expect(text(env)).not.toMatch(/CURSOR_SECRET"|resolve:secretsmanager/);
      const pages = paging.some((fn) => f.Properties.Description === `functions/${fn}.ts`);
      expect(env.CURSOR_SECRET_ARN, String(f.Properties.Description)).toEqual(
        pages ? { Ref: expect.stringMatching(/^CursorSecret/) } : undefined,
      );
    }
    expect(secretReaders(/^CursorSecret/).sort()).toEqual(
      paging.map((fn) => fn.replaceAll('-', '')).sort(),
    );
    dev.templates.api.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('lets list-exports tell a missing latest.json from a refusal (an unconditional ListBucket)', () => {
    const doc = policiesOf(dev.templates.api)
      .map(statementsOf)
      .find((st) => st.some((x) => x.Sid === 'ReadPublishedExports'))!;
    const list = doc.find((x) => x.Sid === 'ListSnapshots')!;
    expect(actions(list)).toEqual(['s3:ListBucket']);
    // With an s3:prefix condition S3 answers a read of a missing key with AccessDenied (500).
    expect(list.Condition).toBeUndefined();
    expect(text(list.Resource)).toContain(':s3:::imr-atlas-dev-exports-');
    expect(text(list.Resource)).toMatch(/\{"Ref":"AWS::Region"\}\]\]\}$/);
  });

  // The site calls the API on its own origin (CloudFront /api/*): no other origin may read it.
  it('allows no cross-origin reads, and changes nothing outside CloudFormation', () => {
    for (const t of Object.values(dev.templates)) {
      expect(text(t.toJSON())).not.toMatch(/CorsConfiguration|AllowOrigins|UpdateApi/);
      // The one SDK call of the app: the web stack reading the web ACL's ARN (a read).
      for (const call of resources(t, 'Custom::AWS')) {
        for (const phase of ['Create', 'Update'] as const) {
          expect(JSON.parse(call.Properties[phase] as string)).toMatchObject({
            service: 'SSM',
            action: 'getParameter',
          });
        }
        expect(call.Properties.Delete).toBeUndefined();
      }
    }
    dev.templates.web.resourceCountIs('Custom::AWS', 1);
    const routes = resources(dev.templates.api, 'AWS::ApiGatewayV2::Route');
    expect(routes.filter((r) => String(r.Properties.RouteKey).startsWith('OPTIONS'))).toEqual([]);
    expect(ENDPOINTS.every((e) => e.path.startsWith('/api/'))).toBe(true);
  });
});

describe('web', () => {
  const distribution = () =>
    resources(dev.templates.web, 'AWS::CloudFront::Distribution')[0]!.Properties
      .DistributionConfig as Record<string, unknown> & {
      CacheBehaviors: {
        PathPattern: string;
        CachePolicyId: unknown;
        OriginRequestPolicyId?: unknown;
        FunctionAssociations?: unknown;
      }[];
      DefaultCacheBehavior: Record<string, unknown>;
      Origins: Record<string, unknown>[];
    };

  it('serves the site bucket through origin access control, with no custom error pages', () => {
    const d = distribution();
    expect(d.CustomErrorResponses).toBeUndefined();
    expect(d.DefaultRootObject).toBe('index.html');
    const s3Origins = d.Origins.filter((o) => o.S3OriginConfig !== undefined);
    expect(s3Origins.length).toBe(2);
    for (const o of s3Origins) expect(o.OriginAccessControlId).toBeDefined();
    dev.templates.web.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2);
  });

  it('routes /api/* to the HTTP API with the query string and without the Host header', () => {
    const api = distribution().CacheBehaviors.find((b) => b.PathPattern === '/api/*')!;
    expect(api).toBeDefined();
    // The managed AllViewerExceptHostHeader policy.
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    dev.templates.web.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          QueryStringsConfig: { QueryStringBehavior: 'all' },
          HeadersConfig: { HeaderBehavior: 'none' },
        }),
      }),
    });
  });

  it('caches each endpoint as long as its Cache-Control says: statistics minutes, lookups briefly', () => {
    const policy = resources(dev.templates.web, 'AWS::CloudFront::CachePolicy').find((p) =>
      text(p.Properties).includes('IMR Atlas API'),
    )!;
    const { MinTTL, DefaultTTL, MaxTTL } = policy.Properties.CachePolicyConfig as Record<
      string,
      number
    >;
    for (const e of ENDPOINTS) {
      const age = sharedMaxAge(e.cacheControl);
      if (age === null) {
        expect(e.cacheControl).toBe(CACHE.none);
        expect(DefaultTTL).toBe(0);
        continue;
      }
      expect(age, e.path).toBeGreaterThanOrEqual(MinTTL!);
      expect(age, e.path).toBeLessThanOrEqual(MaxTTL!);
    }
    // A letter reaches the public statistics within 60 s of its receipt: cached plus stale.
    const stale = Number(/stale-while-revalidate=(\d+)/.exec(CACHE.statistics)?.[1] ?? 0);
    expect(sharedMaxAge(CACHE.statistics)! + stale).toBeLessThanOrEqual(60);
    expect(Number(/(?:^|\s)max-age=(\d+)/.exec(CACHE.statistics)?.[1]) + stale).toBeLessThanOrEqual(
      60,
    );
    expect(ENDPOINTS.find((e) => e.path === '/api/stats')!.cacheControl).toBe(CACHE.statistics);
    expect(ENDPOINTS.find((e) => e.path === '/api/determinations/{caseNumber}')!.cacheControl).toBe(
      CACHE.lookup,
    );
  });

  it('attaches the clean-URL function to the default behaviour and the exports filter to /exports/*', () => {
    const fns = resources(dev.templates.web, 'AWS::CloudFront::Function');
    // The stub site's files (test/cdk/synth.ts), its immutable assets aside.
    const files = ['/404.html', '/_app/version.json', '/index.html'];
    expect(fns.map((f) => f.Properties.FunctionCode).sort()).toEqual(
      [siteRewriteCode(files), siteStatusCode(files), EXPORTS_REWRITE_CODE].sort(),
    );
    for (const f of fns) {
      expect((f.Properties.FunctionConfig as { Runtime: string }).Runtime).toBe(
        'cloudfront-js-2.0',
      );
    }
    const d = distribution();
    expect(text(d.DefaultCacheBehavior.FunctionAssociations)).toContain('viewer-request');
    const exports = d.CacheBehaviors.find((b) => b.PathPattern === '/exports/*')!;
    expect(text(exports.FunctionAssociations)).toContain('viewer-request');
    const immutable = d.CacheBehaviors.find((b) => b.PathPattern === '/_app/immutable/*');
    expect(immutable).toBeDefined();
  });

  it('answers an unknown site path 404 with the designed page, and leaves the API alone', () => {
    const d = distribution();
    const logicalIdOf = (code: string) =>
      Object.entries(dev.templates.web.findResources('AWS::CloudFront::Function')).find(
        ([, f]) => (f as { Properties: { FunctionCode: string } }).Properties.FunctionCode === code,
      )![0];
    const files = ['/404.html', '/_app/version.json', '/index.html'];
    expect(d.DefaultCacheBehavior.FunctionAssociations).toEqual([
      {
        EventType: 'viewer-request',
        FunctionARN: { 'Fn::GetAtt': [logicalIdOf(siteRewriteCode(files)), 'FunctionARN'] },
      },
      {
        EventType: 'viewer-response',
        FunctionARN: { 'Fn::GetAtt': [logicalIdOf(siteStatusCode(files)), 'FunctionARN'] },
      },
    ]);
    // No distribution-wide error pages, and no function on the API: its 404s stay its own JSON.
    expect(d.CustomErrorResponses).toBeUndefined();
    const api = d.CacheBehaviors.find((b) => b.PathPattern === '/api/*')!;
    expect(api.FunctionAssociations).toBeUndefined();
  });

  it('sends CSP, HSTS and no-framing headers', () => {
    const policies = resources(dev.templates.web, 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(policies.length).toBe(2);
    for (const p of policies) {
      const h = (
        p.Properties.ResponseHeadersPolicyConfig as {
          SecurityHeadersConfig: Record<string, Record<string, unknown>>;
        }
      ).SecurityHeadersConfig;
      const csp = h.ContentSecurityPolicy!.ContentSecurityPolicy as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      // The stub page's one executable inline script, and not its JSON data block.
      const hash = createHash('sha256').update(STUB_INLINE_SCRIPT).digest('base64');
      expect(csp).toContain(`script-src 'self' 'sha256-${hash}';`);
      expect(h.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
      expect(h.StrictTransportSecurity!.AccessControlMaxAgeSec as number).toBeGreaterThanOrEqual(
        31_536_000,
      );
      expect(h.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
      expect(h.ContentTypeOptions).toMatchObject({ Override: true });
      expect(h.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'strict-origin-when-cross-origin' });
    }
  });

  it('puts a web ACL with per-IP rate rules in us-east-1, and on the distribution', () => {
    expect(dev.atlas.edge.region).toBe('us-east-1');
    const acl = resources(dev.templates.edge, 'AWS::WAFv2::WebACL');
    expect(acl.length).toBe(1);
    expect(acl[0]!.Properties).toMatchObject({
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
    });
    const rules = acl[0]!.Properties.Rules as {
      Name: string;
      Action: unknown;
      Statement: { RateBasedStatement: Record<string, unknown> };
    }[];
    expect(rules.map((r) => r.Name)).toEqual(['api-per-ip', 'all-per-ip']);
    for (const r of rules) {
      expect(r.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
      expect(r.Statement.RateBasedStatement).toMatchObject({
        AggregateKeyType: 'IP',
        EvaluationWindowSec: RATE_WINDOW_SECONDS,
      });
    }
    expect(rules[0]!.Statement.RateBasedStatement).toMatchObject({
      Limit: RATE_LIMITS.api,
      ScopeDownStatement: {
        ByteMatchStatement: {
          FieldToMatch: { UriPath: {} },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: '/api/',
        },
      },
    });
    expect(rules[1]!.Statement.RateBasedStatement.Limit).toBe(RATE_LIMITS.all);
    // Its ARN goes through a parameter in us-east-1, read by the web stack in its own region.
    dev.templates.edge.hasResourceProperties('AWS::SSM::Parameter', {
      Name: webAclParameterName('dev'),
      Value: { 'Fn::GetAtt': ['WebAcl', 'Arn'] },
    });
    const reader = Object.entries(dev.templates.web.findResources('Custom::AWS'))[0]!;
    expect(JSON.parse(reader[1].Properties.Create as string)).toMatchObject({
      parameters: { Name: webAclParameterName('dev') },
      region: 'us-east-1',
    });
    expect(distribution().WebACLId).toEqual({ 'Fn::GetAtt': [reader[0], 'Parameter.Value'] });
    const readPolicy = policiesOf(dev.templates.web)
      .flatMap(statementsOf)
      .find((st) => actions(st).includes('ssm:GetParameter'))!;
    expect(text(readPolicy.Resource)).toContain(
      `:ssm:us-east-1:",{"Ref":"AWS::AccountId"},":parameter${webAclParameterName('dev')}"`,
    );
    expect(dev.atlas.web.dependencies).toContain(dev.atlas.edge);
    prod.templates.edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'imr-atlas-prod-cloudfront',
    });
  });

  it('publishes the site directory and logs requests', () => {
    dev.templates.web.resourceCountIs('Custom::CDKBucketDeployment', 1);
    expect(distribution().Logging).toMatchObject({ Prefix: 'cloudfront/' });
    dev.templates.web.hasOutput('SiteUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }]] },
    });
  });
});

describe('exports', () => {
  it('runs one export at a time for up to 15 minutes', () => {
    dev.templates.exports.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Timeout: 900,
      MemorySize: Match.anyValue(),
      Environment: {
        Variables: Match.objectLike({
          EXPORTS_BUCKET: Match.anyValue(),
          TABLE_NAME: Match.anyValue(),
          EXPORT_KEEP: '30',
          EXPORT_CONCURRENCY: '3',
        }),
      },
    });
    const fn = resources(dev.templates.exports, 'AWS::Lambda::Function')[0]!;
    expect(fn.Properties.MemorySize as number).toBeGreaterThanOrEqual(1024);
  });

  it('starts daily and continues every 15 minutes, with the events the handler reads', () => {
    const rules = resources(dev.templates.exports, 'AWS::Events::Rule').map((r) => ({
      schedule: r.Properties.ScheduleExpression,
      input: JSON.parse((r.Properties.Targets as { Input: string }[])[0]!.Input) as unknown,
    }));
    expect(rules).toContainEqual({ schedule: 'cron(30 1 * * ? *)', input: { action: 'start' } });
    expect(rules).toContainEqual({ schedule: 'rate(15 minutes)', input: { action: 'continue' } });
  });
});

describe('every function', () => {
  const all = () =>
    Object.values(dev.templates).flatMap((t) =>
      resources(t, 'AWS::Lambda::Function').filter((f) =>
        String(f.Properties.Description ?? '').startsWith('functions/'),
      ),
    );

  it('runs Node 22 on arm64 with source maps and a log group with retention', () => {
    expect(all().length).toBe(ENDPOINTS.length + 5);
    for (const f of all()) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }),
        },
        LoggingConfig: { LogGroup: expect.anything() },
      });
    }
    for (const t of Object.values(dev.templates)) {
      for (const g of resources(t, 'AWS::Logs::LogGroup')) {
        expect(g.Properties.RetentionInDays).toBeGreaterThan(0);
      }
    }
  });

  it('is bundled as minified ESM with a source map, under its size limit', () => {
    const sizes = bundleSizes(dev.outdir);
    expect(sizes.map((s) => s.entry).sort()).toEqual(
      [
        ...ENDPOINTS.map((e) => e.fn),
        'api-authorize-origin',
        's3-ingest-letter',
        'schedule-apply-queued',
        'schedule-export-stats',
        'schedule-rollup-receipts',
      ].sort(),
    );
    for (const s of sizes) expect(s.bytes, s.entry).toBeLessThanOrEqual(s.limit);
    expect(sizes.find((s) => s.entry === 's3-ingest-letter')!.limit).toBe(2_200_000);
    expect(sizes.find((s) => s.entry === 'api-get-stats')!.limit).toBe(500_000);
    const ingest = resources(dev.templates.ingest, 'AWS::Lambda::Function').find(
      (f) => f.Properties.Description === 'functions/s3-ingest-letter.ts',
    )!;
    const dir = join(dev.outdir, String(ingest.Metadata!['aws:asset:path']));
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith('import { createRequire as __imrCreateRequire }')).toBe(true);
    // Minified: long lines (template literals of pdf.js keep a few line breaks).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
    expect(readFileSync(join(dir, 'index.mjs.map'), 'utf8')).toContain('"mappings"');
    // The parse sandbox's worker is bundled beside it, with pdf.js (parse-worker-bundle.test.ts).
    expect(readFileSync(join(dir, 'parse-worker.mjs'), 'utf8')).toContain('getDocument');
    // Only zod's English locale is bundled (the other locales' messages are absent).
    expect(code).not.toContain('Ungültige Eingabe');
    expect(code).toContain('Invalid input');
    // OCR runs in the parse worker; its engines and model sit beside the worker's bundle, where
    // its import and require look.
    for (const file of OCR_RUNTIME_FILES) {
      expect(existsSync(join(dir, 'node_modules', file)), file).toBe(true);
    }
    expect(readFileSync(join(dir, 'parse-worker.mjs'), 'utf8')).toContain('import("mupdf")');
    expect(code).not.toContain('import("mupdf")');
    // Only the ingest parses letters: no other function carries OCR's 16 MB.
    const others = Object.values(dev.templates)
      .flatMap((t) => resources(t, 'AWS::Lambda::Function'))
      .filter((f) => /^functions\/(?!s3-ingest-letter)/.test(String(f.Properties.Description)));
    expect(others.length).toBeGreaterThan(10);
    expect(
      others
        .filter((f) =>
          existsSync(join(dev.outdir, String(f.Metadata!['aws:asset:path']), 'node_modules')),
        )
        .map((f) => f.Properties.Description),
    ).toEqual([]);
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged (synthesis would have thrown), and every acknowledgement says why', () => {
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    const walk = (c: IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
          acknowledged.push({ path: c.node.path, id, reason });
        }
      }
      for (const child of c.node.children) walk(child);
    };
    walk(dev.app);
    walk(prod.app);
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const a of acknowledged) {
      expect(a.reason.trim().length, `${a.path} ${a.id}`).toBeGreaterThan(30);
    }
  });

  it('does fail synthesis on a finding (the check is live)', () => {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new s3.Bucket(new Stack(app, 'Careless'), 'Open');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1'[\s\S]*AwsSolutions-S10'/);
  });
});
