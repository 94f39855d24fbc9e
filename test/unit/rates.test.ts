import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rate, wilsonInterval } from '../../shared/stats/statistics.ts';

describe('the 95% Wilson interval of a rate', () => {
  it('matches published values', () => {
    // Newcombe (1998), table I, to 4 places; ours are rounded outwards, so within 0.0001.
    const published: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [k, n, low, high] of published) {
      const [l, h] = wilsonInterval(k, n)!;
      expect(l).toBeLessThanOrEqual(low);
      expect(low - l).toBeLessThanOrEqual(0.00011);
      expect(h).toBeGreaterThanOrEqual(high);
      expect(h - high).toBeLessThanOrEqual(0.00011);
    }
  });

  it('widens as the count behind it shrinks', () => {
    // The example: 23.6% (49 of 208) and 17.6% (13 of 74) are not equally sure.
    const [low208, high208] = wilsonInterval(49, 208)!;
    const [low74, high74] = wilsonInterval(13, 74)!;
    expect(high74 - low74).toBeGreaterThan(high208 - low208);
  });

  it('holds the rate, stays in [0, 1], and is absent with no decisions', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.nat(), (n, seed) => {
        const k = seed % (n + 1);
        const [low, high] = wilsonInterval(k, n)!;
        expect(low).toBeGreaterThanOrEqual(0);
        expect(high).toBeLessThanOrEqual(1);
        expect(low).toBeLessThanOrEqual(k / n);
        expect(high).toBeGreaterThanOrEqual(k / n);
        if (k === 0) expect(low).toBe(0);
        if (k === n) expect(high).toBe(1);
      }),
    );
  });

  it('is part of every rate', () => {
    expect(rate({ upheld: 159, overturned: 49 })).toEqual({
      upheld: 159,
      overturned: 49,
      total: 208,
      overturnRate: 0.2356,
      overturnRateLow: 0.183,
      overturnRateHigh: 0.2978,
    });
    expect(rate({ upheld: 0, overturned: 0 })).toMatchObject({
      overturnRate: null,
      overturnRateLow: null,
      overturnRateHigh: null,
    });
  });
});
