import { z } from 'zod';

// S3 event notifications as S3 sends them (directly, or as the body of an SQS message). Only the
// fields the ingest uses are required; the rest of AWS's shape passes through unchecked.

const recordSchema = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      sequencer: z.string().optional(),
      versionId: z.string().nullish(),
    }),
  }),
});

export const s3NotificationSchema = z.union([
  z.object({ Records: z.array(recordSchema) }),
  // Sent once when a notification is configured; carries no object.
  z.object({ Event: z.literal('s3:TestEvent') }),
]);

/** One created object, decoded from an event record. */
export interface ObjectCreated {
  bucket: string;
  key: string;
  size: number | null;
  /** Padded with zeros on the right (as AWS says to compare them) to one width, so that string
   * order is event order. */
  sequencer: string;
}

/** The created objects an S3 notification announces (other event kinds are left out). */
export function objectsCreated(
  notification: z.infer<typeof s3NotificationSchema>,
): ObjectCreated[] {
  if (!('Records' in notification)) return [];
  return notification.Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeEventKey(r.s3.object.key),
    size: r.s3.object.size ?? null,
    sequencer: (r.s3.object.sequencer ?? '').toUpperCase().padEnd(SEQUENCER_WIDTH, '0'),
  }));
}

const SEQUENCER_WIDTH = 32;

/** S3 event keys are URL-encoded as form values: "+" for a space, %XX for the rest. */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
