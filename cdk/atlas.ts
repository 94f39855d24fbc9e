import type { Stack } from 'aws-cdk-lib';
import { Validations, type App, type Environment } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { parseDeployment, type Deployment } from './config.ts';
import { ApiStack } from './stacks/api.ts';
import { EDGE_REGION, EdgeStack, webAclParameterName } from './stacks/edge.ts';
import { ExportsStack } from './stacks/exports.ts';
import { IngestStack } from './stacks/ingest.ts';
import { StorageStack } from './stacks/storage.ts';
import { WebStack } from './stacks/web.ts';

// The whole system: one stack per concern, wired in dependency order. cdk/app.ts runs it; the
// tests build it on their own App.

export interface AtlasOptions {
  /** The built site to publish (`web/build`). */
  siteDir: string;
  env?: Environment;
}

export interface Atlas {
  deployment: Deployment;
  storage: StorageStack;
  ingest: IngestStack;
  api: ApiStack;
  exports: ExportsStack;
  edge: EdgeStack;
  web: WebStack;
}

/** Adds every stack of the system to `app`, configured by the app's context. */
export function buildAtlas(app: App, options: AtlasOptions): Atlas {
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const deployment = parseDeployment({
    stage: app.node.tryGetContext('stage'),
    organisations: app.node.tryGetContext('organisations'),
    alarmEmail: app.node.tryGetContext('alarmEmail'),
    tableName: app.node.tryGetContext('tableName'),
  });
  const name = (concern: string) => `ImrAtlas-${deployment.stage}-${concern}`;
  const common = {
    ...(options.env === undefined ? {} : { env: options.env }),
    tags: { project: 'imr-atlas', stage: deployment.stage },
  };

  const storage = new StorageStack(app, name('Storage'), {
    ...common,
    description: 'IMR Atlas: table, upload bucket, organisations, alarm topic',
    deployment,
    namePrefix: `imr-atlas-${deployment.stage}`,
  });
  const shared = {
    table: storage.table,
    alarmTopic: storage.alarmTopic,
  };
  const ingest = new IngestStack(app, name('Ingest'), {
    ...common,
    description: 'IMR Atlas: S3 → SQS → ingest, receipts roll-up',
    ...shared,
    uploadBucket: storage.uploadBucketName,
  });
  const api = new ApiStack(app, name('Api'), {
    ...common,
    description: 'IMR Atlas: the query API',
    ...shared,
    exportsBucket: storage.exportsBucketName,
  });
  const exports = new ExportsStack(app, name('Exports'), {
    ...common,
    description: 'IMR Atlas: scheduled statistics exports',
    ...shared,
    exportsBucket: storage.exportsBucketName,
  });
  // CloudFront's web ACL must be in us-east-1, whatever region the rest goes to.
  const edge = new EdgeStack(app, name('Edge'), {
    ...common,
    env: { region: EDGE_REGION, account: options.env?.account },
    description: 'IMR Atlas: the web ACL in front of CloudFront (us-east-1)',
    stage: deployment.stage,
  });
  const web = new WebStack(app, name('Web'), {
    ...common,
    description: 'IMR Atlas: CloudFront, the site and exports buckets, /api and /exports',
    siteDir: options.siteDir,
    apiDomain: api.apiDomain,
    originSecret: api.originSecret,
    webAclParameter: webAclParameterName(deployment.stage),
    exportsBucket: storage.exportsBucketName,
    retain: deployment.stage === 'prod',
  });
  // Buckets are addressed by name, not reference: the order must be said. The exports bucket
  // is the web stack's (its policy names the distribution), and the export writes to it.
  for (const stack of [ingest, api, exports, web]) stack.node.addDependency(storage);
  exports.node.addDependency(web);
  // The web stack reads the ACL's ARN from the edge stack's parameter, not by reference.
  web.node.addDependency(edge);
  for (const stack of [storage, ingest, api, exports, edge, web]) acknowledgeCdkHelpers(stack);
  return { deployment, storage, ingest, api, exports, edge, web };
}

// CDK behaviours this app relies on, whatever cdk.json says.
const FEATURE_FLAGS = {
  // Access logs are delivered under a bucket policy, not the legacy ACL grant (which needs
  // ACLs on the log bucket).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // Exports between the stacks stay as they are (the CDK default, said explicitly).
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
} as const;

// Functions CDK itself adds to carry out deployment steps. Their code, runtime and roles are
// CDK's; each is acknowledged for what it does.
const CDK_HELPERS: readonly { idPrefix: string; what: string }[] = [
  {
    idPrefix: 'Custom::S3AutoDeleteObjectsCustomResourceProvider',
    what: 'empties a dev bucket when its stack is deleted',
  },
  {
    idPrefix: 'BucketNotificationsHandler',
    what: "sets the upload bucket's notification to the ingest queue",
  },
  { idPrefix: 'Custom::CDKBucketDeployment', what: 'copies the built site into its bucket' },
  {
    idPrefix: 'AWS679f53fac002430cb0da5b7982bd2287',
    what: "reads the web ACL's ARN from its parameter in us-east-1 (AwsCustomResource)",
  },
];

const HELPER_RULES: readonly { id: string; reason: string }[] = [
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'its role has the AWSLambdaBasicExecutionRole managed policy CDK attaches (logs only)',
  },
];

function acknowledgeCdkHelpers(stack: Stack): void {
  for (const child of stack.node.children as IConstruct[]) {
    const helper = CDK_HELPERS.find((h) => child.node.id.startsWith(h.idPrefix));
    if (helper === undefined) continue;
    for (const rule of HELPER_RULES) {
      Validations.of(child).acknowledge({
        id: rule.id,
        reason: `CDK's own deployment helper that ${helper.what}: ${rule.reason}.`,
      });
    }
  }
}
