import { decodeTime, isValid } from 'ulid';
import { stableUlid } from '../../shared/ids';

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
