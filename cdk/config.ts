import { z } from 'zod';
import { ORGANISATION_NAME } from '../shared/uploads/index.ts';

// What a deployment is told through `cdk.json` context (or `-c key=value`), validated once so a
// typo fails `cdk synth` with its name instead of deploying something else.

/** An account as a principal: every identity of that account the account allows. */
const ACCOUNT_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:root$/;

const organisationSchema = z
  .object({
    /** The folder under uploads/ and receipts/: the name the ingest records. */
    id: z.string().regex(ORGANISATION_NAME, 'letters, digits, ".", "_" or "-", up to 63'),
    /** Who may assume the organisation's role: an account (`arn:aws:iam::123456789012:root`) or a role or user ARN. */
    principal: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/,
        'an IAM ARN such as arn:aws:iam::123456789012:root',
      ),
    /**
     * Required when assuming the role: guards against a confused deputy. Required for an account
     * principal, whose every role and user the account lets assume it (a third party's service
     * among them); optional for one named role or user.
     */
    externalId: z
      .string()
      .min(2)
      .max(1224)
      .regex(/^[\w+=,.@:/-]+$/, 'letters, digits and +=,.@:/-_ only (as STS accepts)')
      .optional(),
  })
  .strict()
  .refine((org) => org.externalId !== undefined || !ACCOUNT_PRINCIPAL.test(org.principal), {
    path: ['externalId'],
    message:
      'required when the principal is an account (…:root): any role or service that account ' +
      'runs could otherwise upload under this name; agree a value with the organisation',
  });

export type Organisation = z.infer<typeof organisationSchema>;

/** Names of DynamoDB tables (and so of a restored one to run on). */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

const STAGE_REQUIRED =
  'say which stage to deploy: -c stage=prod for the public deployment (the table and buckets ' +
  'are kept when the stacks are deleted, and the table is protected from deletion) or ' +
  '-c stage=dev for a throwaway one (its table and buckets are deleted with the stacks)';

const deploymentSchema = z.object({
  /**
   * `prod` keeps the table and buckets when the stack is deleted and protects the table; `dev`
   * deletes them. No default: a deployment that keeps data is asked for, not fallen into.
   */
  stage: z.enum(['dev', 'prod'], {
    error: (issue) => (issue.input === undefined ? STAGE_REQUIRED : 'must be "dev" or "prod"'),
  }),
  /**
   * The name of an existing table to run on instead of the stack's own: a table restored from a
   * point-in-time backup (docs/DEPLOY.md "Restore"). The storage stack then has no table.
   */
  tableName: z.string().regex(TABLE_NAME, 'a DynamoDB table name').optional(),
  organisations: z
    .array(organisationSchema)
    .default([])
    .refine((orgs) => new Set(orgs.map((o) => o.id)).size === orgs.length, 'ids must be unique'),
  /** Where alarms are e-mailed; none: subscribe to the topic yourself. */
  alarmEmail: z.email().optional(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

export class DeploymentConfigError extends Error {
  override readonly name = 'DeploymentConfigError';
}

/** The deployment's settings from CDK context values (`node.tryGetContext`). */
export function parseDeployment(context: Record<string, unknown>): Deployment {
  // `-c organisations=[...]` arrives as a string; cdk.json gives the parsed value.
  const input = { ...context };
  if (typeof input.organisations === 'string') {
    try {
      input.organisations = JSON.parse(input.organisations);
    } catch {
      throw new DeploymentConfigError('context "organisations" is not valid JSON');
    }
  }
  const parsed = deploymentSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${['context', ...i.path].join('.')}: ${i.message}`)
      .join('; ');
    throw new DeploymentConfigError(`invalid deployment settings in cdk.json or -c: ${problems}`);
  }
  return parsed.data;
}
