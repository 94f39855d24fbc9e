import { Annotations, CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENDPOINTS, ORIGIN_HEADER, EXPORTS_PATH } from '../../shared/api/index.ts';
import { LATEST_KEY, SNAPSHOTS_PREFIX } from '../../shared/export/index.ts';
import type { BucketName } from '../constructs/access.ts';
import { contentSecurityPolicy } from '../constructs/csp.ts';
import { EdgeAclArn } from '../constructs/edge-acl.ts';
import {
  EXPORTS_REWRITE_CODE,
  siteFiles,
  siteRewriteCode,
  siteStatusCode,
} from '../constructs/edge-functions.ts';
import { logBucket, secureBucket } from '../constructs/secure-bucket.ts';

// What a visitor reaches: one CloudFront distribution serving the static site, the API under
// /api/* and the export files under /exports/*, all from one origin. Because the site calls the
// API on its own origin, the API needs no CORS: it sends no Access-Control-Allow-Origin, so
// browsers refuse its answers to any other site's scripts. (Setting CORS from here, once the
// distribution's domain is known, meant an UpdateApi call outside CloudFormation on a resource
// the API stack owns: drift that the API stack's next update of the HttpApi could undo.)

/** The longest `s-maxage` an endpoint asks for: the API cache may keep nothing longer. */
export function longestSharedMaxAge(): number {
  return Math.max(...ENDPOINTS.map((e) => sharedMaxAge(e.cacheControl) ?? 0));
}

/** The `s-maxage` of a Cache-Control value, in seconds, if any. */
export function sharedMaxAge(cacheControl: string): number | null {
  const m = /(?:^|,)\s*s-maxage=(\d+)/.exec(cacheControl);
  return m?.[1] === undefined ? null : Number(m[1]);
}

export interface WebStackProps extends StackProps {
  /** The built site (`web/build`). */
  siteDir: string;
  /** The HTTP API's host name (the API stack's `apiDomain`). */
  apiDomain: string;
  /** The value to send the API in its origin header (the API stack's `originSecret`). */
  originSecret: secrets.ISecret;
  /** The us-east-1 parameter holding the web ACL's ARN (the edge stack's). */
  webAclParameter: string;
  exportsBucket: BucketName;
  retain: boolean;
}

