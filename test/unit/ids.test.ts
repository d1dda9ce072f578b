import { decodeTime, isValid } from 'ulid';
import { monotonicFactory, randomFraction, stableUlid, ulid } from '../../shared/ids';

describe('stable ULIDs', () => {
  it('are the same for the same time and seed, and valid ULIDs carrying that time', () => {
    const a = stableUlid(Date.parse('2026-11-22T10:00:00Z'), 'autoreply#X#0');
    expect(stableUlid(Date.parse('2026-11-22T10:00:00Z'), 'autoreply#X#0')).toBe(a);
    expect(isValid(a)).toBe(true);
    expect(decodeTime(a)).toBe(Date.parse('2026-11-22T10:00:00Z'));
  });

  it('differ by seed and sort by time', () => {
    const t = Date.parse('2026-11-22T10:00:00Z');
    expect(stableUlid(t, 'a')).not.toBe(stableUlid(t, 'b'));
    expect(stableUlid(t, 'z') < stableUlid(t + 1, 'a')).toBe(true);
  });
});

describe('ULIDs from the pooled PRNG', () => {
  it('are valid, carry the time asked for, and do not repeat across many refills of the pool', () => {
    const t = Date.parse('2026-12-02T10:00:00Z');
    expect(decodeTime(ulid(t))).toBe(t);
    const ids = Array.from({ length: 20_000 }, () => ulid());
    expect(ids.every((id) => isValid(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(10))).size).toBe(ids.length);
  });

  it('draw every character of the random part about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) for (const c of ulid().slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 64,000 characters over 32 symbols: 2,000 each expected; a stuck or biased byte would be far outside this.
    expect(counts.size).toBe(32);
    for (const n of counts.values()) expect(Math.abs(n - 2_000)).toBeLessThan(300);
    const fractions = Array.from({ length: 10_000 }, randomFraction);
    expect(fractions.every((f) => f >= 0 && f < 1)).toBe(true);
  });

  it('sort in the order they were made within one millisecond (monotonic factory)', () => {
    const next = monotonicFactory();
    const t = Date.parse('2026-12-02T10:00:00Z');
    const ids = Array.from({ length: 1_000 }, () => next(t));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
