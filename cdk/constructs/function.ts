import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLE_FILE, PROJECT_ROOT, bundleLimit } from '../bundling/esbuild.ts';

// The one place that says how a Lambda function of this project is built and run: every
// function in every stack is an AtlasFunction, so the defaults cannot drift between them.

const BUNDLER = fileURLToPath(new URL('../bundling/esbuild.ts', import.meta.url));

/** Marks a function's description so tools can tell project functions from CDK's own. */
export const DESCRIPTION_PREFIX = 'functions/';

export interface AtlasFunctionProps {
  /** Entry file name in functions/, without `.ts` (`s3-ingest-letter`). */
  entry: string;
  environment?: Record<string, string>;
  /** @default 512 */
  memorySize?: number;
  /** @default 10 seconds */
  timeout?: Duration;
  reservedConcurrentExecutions?: number;
  /** @default one month */
  logRetention?: logs.RetentionDays;
}

/** A Lambda function from `functions/<entry>.ts` with the project's defaults. */
export class AtlasFunction extends lambda.Function {
  readonly entry: string;
  /** Largest bundle allowed, in bytes (`npm run synth` and the tests check it). */
  readonly bundleLimit: number;

  constructor(scope: Construct, id: string, props: AtlasFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Logs are operational, not the record: they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of the default one: the managed AWSLambdaBasicExecutionRole may
    // write to every log group of the account; this one writes to its own only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      description: `${DESCRIPTION_PREFIX}${props.entry}.ts`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: bundledCode(props.entry),
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
    });
    this.node.addDependency(role);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x on purpose: the bundles target Node 20 (the development machines), which ' +
        '22 runs unchanged; moving to 24 is a deliberate upgrade, not a default.',
    });
    this.entry = props.entry;
    this.bundleLimit = bundleLimit(props.entry);
  }
}

// Bundled on this machine by esbuild (cdk/bundling/esbuild.ts), never in Docker. The asset is
// hashed by its output, so an unchanged bundle is not uploaded again.
function bundledCode(entry: string): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('local-esbuild-only'),
      // Part of the asset cache key, so each entry is bundled once per synthesis.
      command: ['esbuild', `functions/${entry}.ts`, BUNDLE_FILE],
      local: {
        tryBundle(outputDir) {
          const run = spawnSync(process.execPath, ['--import', 'tsx', BUNDLER, entry, outputDir], {
            cwd: PROJECT_ROOT,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          if (run.status !== 0) {
            throw new Error(`bundling functions/${entry}.ts failed (exit ${String(run.status)})`);
          }
          return true;
        },
      },
    },
  });
}
