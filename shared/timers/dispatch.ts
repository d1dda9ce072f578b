/**
 * Timer kinds and their handlers. Capabilities register the kinds they arm (wait-for-agent, inactivity close,
 * ...); a timer of an unknown kind is logged and dropped, since retrying it can never succeed.
 */
import { log } from '../logger';
import type { TimerEvent } from '../ports/timers';

export type TimerHandler = (timer: TimerEvent) => Promise<void>;

const handlers = new Map<string, TimerHandler>();

export function onTimer(kind: string, handler: TimerHandler): void {
  handlers.set(kind, handler);
}

export async function fireTimer(timer: TimerEvent): Promise<void> {
  const handler = handlers.get(timer.kind);
  if (!handler) return log.warn('no handler for timer kind', { kind: timer.kind, name: timer.name });
  await handler(timer);
}
