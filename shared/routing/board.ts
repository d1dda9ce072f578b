/**
 * The live board: per account and per queue the interactions waiting, the longest wait, offered, in progress and
 * today's closed, average wait to accept, average handle time and service level; per agent its presence, load
 * against capacity and handled today. Figures come from the counters each interaction change maintains
 * (shared/store/board.ts) plus the head of each line for the longest wait: a few reads whatever the traffic.
 * Changes are pushed to subscribed supervisors as `board.updated`, at most once a second and coalesced: a change
 * arms the push timer of the next whole second, and only one push per second wins its slot.
 */
import { config } from '../config';
import type { Board, Figures } from '../domain/board';
import { dayOf } from '../domain/queueing';
import { now } from '../ports/clock';
import { armTimer } from '../ports/timers';
import { notifyConnections } from '../realtime/notify';
import { listAllAccountsCached } from '../store/accounts';
import { listAgentsCached } from '../store/agents';
import { claimPushSlot, readCounters, subscribers, type Counters } from '../store/board';
import { membersOf, parentsOf } from '../store/memberships';
import { presenceOf } from '../store/presence';
import { listQueuesCached } from '../store/queues';
import { lineHead, oldestWaitingOf } from '../store/waiting-line';
import { onTimer } from '../timers/dispatch';

export const TIMER_BOARD = 'board-push';

export type { Board, Figures } from '../domain/board';

const round1 = (n: number) => Math.round(n * 10) / 10;

function figures(g: Counters | undefined, d: Counters | undefined, oldest: string | undefined, nowMs: number): Figures {
  const accepted = d?.accepted ?? 0;
  const handled = d?.handled ?? 0;
  return {
    waiting: g?.waiting ?? 0,
    // A head read beside counters that show nobody in line (a race between the two reads) is no wait.
    longestWaitSeconds: oldest && inLine(g) ? Math.max(0, Math.floor((nowMs - Date.parse(oldest)) / 1000)) : 0,
    offered: g?.offered ?? 0,
    inProgress: g?.inProgress ?? 0,
    closedToday: d?.closed ?? 0,
    acceptedToday: accepted,
    averageWaitToAcceptSeconds: accepted ? round1((d?.acceptWaitMs ?? 0) / accepted / 1000) : null,
    averageHandleSeconds: handled ? round1((d?.handleMs ?? 0) / handled / 1000) : null,
    serviceLevel: accepted ? Math.round(((d?.acceptedInSl ?? 0) / accepted) * 1000) / 1000 : null,
  };
}

/** Up to this many queues and accounts shown, their line heads are read in the same round as the counters. */
const EAGER_HEADS = 24;

const inLine = (g: Counters | undefined) => (g?.waiting ?? 0) + (g?.offered ?? 0) > 0;

export async function readBoard(filter: { accountId?: string; teamId?: string } = {}): Promise<Board> {
  const nowMs = now();
  const day = dayOf(nowMs);
  // The listings (queues, accounts, agents) come from this container's short cache, which this process's admin
  // writes drop at once; the counters, line heads and presence are read every time, in one round on most boards.
  const [queues, accounts, agents, team] = await Promise.all([
    listQueuesCached(),
    listAllAccountsCached(),
    listAgentsCached(),
    filter.teamId ? membersOf('TEAM', filter.teamId).then((ids) => new Set(ids)) : undefined,
  ]);
  const people = agents.filter((a) => a.role === 'agent' && (!team || team.has(a.id)));
  // A team narrows the board to its agents and to the queues and accounts at least one of them serves.
  const [teamQueues, teamAccounts] = await Promise.all(
    (['QUEUE', 'ACCOUNT'] as const).map(async (kind) => (team ? new Set((await Promise.all([...team].map((a) => parentsOf(kind, a)))).flat()) : undefined)),
  );
  const shownAccounts = accounts.filter((a) => (!filter.accountId || a.id === filter.accountId) && (!teamAccounts || teamAccounts.has(a.id)));
  const shownQueues = queues.filter((q) => !teamQueues || teamQueues.has(q.id));
  const heads = (gauges?: Map<string, Counters>) =>
    Promise.all([
      Promise.all(shownQueues.map(async (q) => (!gauges || inLine(gauges.get(`QUEUE#${q.id}`)) ? (await lineHead(q.id, 1))[0]?.enteredAt : undefined))),
      Promise.all(shownAccounts.map((a) => (!gauges || inLine(gauges.get(`ACCOUNT#${a.id}`)) ? oldestWaitingOf(a.id) : Promise.resolve(undefined)))),
    ]);
  // A board of a few lines reads their heads beside the counters (one round); a larger one only the heads of the
  // lines the counters show waiting (a second round, fewer reads).
  const eager = shownQueues.length + shownAccounts.length <= EAGER_HEADS;
  const [{ gauges, daily }, presence, early] = await Promise.all([readCounters(day), presenceOf(people.map((a) => a.id)), eager ? heads() : undefined]);
  const [queueHeads, accountHeads] = early ?? (await heads(gauges));
  return {
    at: new Date(nowMs).toISOString(),
    day,
    serviceLevelSeconds: config.SERVICE_LEVEL_SECONDS,
    accounts: shownAccounts.map((a, i) => ({
      accountId: a.id,
      name: a.name,
      channel: a.channel,
      ...figures(gauges.get(`ACCOUNT#${a.id}`), daily.get(`ACCOUNT#${a.id}`), accountHeads[i], nowMs),
    })),
    queues: shownQueues.map((q, i) => ({
      queueId: q.id,
      name: q.name,
      strategy: q.strategy,
      ...figures(gauges.get(`QUEUE#${q.id}`), daily.get(`QUEUE#${q.id}`), queueHeads[i], nowMs),
    })),
    agents: people.map((a) => {
      const p = presence.get(a.id)!;
      return {
        agentId: a.id,
        username: a.username,
        fullName: a.fullName,
        presence: p.status,
        ...(p.reason ? { reason: p.reason } : {}),
        load: { sms: p.holds.sms.length, whatsapp: p.holds.whatsapp.length },
        capacity: p.capacity,
        handledToday: daily.get(`AGENT#${a.id}`)?.handled ?? 0,
      };
    }),
  };
}

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
  const board = await readBoard();
  const pushes: Promise<unknown>[] = [];
  const subscribed = await subscribers();
  if (subscribed.length) pushes.push(notifyConnections(subscribed, { type: 'board.updated', accountId: '', board }));
  const changedQueues = new Set(
    [...new Set([...Object.keys(counts), ...Object.keys(previous)])].filter((k) => counts[k] !== previous[k]).map((k) => k.split('#')[1]!),
  );
  const names = new Map(board.queues.map((q) => [q.queueId, q.name]));
  // Members of the changed queues, their accounts and their connections: each read once, all in parallel.
  const queueIds = [...changedQueues];
  const members = await Promise.all(queueIds.map((q) => membersOf('QUEUE', q)));
  const agentIds = [...new Set(members.flat())];
  const [accountLists, presence] = await Promise.all([Promise.all(agentIds.map((a) => parentsOf('ACCOUNT', a))), presenceOf(agentIds)]);
  const accountsOf = new Map(agentIds.map((a, i) => [a, accountLists[i]!]));
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
