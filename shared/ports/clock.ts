/**
 * The clock port. Domain code and timers read time through `now()` so that tests can move time forward (an
 * inactivity timeout in minutes) without waiting; production uses the system clock.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

let current: Clock = systemClock;

export function now(): number {
  return current.now();
}

export function nowIso(): string {
  return new Date(current.now()).toISOString();
}

/** Replaces the clock; returns a function that restores the previous one. */
export function useClock(clock: Clock): () => void {
  const previous = current;
  current = clock;
  return () => {
    current = previous;
  };
}

/** A clock that runs with the system clock plus an offset the caller moves forward. */
export function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}