export class WebStack extends Stack {
  readonly distribution: cloudfront.Distribution;
  readonly siteBucket: s3.Bucket;
  readonly exportsBucket: s3.Bucket;
  readonly siteOrigin: string;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);

    // CloudFront standard logs are delivered through an ACL grant, hence acls.
    const logs = logBucket(this, 'AccessLogs', { retain: props.retain, acls: true });
    // Here and not in storage: its bucket policy names this distribution, which would make
    // storage depend on this stack.
    this.siteBucket = secureBucket(this, 'Site', {
      retain: false,
      accessLogs: { bucket: logs, prefix: 'site/' },
    });

    const headers = securityHeaders(contentSecurityPolicy(props.siteDir));
    const securityPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'IMR Atlas: CSP, HSTS, no framing',
      securityHeadersBehavior: headers,
    });
    // Files under _app/immutable/ carry a content hash in their names: browsers may keep them.
    const immutablePolicy = new cloudfront.ResponseHeadersPolicy(this, 'ImmutableHeaders', {
      comment: 'IMR Atlas: security headers and a year of browser caching',
      securityHeadersBehavior: headers,
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cache-Control', value: 'public, max-age=31536000, immutable', override: true },
        ],
      },
    });

    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket, {
      // With List, a missing page is a 404 rather than S3's 403.
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    });
    // The two site functions know the built site's files: a path that is none of them is
    // served the designed not-found page (404.html) with status 404 (edge-functions.ts).
    const files = siteFiles(props.siteDir);
    const siteRewrite = new cloudfront.Function(this, 'SiteRewrite', {
      comment: 'Clean URLs to prerendered pages; unknown paths to the not-found page',
      code: cloudfront.FunctionCode.fromInline(siteRewriteCode(files)),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    const siteStatus = new cloudfront.Function(this, 'SiteStatus', {
      comment: 'The not-found page answers 404',
      code: cloudfront.FunctionCode.fromInline(siteStatusCode(files)),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    // The API sets Cache-Control per endpoint (shared/api/endpoints.ts CACHE): statistics for
    // minutes, lookups briefly, health never. This policy obeys it: nothing is kept without a
    // header (default 0), and the longest s-maxage of the table fits under the maximum.
    const apiCache = new cloudfront.CachePolicy(this, 'ApiCache', {
      comment: "IMR Atlas API: the origin's Cache-Control, keyed on the whole query string",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(longestSharedMaxAge()),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const apiOrigin = new origins.HttpOrigin(props.apiDomain, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // The API refuses requests without it (api.ts): its execute-api address, public, answers
      // only what came through here, behind the web ACL. A viewer's header of the same name is
      // replaced by this one. A dynamic reference: the value is in no template.
      customHeaders: { [ORIGIN_HEADER]: props.originSecret.secretValue.unsafeUnwrap() },
    });

    // The exports bucket is here, beside the site bucket and for the same reason: its policy
    // names this distribution (below), which the storage stack could not without depending on
    // this one. Other stacks address it by its fixed name; the export schedule is deployed
    // after this stack (cdk/atlas.ts).
    const ownedExports = secureBucket(this, 'Exports', {
      bucketName: props.exportsBucket.value,
      retain: props.retain,
      accessLogs: { bucket: logs, prefix: 'exports/' },
      // A run stopped mid-year aborts its uploads; one that crashed leaves parts behind.
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    this.exportsBucket = ownedExports;
    // The origin is given the bucket by name so that CDK adds no grant of its own (it would be
    // every key, the job under jobs/ included); the statement after the distribution grants the
    // published files only.
    const exportsBucket = s3.Bucket.fromBucketAttributes(this, 'ExportsBucket', {
      bucketName: props.exportsBucket.value,
      region: this.region,
    });
    const exportsOrigin = origins.S3BucketOrigin.withOriginAccessControl(exportsBucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ],
    });
    const exportsRewrite = new cloudfront.Function(this, 'ExportsRewrite', {
      comment: 'Published export files only, without the /exports prefix',
      code: cloudfront.FunctionCode.fromInline(EXPORTS_REWRITE_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    // Snapshots never change once published; latest.json changes daily.
    const exportsCache = new cloudfront.CachePolicy(this, 'ExportsCache', {
      comment: 'IMR Atlas exports: five minutes',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.minutes(5),
      maxTtl: Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const viewerRequest = (fn: cloudfront.IFunction) => [
      { function: fn, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
    ];
    // Requests per IP address, before the cache: a flood is answered 429 at the edge.
    const webAcl = new EdgeAclArn(this, 'WebAcl', { parameterName: props.webAclParameter });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'IMR Atlas',
      webAclId: webAcl.arn,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      // No custom error responses: they apply to every behaviour and would turn the API's 404
      // (an unknown case) into an HTML page. The site's own functions serve its not-found page.
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityPolicy,
        functionAssociations: [
          ...viewerRequest(siteRewrite),
          { function: siteStatus, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE },
        ],
        compress: true,
      },
      additionalBehaviors: {
        '/_app/immutable/*': {
          origin: siteOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: immutablePolicy,
          compress: true,
        },
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
          cachePolicy: apiCache,
          // API Gateway routes by its own host name; every other header and the query go on.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: securityPolicy,
          compress: true,
        },
        [`${EXPORTS_PATH}*`]: {
          origin: exportsOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: exportsCache,
          responseHeadersPolicy: securityPolicy,
          functionAssociations: viewerRequest(exportsRewrite),
          compress: true,
        },
      },
    });
    this.siteOrigin = `https://${this.distribution.distributionDomainName}`;
    ownedExports.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsPublishedExports',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [
          ownedExports.arnForObjects(`${SNAPSHOTS_PREFIX}*`),
          ownedExports.arnForObjects(LATEST_KEY),
        ],
        conditions: {
          StringEquals: {
            'AWS:SourceArn': `arn:${this.partition}:cloudfront::${this.account}:distribution/${this.distribution.distributionId}`,
          },
        },
      }),
    );
    // Both warnings are handled: the root object is index.html (and the viewer function maps
    // clean URLs), and the exports bucket's policy grants this distribution the published files.
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is index.html; listing lets a missing page answer 404',
    );
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      "the exports bucket's own policy grants this distribution snapshots/* and latest.json",
    );
    for (const [id, reason] of Object.entries(DISTRIBUTION_ACKNOWLEDGEMENTS)) {
      Validations.of(this.distribution).acknowledge({ id, reason });
    }

    const deploySite = new s3deploy.BucketDeployment(this, 'DeploySite', {
      sources: [s3deploy.Source.asset(props.siteDir)],
      destinationBucket: this.siteBucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    // The copying function is CDK's, shared by the stack's deployments; its grants are CDK's.
    const siteArn = `<${this.getLogicalId(this.siteBucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const copier = this.node.children.find((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::${siteArn}/*`,
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      'Resource::*',
    ]) {
      Validations.of(copier ?? deploySite).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "CDK's BucketDeployment grant: read the site asset from CDK's asset bucket, replace the " +
          'site bucket contents, and invalidate the distribution (CreateInvalidation takes no ' +
          'resource).',
      });
    }
    Validations.of(copier ?? deploySite).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "CDK's BucketDeployment function: its Python runtime is chosen by CDK.",
    });

    new CfnOutput(this, 'SiteUrl', {
      value: this.siteOrigin,
      description: 'The site; the API is under /api/ and the export files under /exports/',
    });
  }
}

// What cdk-nag asks of a distribution that this one does not do, and why.
const DISTRIBUTION_ACKNOWLEDGEMENTS = {
  'AwsSolutions-CFR1': 'A public record for anyone, anywhere: there is no country to keep out.',
  'AwsSolutions-CFR4':
    'Served on the default *.cloudfront.net certificate, whose minimum protocol CloudFront ' +
    'fixes at TLSv1; with a custom domain and certificate, set TLSv1.2_2021.',
} as const;

function securityHeaders(csp: string): cloudfront.ResponseSecurityHeadersBehavior {
  return {
    contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
    strictTransportSecurity: {
      accessControlMaxAge: Duration.days(365 * 2),
      includeSubdomains: true,
      override: true,
    },
    frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
    contentTypeOptions: { override: true },
    referrerPolicy: {
      referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
      override: true,
    },
  };
}
