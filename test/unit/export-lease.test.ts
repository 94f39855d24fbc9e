import { describe, expect, it } from 'vitest';
import type { ExportBucket } from '../../shared/export/bucket.ts';
import {
  acquireLease,
  LeaseLostError,
  releaseLease,
  renewLease,
} from '../../shared/export/lease.ts';
import { LOCK_KEY } from '../../shared/export/snapshots.ts';
import { memoryBucket } from '../support/export-bucket.ts';

const LEASE_MS = 60_000;
const T0 = Date.parse('2025-03-01T02:00:00Z');

/** Lease timing frozen at `ms`. */
function at(ms: number): { now: () => Date; leaseMs: number } {
  return { now: () => new Date(ms), leaseMs: LEASE_MS };
}

async function lock(bucket: ExportBucket): Promise<unknown> {
  const object = await bucket.get(LOCK_KEY);
  return object === null ? null : JSON.parse(Buffer.from(object.body).toString('utf8'));
}

describe('the export lease', () => {
  it('is taken when free, naming its owner until leaseMs from now', async () => {
    const bucket = memoryBucket();
    expect(await acquireLease(bucket, 'a', at(T0))).toBe(true);
    expect(await lock(bucket)).toEqual({ owner: 'a', until: T0 + LEASE_MS });
  });

  it('is refused while another owner holds it unexpired, and left as it was', async () => {
    const bucket = memoryBucket();
    await acquireLease(bucket, 'a', at(T0));
    expect(await acquireLease(bucket, 'b', at(T0 + LEASE_MS - 1))).toBe(false);
    expect(await lock(bucket)).toEqual({ owner: 'a', until: T0 + LEASE_MS });
  });

  it('is taken over once expired', async () => {
    const bucket = memoryBucket();
    await acquireLease(bucket, 'a', at(T0));
    expect(await acquireLease(bucket, 'b', at(T0 + LEASE_MS))).toBe(true);
    expect(await lock(bucket)).toEqual({ owner: 'b', until: T0 + 2 * LEASE_MS });
  });

  it('is taken over when the lock is unreadable', async () => {
    const bucket = memoryBucket();
    await bucket.put(LOCK_KEY, Buffer.from('not json'), 'application/json');
    expect(await acquireLease(bucket, 'a', at(T0))).toBe(true);
    expect(await lock(bucket)).toEqual({ owner: 'a', until: T0 + LEASE_MS });
  });

  it('goes to exactly one of two runs starting together', async () => {
    const bucket = memoryBucket();
    const taken = await Promise.all([
      acquireLease(bucket, 'a', at(T0)),
      acquireLease(bucket, 'b', at(T0)),
    ]);
    expect(taken).toEqual([true, false]);
  });

  it('goes to exactly one of two runs on a server without conditional writes', async () => {
    const memory = memoryBucket();
    // As s3rver: the condition is ignored and both writes succeed; the read after decides.
    const bucket: ExportBucket = {
      ...memory,
      put: (key, body, contentType) => memory.put(key, body, contentType),
    };
    const taken = await Promise.all([
      acquireLease(bucket, 'a', at(T0)),
      acquireLease(bucket, 'b', at(T0)),
    ]);
    expect(taken).toEqual([false, true]);
    expect(await lock(bucket)).toEqual({ owner: 'b', until: T0 + LEASE_MS });
  });

  it('is extended by a renewal', async () => {
    const bucket = memoryBucket();
    await acquireLease(bucket, 'a', at(T0));
    await renewLease(bucket, 'a', at(T0 + 1000));
    expect(await lock(bucket)).toEqual({ owner: 'a', until: T0 + 1000 + LEASE_MS });
  });

  it('is released only by its owner', async () => {
    const bucket = memoryBucket();
    await acquireLease(bucket, 'a', at(T0));
    await releaseLease(bucket, 'b');
    expect(await lock(bucket)).toEqual({ owner: 'a', until: T0 + LEASE_MS });
    await releaseLease(bucket, 'a');
    expect(await lock(bucket)).toBeNull();
    await expect(releaseLease(bucket, 'a')).resolves.toBeUndefined();
  });

  it('is not taken back by a renewal once another run took it over: that run stops', async () => {
    const bucket = memoryBucket();
    await acquireLease(bucket, 'a', at(T0));
    expect(await acquireLease(bucket, 'b', at(T0 + LEASE_MS))).toBe(true);
    await expect(renewLease(bucket, 'a', at(T0 + LEASE_MS + 1))).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(await lock(bucket)).toMatchObject({ owner: 'b' });
  });

  it('is not renewed once released or lost', async () => {
    const bucket = memoryBucket();
    await acquireLease(bucket, 'a', at(T0));
    await releaseLease(bucket, 'a');
    await expect(renewLease(bucket, 'a', at(T0 + 1))).rejects.toBeInstanceOf(LeaseLostError);
    expect(await lock(bucket)).toBeNull();
  });
});
