/**
 * The live board's push: changes are pushed to subscribed supervisors as `board.updated`, at most once a second and
 * coalesced: a change arms the push timer of the next whole second, and only one push per second wins its slot.
 * What the board holds and how it is read is ./board-read.ts.
 */
import { dayOf } from '../domain/queueing';
import { now } from '../ports/clock';
import { armTimer } from '../ports/timers';
import { notifyConnections } from '../realtime/notify';
import { claimPushSlot, readCounters, subscribers } from '../store/board';
import { membersOf } from '../store/memberships';
import { listQueuesCached } from '../store/queues';
import { presenceOf } from '../store/presence';
import { onTimer } from '../timers/dispatch';
import { readBoard } from './board-read';

export type { Board, Figures } from '../domain/board';

export const TIMER_BOARD = 'board-push';

/** The slot this container last armed a push for: one timer per second per container at most. */
let armedSlot = 0;

/** Something on the board changed: the push of the next whole second is armed (once, whoever else arms it). */
export async function boardChanged(): Promise<void> {
  const slot = Math.floor(now() / 1000) + 1;
  if (armedSlot >= slot) return;
  armedSlot = slot;
  await armTimer({ name: `board-push-${slot}`, kind: TIMER_BOARD, dueAt: slot * 1000, payload: { slot } });
}

/**
 * One push: the board to its subscribers, and `queue.waiting` (waiting and offered per queue, counting only the
 * agent's own accounts) to the members of each queue whose counts changed since the last push.
 */
export async function pushBoard(slot: number): Promise<void> {
  const nowMs = now();
  const { gauges } = await readCounters(dayOf(nowMs));
  const counts: Record<string, string> = {};
  for (const [entity, g] of gauges) if (/^QUEUE#[^#]+#ACCOUNT#/.test(entity)) counts[entity] = `${g.waiting ?? 0}/${g.offered ?? 0}`;
  const previous = await claimPushSlot(slot, nowMs, counts);
  if (previous === 'pushed') return; // another delivery of this slot, or a later one, already pushed
  if (previous === 'early') {
    // The last push was under a second ago (this timer fired late): the change goes out with the next slot.
    await armTimer({ name: `board-push-${slot + 1}`, kind: TIMER_BOARD, dueAt: (slot + 1) * 1000, payload: { slot: slot + 1 } });
    return;
  }
  const pushes: Promise<unknown>[] = [];
  // The whole board only when a supervisor watches it; the queues' names come from the cached listing.
  const subscribed = await subscribers();
  const [board, queues] = await Promise.all([subscribed.length ? readBoard() : undefined, listQueuesCached()]);
  if (board) pushes.push(notifyConnections(subscribed, { type: 'board.updated', accountId: '', board }));
  const keys = [...new Set([...Object.keys(counts), ...Object.keys(previous)])];
  const changedQueues = new Set(keys.filter((k) => counts[k] !== previous[k]).map((k) => k.split('#')[1]!));
  const names = new Map(queues.map((q) => [q.id, q.name]));
  // Members of the changed queues, and of the accounts those queues' counts are kept for (now or at the last push):
  // an agent's count covers only its own accounts, and one read per account replaces one per agent (50 agents in a
  // queue cost 50 reads a push). Their connections come with presence. Each read once, all in parallel.
  const queueIds = [...changedQueues];
  const lineAccounts = [
    ...new Set(
      keys
        .map((k) => k.split('#'))
        .filter((parts) => changedQueues.has(parts[1]!))
        .map((parts) => parts[3]!),
    ),
  ];
  const [members, accountMembers] = await Promise.all([
    Promise.all(queueIds.map((q) => membersOf('QUEUE', q))),
    Promise.all(lineAccounts.map((a) => membersOf('ACCOUNT', a))),
  ]);
  const agentIds = [...new Set(members.flat())];
  const presence = await presenceOf(agentIds);
  const accountsOf = new Map<string, string[]>();
  lineAccounts.forEach((accountId, i) => {
    for (const agentId of accountMembers[i]!) accountsOf.set(agentId, [...(accountsOf.get(agentId) ?? []), accountId]);
  });
  const byAgent = new Map<string, { queueId: string; name: string; waiting: number; offered: number }[]>();
  queueIds.forEach((queueId, qi) => {
    for (const agentId of members[qi]!) {
      const accounts = accountsOf.get(agentId) ?? [];
      if (accounts.length === 0) continue;
      const mine = accounts.map((a) => gauges.get(`QUEUE#${queueId}#ACCOUNT#${a}`));
      const list = byAgent.get(agentId) ?? [];
      list.push({
        queueId,
        name: names.get(queueId) ?? '',
        waiting: mine.reduce((n, g) => n + (g?.waiting ?? 0), 0),
        offered: mine.reduce((n, g) => n + (g?.offered ?? 0), 0),
      });
      byAgent.set(agentId, list);
    }
  });
  for (const [agentId, list] of byAgent) {
    const connections = presence.get(agentId)?.connectionIds ?? [];
    if (connections.length) pushes.push(notifyConnections(connections, { type: 'queue.waiting', accountId: '', queues: list }));
  }
  await Promise.all(pushes);
}

onTimer(TIMER_BOARD, async (timer) => pushBoard(Number(timer.payload.slot)));
