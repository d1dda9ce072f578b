/**
 * The queue rules, pure: which agents an interaction's routing state holds capacity on, whether it stands in a
 * queue's waiting line, which board figure it counts in, and what one transition from one state to the next does to
 * each of those. The store turns these answers into the items it writes in the same transaction as the interaction,
 * so capacity, the line and the board counters can never drift from the interactions themselves.
 */
import type { Channel } from '../providers/types';

export const DEFAULT_CAPACITY = 3;
export const MAX_CAPACITY = 50;
/** A transaction holds at most 100 items: ring-all offers one interaction to at most this many agents at once. */
export const MAX_RING_ALL = 50;

export interface Capacity {
  sms: number;
  whatsapp: number;
}

export const defaultCapacity = (): Capacity => ({ sms: DEFAULT_CAPACITY, whatsapp: DEFAULT_CAPACITY });

/** The routing facts these rules read (the store's RoutingState has more). */
export interface QueueingState {
  phase: string;
  offeredTo: string[];
  queueId?: string;
  transferFrom?: string;
  /** When the interaction first entered the queue it waits in (this wait). */
  enteredAt?: string;
  assignedAt?: string;
  declined?: string[];
}

export interface QueueingFacts {
  id: string;
  accountId: string;
  channel: Channel;
  status: 'open' | 'closed';
  agentId?: string;
  queueId?: string;
  routing?: QueueingState;
}

/** Phases in which an interaction waits in its queue's line (offered to someone or not) until an agent accepts it. */
const LINE_PHASES = new Set(['offered', 'waiting', 'waiting-queue', 'unassigned']);

/** The agents the interaction counts against: pending offers and the agent handling it. */
export function holders(i: QueueingFacts): string[] {
  const r = i.routing;
  if (i.status !== 'open' || !r) return [];
  switch (r.phase) {
    case 'assigned':
      return i.agentId ? [i.agentId] : [];
    case 'transfer':
      // The sender keeps its slot until someone takes the transfer: it comes back to the sender otherwise.
      return [...new Set([...(r.transferFrom ? [r.transferFrom] : []), ...r.offeredTo])];
    default:
      return [...new Set(r.offeredTo)];
  }
}

/** The queue whose line the interaction stands in, with its place (first entry time), if it stands in one. */
/** Where an interaction stands in a line: the queue and when it first entered it. */
export interface LineSpot {
  queueId: string;
  enteredAt: string;
}

/** The gauge field that counts a line's entries and departures (`QUEUE#{id}` and `ACCOUNT#{id}` gauges). */
export const LINE_CHANGES = 'lineChanges';

export function lineOf(i: QueueingFacts): LineSpot | undefined {
  const r = i.routing;
  if (i.status !== 'open' || !r?.queueId || !r.enteredAt || !LINE_PHASES.has(r.phase)) return undefined;
  return { queueId: r.queueId, enteredAt: r.enteredAt };
}

export type BoardState = 'waiting' | 'offered' | 'inProgress';

/** Which live figure the interaction counts in, and under which queue (none for an agent step or no queue). */
export function boardState(i: QueueingFacts): { state: BoardState; queueId?: string } | undefined {
  const r = i.routing;
  if (i.status !== 'open' || !r) return undefined;
  const queueId = r.queueId;
  const withQueue = <T extends object>(o: T) => (queueId ? { ...o, queueId } : o);
  if (r.phase === 'assigned') return withQueue({ state: 'inProgress' as const });
  if (r.phase === 'waiting-agent') return withQueue({ state: 'inProgress' as const });
  if (r.phase === 'transfer') return withQueue({ state: 'inProgress' as const });
  if (r.offeredTo.length > 0) return withQueue({ state: 'offered' as const });
  return withQueue({ state: 'waiting' as const });
}

/** A counter change: `entity` is `QUEUE#{id}`, `ACCOUNT#{id}` or `AGENT#{id}`; `daily` counters reset each day. */
export interface CounterDelta {
  entity: string;
  daily: boolean;
  deltas: Record<string, number>;
}

export interface Transition {
  /** Agents who now hold the interaction and did not before (their capacity is checked). */
  added: string[];
  /** Agents who no longer hold it: they may have room for the next waiting interaction. */
  released: string[];
  lineBefore?: LineSpot;
  lineAfter?: LineSpot;
  counters: CounterDelta[];
}

function addDelta(map: Map<string, CounterDelta>, entity: string, daily: boolean, field: string, by: number): void {
  const key = `${daily ? 'D' : 'G'}${entity}`;
  const entry = map.get(key) ?? { entity, daily, deltas: {} };
  entry.deltas[field] = (entry.deltas[field] ?? 0) + by;
  map.set(key, entry);
}

/**
 * What moving from `before` to `after` does. Accepts record the wait (from entering the queue) and whether it was
 * within the service level; closes record the handle time (from the accept) for the queue, account and agent.
 */
