import { CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { UPLOADS_PREFIX } from '../../shared/uploads/index.ts';
import { RECEIPTS_PREFIX } from '../../shared/receipts/index.ts';
import type { Organisation } from '../config.ts';
import type { BucketName } from './access.ts';
import { acknowledgeWildcards } from './nag.ts';

// One IAM role per organisation that sends letters. It can drop files into its own folder and
// read its own receipts, and nothing else: no reading letters back, no deleting, no other
// organisation's folder. The ingest trusts the folder to name the sender, so this is what makes
// that name true.

export interface OrganisationsProps {
  bucket: BucketName;
  organisations: readonly Organisation[];
  /** Prefix of role names (`imr-atlas-dev`), so a stage's roles are recognisable. */
  namePrefix: string;
}

export class Organisations extends Construct {
  /** Each organisation's role, by organisation id. */
  readonly roles = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: OrganisationsProps) {
    super(scope, id);
    for (const org of props.organisations) {
      const principal = new iam.ArnPrincipal(org.principal);
      const role = new iam.Role(this, org.id, {
        roleName: `${props.namePrefix}-org-${org.id}`.slice(0, 64),
        description: `IMR Atlas uploads of ${org.id}`,
        assumedBy:
          org.externalId === undefined
            ? principal
            : principal.withConditions({
                StringEquals: { 'sts:ExternalId': org.externalId },
              }),
        inlinePolicies: { uploads: organisationPolicy(props.bucket, org.id) },
      });
      acknowledgeWildcards(
        role,
        organisationPrefixes(org.id).map((p) => props.bucket.nagArn(`${p}*`)),
        "The wildcard is the files inside the organisation's own folder, no more.",
      );
      new CfnOutput(this, `${org.id}RoleArn`, {
        value: role.roleArn,
        description: `Role for ${org.id} to assume to upload letters and read receipts`,
      });
      this.roles.set(org.id, role);
    }
  }
}

/** The organisation's folders: its uploads and its receipts. */
export function organisationPrefixes(org: string): [uploads: string, receipts: string] {
  return [`${UPLOADS_PREFIX}${org}/`, `${RECEIPTS_PREFIX}${org}/`];
}

/** What one organisation may do in the upload bucket. */
export function organisationPolicy(bucket: BucketName, org: string): iam.PolicyDocument {
  const [uploads, receipts] = organisationPrefixes(org);
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'UploadLetters',
        actions: ['s3:PutObject'],
        resources: [bucket.arn(`${uploads}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ReadReceipts',
        actions: ['s3:GetObject'],
        resources: [bucket.arn(`${receipts}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ListReceipts',
        actions: ['s3:ListBucket'],
        resources: [bucket.arn()],
        conditions: { StringLike: { 's3:prefix': [receipts, `${receipts}*`] } },
      }),
    ],
  });
}
