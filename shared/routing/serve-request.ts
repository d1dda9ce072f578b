/**
 * Asking for an agent to be served, apart from the serving itself (./service.ts): the admin functions that give an
 * agent room (a raised capacity, a new queue membership) arm its serve timer and carry none of routing's plan, its
 * pattern engine or its offers.
 */
import { now } from '../ports/clock';
import { armTimer, timerName } from '../ports/timers';

/** An agent got room: offer it the longest-waiting interactions of its queues (see requestServe). */
export const TIMER_SERVE = 'serve-agent';

/**
 * Agents may have got room (online, unpaused, an interaction closed, transferred away, rejected or timed out, capacity
 * raised, added to a queue): each is served by its own timer, due now, in the timers function. The request that gave
 * the room answers at once instead of waiting out the offers (20 agents coming online together would otherwise
 * contend for the same lines inside their own requests), the serving is durable (a crash before it leaves the timer),
 * and triggers that come together for one agent are one serving: the timer's name is the agent's.
 */
export async function requestServe(agentIds: Iterable<string>): Promise<void> {
  const at = now();
  await Promise.all(
    [...new Set(agentIds)].map((agentId) => armTimer({ name: timerName(agentId, 'serve'), kind: TIMER_SERVE, dueAt: at, payload: { agentId } })),
  );
}
