/**
 * Routing rules, pure: which step of an account's plan an interaction goes to, whether a `gotoif` condition holds
 * (working hours and intervals in a time zone, or a contact, list or message value), and which of a queue's
 * online agents to offer it to under the queue's strategy. No I/O here; the routing use cases do the reads.
 */
import type * as z from 'zod/mini';
import { patternMatches } from './pattern';
import type { conditionSchema, routingStepSchema } from '../admin/account-schema';

export type RoutingStep = z.infer<typeof routingStepSchema>;
export type Condition = z.infer<typeof conditionSchema>;

export interface ConditionFacts {
  contact: { phone: string; firstName?: string; lastName?: string; email?: string; listId?: string };
  message: { text: string };
  nowMs: number;
}

/** The weekday (0 = Sunday) and minutes since midnight of an instant in a time zone. */
export function localTime(nowMs: number, timeZone: string): { day: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(nowMs),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** An interval whose end is before its start runs past midnight (22:00-06:00), and belongs to its start day. */
function inInterval(day: number, minutes: number, interval: { days: number[]; from: string; to: string }): boolean {
  const from = toMinutes(interval.from);
  const to = toMinutes(interval.to);
  if (from <= to) return interval.days.includes(day) && minutes >= from && minutes < to;
  const yesterday = (day + 6) % 7;
  return (interval.days.includes(day) && minutes >= from) || (interval.days.includes(yesterday) && minutes < to);
}

function fieldValue(field: string, facts: ConditionFacts): string {
  switch (field) {
    case 'contact.phone':
      return facts.contact.phone;
    case 'contact.firstName':
      return facts.contact.firstName ?? '';
    case 'contact.lastName':
      return facts.contact.lastName ?? '';
    case 'contact.email':
      return facts.contact.email ?? '';
    case 'contact.listId':
      return facts.contact.listId ?? '';
    case 'message.text':
      return facts.message.text;
    default:
      return '';
  }
}

export function conditionHolds(condition: Condition, facts: ConditionFacts): boolean {
  if (condition.kind === 'time') {
    const { day, minutes } = localTime(facts.nowMs, condition.timezone);
    return condition.intervals.some((interval) => inInterval(day, minutes, interval));
  }
  const actual = fieldValue(condition.field, facts);
  const expected = condition.value ?? '';
  switch (condition.op) {
    case 'equals':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'notEquals':
      return actual.toLowerCase() !== expected.toLowerCase();
    case 'contains':
      return actual.toLowerCase().includes(expected.toLowerCase());
    case 'startsWith':
      return actual.toLowerCase().startsWith(expected.toLowerCase());
    case 'matches':
      return patternMatches(expected, actual);
    case 'empty':
      return actual.trim() === '';
    case 'notEmpty':
      return actual.trim() !== '';
  }
}

/** What the plan does next from step `from`: jumps are followed here (a loop of gotoifs is cut after 50 jumps). */
export type PlanMove =
  | { kind: 'queue'; step: number; queueId: string; timeoutSeconds: number }
  | { kind: 'agent'; step: number; agentId: string; timeoutSeconds: number }
  | { kind: 'autoreply'; step: number; text: string }
  | { kind: 'close'; step: number; disposition?: string }
  | { kind: 'end'; step: number };

export function nextMove(plan: readonly RoutingStep[], from: number, facts: ConditionFacts): PlanMove {
  let index = from;
  for (let jumps = 0; jumps <= 50; jumps++) {
    const step = plan[index];
    if (!step) return { kind: 'end', step: index };
    switch (step.type) {
      case 'queue':
        return { kind: 'queue', step: index, queueId: step.queueId, timeoutSeconds: step.timeoutSeconds };
      case 'agent':
        return { kind: 'agent', step: index, agentId: step.agentId, timeoutSeconds: step.timeoutSeconds };
      case 'autoreply':
        return { kind: 'autoreply', step: index, text: step.text };
      case 'close':
        return { kind: 'close', step: index, ...(step.disposition ? { disposition: step.disposition } : {}) };
      case 'gotoif':
        index = conditionHolds(step.condition, facts) ? step.then : (step.else ?? index + 1);
        break;
    }
  }
  return { kind: 'end', step: index };
}

export type QueueStrategy = 'ring-all' | 'round-robin' | 'least-recent' | 'fewest-handled';

export interface Candidate {
  agentId: string;
  /** When the agent was last given an interaction (ISO), if ever. */
  lastAssignedAt?: string;
  handledCount?: number;
  /** Interactions the agent holds now (pending offers and assigned ones). */
  load?: number;
}

/**
 * Whom a queue offers an interaction to. ring-all: every online member at once; round-robin: the next member after
 * the last one served (by id order); least-recent: the one idle longest; fewest-handled: the one with the fewest.
 * The one-at-a-time strategies choose among the least-loaded members, so work spreads before anyone gets a second.
 * Ties break by agent id so the choice is deterministic.
 */
export function chooseAgents(strategy: QueueStrategy, candidates: readonly Candidate[], lastServed?: string): string[] {
  if (candidates.length === 0) return [];
  const all = [...candidates].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
  if (strategy === 'ring-all') return all.map((c) => c.agentId);
  const least = Math.min(...all.map((c) => c.load ?? 0));
  const byId = all.filter((c) => (c.load ?? 0) === least);
  switch (strategy) {
    case 'round-robin': {
      const next = byId.find((c) => lastServed === undefined || c.agentId > lastServed) ?? byId[0]!;
      return [next.agentId];
    }
    case 'least-recent': {
      const sorted = [...byId].sort((a, b) => (a.lastAssignedAt ?? '').localeCompare(b.lastAssignedAt ?? ''));
      return [sorted[0]!.agentId];
    }
    case 'fewest-handled': {
      const sorted = [...byId].sort((a, b) => (a.handledCount ?? 0) - (b.handledCount ?? 0));
      return [sorted[0]!.agentId];
    }
  }
}
