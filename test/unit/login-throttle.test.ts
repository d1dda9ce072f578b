/** The login throttling rules: free attempts, then delays that double up to the cap, in a window that runs out. */
import { decide, delayAfter, type ThrottlePolicy, type ThrottleState } from '../../shared/domain/login-throttle';

const policy: ThrottlePolicy = { freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, windowMs: 60_000 };

function run(times: number[]): ({ allowed: true } | { allowed: false; retryAfterMs: number })[] {
  let state: ThrottleState | undefined;
  return times.map((t) => {
    const d = decide(state, t, policy);
    if (d.allowed) state = d.next;
    return d.allowed ? { allowed: true } : { allowed: false, retryAfterMs: d.retryAfterMs };
  });
}

describe('login throttle', () => {
  it('owes no delay within the free attempts, then doubles up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map((n) => delayAfter(n, policy))).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('lets the free attempts through at once and refuses the next until its delay has passed', () => {
    expect(run([0, 1, 2, 3, 999, 1002, 1003])).toEqual([
      { allowed: true },
      { allowed: true },
      { allowed: true },
      { allowed: false, retryAfterMs: 999 },
      { allowed: false, retryAfterMs: 3 },
      { allowed: true },
      { allowed: false, retryAfterMs: 1999 },
    ]);
  });

  it('does not count a refused attempt, so waiting for Retry-After is enough', () => {
    const answers = run([0, 1, 2, 500, 600, 700, 1002]);
    expect(answers.at(-1)).toEqual({ allowed: true });
  });

  it('starts again once the window has run out', () => {
    expect(run([0, 1, 2, 3, 60_001, 60_002, 60_003, 60_004]).map((a) => a.allowed)).toEqual([true, true, true, false, true, true, true, false]);
  });
});
