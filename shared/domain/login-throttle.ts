/**
 * Login throttling rules, pure. Each budget (one per username *from one client address*, one per client address
 * across usernames) counts the attempts it let through in a fixed window. The first `freeAttempts` go at once; after
 * that each attempt must wait a delay that doubles up to `maxDelayMs` since the previous one. An attempt that comes
 * too early is refused before the password is looked at, so a refusal says nothing about the password.
 *
 * There is deliberately no budget per username alone: it would let anyone lock a user out by guessing wrongly from
 * elsewhere. Attempts on a username from a new address start from that address's own budget.
 */

export interface ThrottlePolicy {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

/** What a budget remembers: attempts let through since `windowStartAt`, and when the next may come. */
export interface ThrottleState {
  attempts: number;
  windowStartAt: number;
  nextAllowedAt: number;
}

/** The delay owed after `attempts` attempts in the window: none within the free ones, then 1x, 2x, 4x ... the base. */
export function delayAfter(attempts: number, policy: ThrottlePolicy): number {
  if (attempts < policy.freeAttempts) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempts - policy.freeAttempts, 40));
}

/** The state as it stands at `nowMs`: a window that has run out counts as no attempts at all. */
export function current(state: ThrottleState | undefined, nowMs: number, policy: ThrottlePolicy): ThrottleState | undefined {
  return state && nowMs - state.windowStartAt < policy.windowMs ? state : undefined;
}

export type ThrottleDecision = { allowed: true; next: ThrottleState } | { allowed: false; retryAfterMs: number };

/** Whether one budget lets an attempt through at `nowMs`, and its state once it has. */
export function decide(state: ThrottleState | undefined, nowMs: number, policy: ThrottlePolicy): ThrottleDecision {
  const live = current(state, nowMs, policy);
  if (live && nowMs < live.nextAllowedAt) return { allowed: false, retryAfterMs: live.nextAllowedAt - nowMs };
  const attempts = (live?.attempts ?? 0) + 1;
  const windowStartAt = live?.windowStartAt ?? nowMs;
  return { allowed: true, next: { attempts, windowStartAt, nextAllowedAt: nowMs + delayAfter(attempts, policy) } };
}
