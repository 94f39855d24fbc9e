import { z } from 'zod';
import type { ExportBucket } from './bucket.ts';
import { JSON_TYPE, LOCK_KEY, parseJsonBody } from './snapshots.ts';

// The lease that makes export runs take turns (jobs/lock.json; docs/EXPORTS.md, "One run at a
// time"): who holds it and until when. On AWS the function's reserved concurrency of 1 already
// keeps runs apart; the lease covers local use (npm start's schedule and `imr export` at once).

const lockSchema = z.object({ owner: z.string(), until: z.number() });

/** When a lease taken or renewed now runs out. */
export interface LeaseTiming {
  now: () => Date;
  /** How long a lease holds without renewal. */
  leaseMs: number;
}

/** Takes the lease unless another owner holds it unexpired; false when busy. */
export async function acquireLease(
  bucket: ExportBucket,
  owner: string,
  timing: LeaseTiming,
): Promise<boolean> {
  const current = await bucket.get(LOCK_KEY);
  if (current !== null) {
    const lease = lockSchema.safeParse(parseJsonBody(current.body));
    if (lease.success && lease.data.owner !== owner && lease.data.until > timing.now().getTime()) {
      return false;
    }
  }
  const taken = await putLease(
    bucket,
    owner,
    timing,
    current === null ? { ifNoneMatch: '*' } : { ifMatch: current.etag },
  );
  if (!taken) return false;
  // Servers without conditional writes (s3rver) take both of two writes at once: of two runs
  // starting together, only the one whose lease stayed goes on.
  const check = await bucket.get(LOCK_KEY);
  const held = check === null ? null : lockSchema.safeParse(parseJsonBody(check.body));
  return held?.success === true && held.data.owner === owner;
}

/** Another run took the lease over while this one held it expired: this run must stop. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly owner: string) {
    super(`the export lease passed to another run while run ${owner} was working`);
  }
}

/**
 * Extends a lease this run holds by `leaseMs` from now. Throws LeaseLostError when another run
 * holds it (this run's lease expired and was taken): renewing would take it back, and two runs
 * would then write one snapshot.
 */
export async function renewLease(
  bucket: ExportBucket,
  owner: string,
  timing: LeaseTiming,
): Promise<void> {
  const current = await bucket.get(LOCK_KEY);
  const lease = current === null ? null : lockSchema.safeParse(parseJsonBody(current.body));
  if (lease?.success !== true || lease.data.owner !== owner) throw new LeaseLostError(owner);
  if (!(await putLease(bucket, owner, timing, { ifMatch: current!.etag }))) {
    throw new LeaseLostError(owner);
  }
}

/** Gives the lease up, only if this owner still holds it (an expired one may have been taken). */
export async function releaseLease(bucket: ExportBucket, owner: string): Promise<void> {
  const current = await bucket.get(LOCK_KEY);
  if (current === null) return;
  const lease = lockSchema.safeParse(parseJsonBody(current.body));
  if (lease.success && lease.data.owner === owner) await bucket.delete([LOCK_KEY]);
}

function putLease(
  bucket: ExportBucket,
  owner: string,
  timing: LeaseTiming,
  condition: { ifNoneMatch: '*' } | { ifMatch: string },
): Promise<boolean> {
  const body = Buffer.from(
    JSON.stringify({ owner, until: timing.now().getTime() + timing.leaseMs }),
  );
  return bucket.put(LOCK_KEY, body, JSON_TYPE, condition);
}
