/**
 * The timers port. A timer has a deterministic name (`{interactionId}-{kind}`), so arming it again replaces the
 * earlier one, and carries the interaction version it was armed for, so a timer that fires late or twice for an
 * older version is a no-op in its handler. Two adapters: `aws` (SQS DelaySeconds within the threshold, Scheduler
 * `at()` beyond it) and `store` (timers kept in the table and fired by the local engine, so a restart loses none).
 */
import { config } from '../config';
import * as z from 'zod/mini';
import { armWithAws, cancelWithAws } from './timers-aws';
import { armInStore, cancelInStore, cancelManyInStore } from './timers-store';

export const timerEventSchema = z.object({
  name: z.string().check(z.regex(/^[0-9A-Za-z_.-]{1,64}$/)),
  kind: z.string().check(z.minLength(1)),
  /** When the timer is due, in epoch milliseconds. */
  dueAt: z.number(),
  payload: z.record(z.string(), z.unknown()),
});

export type TimerEvent = z.infer<typeof timerEventSchema>;

export function timerName(subject: string, kind: string): string {
  return `${subject}-${kind}`.replace(/[^0-9A-Za-z_.-]/g, '_').slice(0, 64);
}

export async function armTimer(timer: TimerEvent): Promise<void> {
  if (config.TIMERS_ADAPTER === 'store') return armInStore(timer);
  return armWithAws(timer);
}

export async function cancelTimer(name: string): Promise<void> {
  if (config.TIMERS_ADAPTER === 'store') return cancelInStore(name);
  return cancelWithAws(name);
}

/** Cancels several timers (one batch request in the store; the Scheduler deletes one schedule per call). */
export async function cancelTimers(names: string[]): Promise<void> {
  if (config.TIMERS_ADAPTER === 'store') return cancelManyInStore(names);
  await Promise.all(names.map((name) => cancelWithAws(name)));
}
