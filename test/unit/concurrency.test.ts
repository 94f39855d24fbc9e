import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { chunk, forEachLimit } from '../../shared/concurrency.ts';

describe('forEachLimit', () => {
  it('keeps at most `limit` calls in flight and calls each item once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(5);
      seen.push(n);
      inFlight--;
    });
    expect(most).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts nothing after a failure, and rejects only once the calls in flight have settled', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = forEachLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error('first failed');
      await sleep(20);
      settled++;
    });
    await expect(run).rejects.toThrow('first failed');
    // Item 2 was in flight when 1 failed: it finished before the rejection; nothing after it began.
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(1);
  });
});

describe('chunk', () => {
  it('slices a list into consecutive pieces of at most `size`', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 25)).toEqual([]);
  });
});
