import { z } from 'zod';
import { ORGANISATION_NAME } from '#shared/ingest/upload-key.ts';

// What a deployment is told through `cdk.json` context (or `-c key=value`), validated once so a
// typo fails `cdk synth` with its name instead of deploying something else.

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
    /** Required when assuming the role, if set: guards against a confused deputy. */
    externalId: z.string().min(2).max(1224).optional(),
  })
  .strict();

export type Organisation = z.infer<typeof organisationSchema>;

const deploymentSchema = z.object({
  /** `prod` keeps the table and buckets when the stack is deleted and protects the table. */
  stage: z.enum(['dev', 'prod']).default('dev'),
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
    throw new DeploymentConfigError(`invalid deployment settings in cdk.json: ${problems}`);
  }
  return parsed.data;
}