export function transition(before: QueueingFacts, after: QueueingFacts, nowMs: number, serviceLevelSeconds: number): Transition {
  const was = new Set(holders(before));
  const is = new Set(holders(after));
  const counters = new Map<string, CounterDelta>();
  const scopes = (accountId: string, queueId?: string) => [`ACCOUNT#${accountId}`, ...(queueId ? [`QUEUE#${queueId}`] : [])];
  const from = boardState(before);
  const to = boardState(after);
  // Gauges also per queue and account: agents are told the counts of their queues for their own accounts only.
  const gaugeScopes = (accountId: string, queueId?: string) => [...scopes(accountId, queueId), ...(queueId ? [`QUEUE#${queueId}#ACCOUNT#${accountId}`] : [])];
  if (from?.state !== to?.state || from?.queueId !== to?.queueId) {
    if (from) for (const e of gaugeScopes(before.accountId, from.queueId)) addDelta(counters, e, false, from.state, -1);
    if (to) for (const e of gaugeScopes(after.accountId, to.queueId)) addDelta(counters, e, false, to.state, 1);
  }
  const b = before.routing;
  const a = after.routing;
  if (after.status === 'open' && a?.phase === 'assigned' && b && b.phase !== 'assigned' && b.phase !== 'transfer' && b.phase !== 'waiting-agent') {
    const since = Date.parse(b.enteredAt ?? '');
    if (Number.isFinite(since)) {
      const waitMs = Math.max(0, nowMs - since);
      for (const e of scopes(after.accountId, b.queueId)) {
        addDelta(counters, e, true, 'accepted', 1);
        addDelta(counters, e, true, 'acceptWaitMs', waitMs);
        if (waitMs <= serviceLevelSeconds * 1000) addDelta(counters, e, true, 'acceptedInSl', 1);
      }
    }
  }
  if (before.status === 'open' && after.status === 'closed') {
    const queueId = b?.queueId ?? before.queueId;
    const assignedAt = Date.parse(b?.assignedAt ?? '');
    const handled = b?.phase === 'assigned' && before.agentId !== undefined && Number.isFinite(assignedAt);
    for (const e of scopes(before.accountId, queueId)) {
      addDelta(counters, e, true, 'closed', 1);
      if (handled) {
        addDelta(counters, e, true, 'handled', 1);
        addDelta(counters, e, true, 'handleMs', Math.max(0, nowMs - assignedAt));
      }
    }
    if (handled) {
      addDelta(counters, `AGENT#${before.agentId}`, true, 'handled', 1);
      addDelta(counters, `AGENT#${before.agentId}`, true, 'handleMs', Math.max(0, nowMs - assignedAt));
    }
  }
  const lineBefore = lineOf(before);
  const lineAfter = lineOf(after);
  // Each line's gauge counts the entries and departures of its line, so a reader that knows a line's head at one
  // count knows it is still the head while the count is the same (the board reads a head only when it moved).
  const left = (x?: LineSpot, y?: LineSpot) => x !== undefined && (y === undefined || x.queueId !== y.queueId || x.enteredAt !== y.enteredAt);
  if (left(lineBefore, lineAfter)) for (const e of scopes(before.accountId, lineBefore!.queueId)) addDelta(counters, e, false, LINE_CHANGES, 1);
  if (left(lineAfter, lineBefore)) for (const e of scopes(after.accountId, lineAfter!.queueId)) addDelta(counters, e, false, LINE_CHANGES, 1);
  return {
    added: [...is].filter((x) => !was.has(x)),
    released: [...was].filter((x) => !is.has(x)),
    ...(lineBefore ? { lineBefore } : {}),
    ...(lineAfter ? { lineAfter } : {}),
    counters: [...counters.values()].filter((c) => Object.values(c.deltas).some((v) => v !== 0)),
  };
}

/** The UTC day a daily counter belongs to. */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A waiting interaction an available agent might be offered, as its queue's line shows it. */
export interface LineEntry {
  interactionId: string;
  queueId: string;
  accountId: string;
  channel: Channel;
  enteredAt: string;
  phase: string;
  offeredTo: string[];
  declined: string[];
}

/**
 * The longest-waiting interaction of the agent's queues that the agent may be offered now: of an account it belongs
 * to, on a channel where it has room, not already offered to it, not declined by it in this wait (unless the queue
 * offers declined interactions again), and, in a one-at-a-time queue, offered to nobody else.
 */
export function nextForAgent(
  agentId: string,
  entries: readonly LineEntry[],
  context: {
    accountIds: ReadonlySet<string>;
    room: Capacity;
    ringAll: (queueId: string) => boolean;
    reofferDeclined: (queueId: string) => boolean;
  },
): LineEntry | undefined {
  const sorted = [...entries].sort((x, y) => (x.enteredAt === y.enteredAt ? (x.interactionId < y.interactionId ? -1 : 1) : x.enteredAt < y.enteredAt ? -1 : 1));
  return sorted.find(
    (e) =>
      context.accountIds.has(e.accountId) &&
      context.room[e.channel] > 0 &&
      !e.offeredTo.includes(agentId) &&
      (context.reofferDeclined(e.queueId) || !e.declined.includes(agentId)) &&
      (context.ringAll(e.queueId) || e.offeredTo.length === 0),
  );
}
