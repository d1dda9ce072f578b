/**
 * The live board read: per account and per queue the interactions waiting, the longest wait, offered, in progress and
 * today's closed, average wait to accept, average handle time and service level; per agent its presence, load
 * against capacity and handled today. Figures come from the counters each interaction change maintains
 * (shared/store/board.ts) plus the head of each line for the longest wait: a few reads whatever the traffic.
 * Apart from the push (./board.ts), which arms timers and posts to sockets: the functions that only read the board
 * (the supervisor API, a supervisor's subscription) carry neither the timers' SQS and Scheduler clients nor the
 * management API's.
 */
import { config } from '../config';
import type { Board, Figures } from '../domain/board';
import { dayOf, LINE_CHANGES } from '../domain/queueing';
import { now } from '../ports/clock';
import { listAllAccountsCached } from '../store/accounts';
import { listAgentsCached } from '../store/agents';
import { readCounters, type Counters } from '../store/board';
import { membersOf, parentsOf } from '../store/memberships';
import { presenceOf } from '../store/presence';
import { listQueuesCached } from '../store/queues';
import { lineHead, oldestWaitingOf } from '../store/waiting-line';

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

/** Up to this many queues and accounts shown, the heads the board has not read yet are read beside the counters. */
const EAGER_HEADS = 24;

/**
 * This container's last read of each line's head (`QUEUE#{id}` or `ACCOUNT#{id}`), with the line's change count at
 * that read: while the gauge shows the same count the head has not moved. An account's head comes from a global
 * index, which may lag its table for a moment, so no head is kept longer than a few seconds either way.
 */
const heads = new Map<string, { changes: number; enteredAt: string | undefined; readAt: number }>();
const HEAD_MAX_AGE_MS = 5_000;

const inLine = (g: Counters | undefined) => (g?.waiting ?? 0) + (g?.offered ?? 0) > 0;

interface Line {
  entity: string;
  head: () => Promise<string | undefined>;
}

/**
 * When each line's longest-waiting interaction entered it. A head is read again only when its line's change count
 * moved since this container read it (or it is old): a board of unchanged lines reads none. The counters are read
 * first for that, so a head read after them is at least as new as the count it is kept under.
 */
async function lineHeads(lines: Line[], counters: Promise<{ gauges: Map<string, Counters> }>, eager: boolean, nowMs: number) {
  const known = (line: Line) => {
    const kept = heads.get(line.entity);
    return kept && nowMs - kept.readAt < HEAD_MAX_AGE_MS ? kept : undefined;
  };
  // Lines this container has no recent head of: read at once beside the counters when the board is small.
  const early = new Map(eager ? lines.filter((l) => !known(l)).map((l) => [l.entity, l.head()] as const) : []);
  const { gauges } = await counters;
  return Promise.all(
    lines.map(async (line) => {
      const g = gauges.get(line.entity);
      if (!inLine(g)) return undefined;
      const changes = g?.[LINE_CHANGES] ?? 0;
      const kept = known(line);
      if (kept && kept.changes === changes) return kept.enteredAt;
      const read = early.get(line.entity);
      if (read) {
        // Read beside the counters, so possibly older than their count: right for this board, and kept under no
        // count, so the next board reads it again after its counters and keeps that one.
        const enteredAt = await read;
        heads.set(line.entity, { changes: -1, enteredAt, readAt: nowMs });
        return enteredAt;
      }
      const enteredAt = await line.head();
      heads.set(line.entity, { changes, enteredAt, readAt: nowMs });
      return enteredAt;
    }),
  );
}

export async function readBoard(filter: { accountId?: string; teamId?: string } = {}): Promise<Board> {
  const nowMs = now();
  const day = dayOf(nowMs);
  // The listings (queues, accounts, agents) come from this container's short cache, which this process's admin
  // writes drop at once; the counters and presence are read every time, and a line's head when its line moved.
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
  const lines: Line[] = [
    ...shownQueues.map((q) => ({ entity: `QUEUE#${q.id}`, head: async () => (await lineHead(q.id, 1))[0]?.enteredAt })),
    ...shownAccounts.map((a) => ({ entity: `ACCOUNT#${a.id}`, head: () => oldestWaitingOf(a.id) })),
  ];
  const counters = readCounters(day);
  const [{ gauges, daily }, presence, lineStarts] = await Promise.all([
    counters,
    presenceOf(people.map((a) => a.id)),
    lineHeads(lines, counters, lines.length <= EAGER_HEADS, nowMs),
  ]);
  const queueHeads = lineStarts.slice(0, shownQueues.length);
  const accountHeads = lineStarts.slice(shownQueues.length);
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
