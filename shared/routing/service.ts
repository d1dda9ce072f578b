/**
 * Routing: an interaction enters its account's plan, is offered to agents by queue strategy or by name, waits for
 * an accept with a timeout, waits for its assigned agent (then that agent's queue) when a new message finds the
 * agent away, can be transferred (and comes back unread when nobody takes it), and closes on inactivity. Every
 * timer carries the version (or the queue wait) it was armed for; a timer for an older one does nothing.
 *
 * Queues behave like a voice queue: an agent holds at most its capacity per channel (pending offers count), an
 * interaction that finds no free member waits in the queue's line, and whenever an agent gets room (online,
 * unpaused, an interaction closed, transferred away, rejected or timed out, capacity raised, added to a queue) it is
 * offered the longest-waiting interaction of its queues (`serveAgents`).
 */
import type { ContentPart } from '../domain/content';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError, ValidationError } from '../errors';
import { renderNotification } from '../domain/notification';
import { nextMove, chooseAgents, type ConditionFacts } from '../domain/routing';
import { holders, lineOf, MAX_RING_ALL, nextForAgent, type Capacity, type QueueingFacts } from '../domain/queueing';
import { log } from '../logger';
import { now, nowIso } from '../ports/clock';
import { armTimer, cancelTimers, timerName } from '../ports/timers';
import { notifyAccount, notifyAgents, notifyConnections, type RealtimeEvent } from '../realtime/notify';
import { getAccountCached, type Account } from '../store/accounts';
import { TtlCache } from '../store/cache';
import { closeInteraction, getInteraction } from '../store/interactions';
import { getContact } from '../store/lists';
import { isMember, membersOf, parentsOf, queueMembersCached } from '../store/memberships';
import { getPresence, lastServed, presenceAndSpies, presenceOf, recordAssignment, roomOf, setLastServed, setPresence } from '../store/presence';
import { getQueue, type Queue } from '../store/queues';
import { updateInteraction, type RoutedInteraction, type RoutingPhase, type RoutingState } from '../store/routing';
import { AtCapacityError } from '../store/transition';
import { fullLine, lineHead, type LineItem } from '../store/waiting-line';
import { boardChanged } from './board';
import { onTimer } from '../timers/dispatch';
import { sendMessage } from '../ports/queue';
import { stableUlid } from '../ids';
import { requestServe, TIMER_SERVE } from './serve-request';

export const TIMER_ROUTE = 'route-timeout';
export const TIMER_OFFER = 'offer-timeout';
export const TIMER_INACTIVITY = 'inactivity';
export const TIMER_SESSION = 'session-expiry';
export const INACTIVITY_DISPOSITION = 'Closed for inactivity';

const OFFERABLE = new Set(['offered', 'waiting-agent', 'waiting-queue', 'transfer', 'unassigned']);

const queueing = (i: RoutedInteraction) => i as unknown as QueueingFacts;

/** Names one wait in one queue: a queue timer armed for it does nothing once the interaction waits elsewhere. */
const waitKey = (r: RoutingState | undefined) => (r?.queueId && r.enteredAt ? `${r.queueId}#${r.enteredAt}#${r.step}` : undefined);

/** In a queue step the phase says whether anybody is offered it; the agent-away and no-step-left waits keep theirs. */
function phaseFor(base: RoutingPhase, offeredTo: string[]): RoutingPhase {
  if (base === 'offered' || base === 'waiting') return offeredTo.length ? 'offered' : 'waiting';
  return base;
}

/**
 * Every routing write goes through here: after it, the agents it freed are offered the next waiting interaction
 * and the board learns that something changed (pushed at most once a second).
 */
async function write(current: RoutedInteraction, changes: Parameters<typeof updateInteraction>[1]): Promise<RoutedInteraction> {
  const next = await updateInteraction(current, changes);
  await settle(current, next);
  return next;
}

async function settle(before: RoutedInteraction, after: RoutedInteraction): Promise<void> {
  const now = new Set(holders(queueing(after)));
  const released = holders(queueing(before)).filter((a) => !now.has(a));
  await Promise.all([requestServe(released), boardChanged()]);
}

async function load(interactionId: string): Promise<{ interaction: RoutedInteraction; account: Account }> {
  const interaction = (await getInteraction(interactionId, true)) as RoutedInteraction | undefined;
  if (!interaction) throw new NotFoundError(`interaction ${interactionId}`);
  const account = await getAccountCached(interaction.accountId);
  if (!account) throw new NotFoundError(`account ${interaction.accountId}`);
  return { interaction, account };
}

const queueCache = new TtlCache<Queue | undefined>(5000);
const cachedQueue = (id: string) => queueCache.get(id, () => getQueue(id));

/** Contact fields beyond the phone cost a read: only when the plan's conditions or the template use them. */
const CONTACT_DETAILS = /contact\.(firstName|lastName|email)/;

async function facts(interaction: RoutedInteraction, account: Account, text: string): Promise<ConditionFacts> {
  const needed = account.settings.routing.some((step) => step.type === 'gotoif' && step.condition.kind === 'value' && CONTACT_DETAILS.test(step.condition.field));
  const contact = needed ? await getContact(interaction.listId, interaction.contactId) : undefined;
  return {
    contact: {
      phone: interaction.contactPhone,
      listId: interaction.listId,
      ...(contact?.firstName ? { firstName: contact.firstName } : {}),
      ...(contact?.lastName ? { lastName: contact.lastName } : {}),
      ...(contact?.email ? { email: contact.email } : {}),
    },
    message: { text },
    nowMs: now(),
  };
}

/** The text, sound and shake of an offer or new-message notification, from the account's template. */
async function notificationBody(account: Account, interaction: RoutedInteraction, text?: string) {
  const template = account.settings.notification.template;
  const queueId = interaction.routing?.queueId;
  const queue = queueId && template.includes('queue') ? await cachedQueue(queueId) : undefined;
  const contact = CONTACT_DETAILS.test(template) ? await getContact(interaction.listId, interaction.contactId) : undefined;
  const rendered = renderNotification(template, {
    account: { id: account.id, name: account.name, key: account.key, channel: account.channel },
    contact: {
      mobile: interaction.contactPhone,
      ...(contact?.firstName ? { firstName: contact.firstName } : {}),
      ...(contact?.lastName ? { lastName: contact.lastName } : {}),
    },
    ...(queue ? { queue: { id: queue.id, name: queue.name } } : {}),
    ...(text !== undefined ? { message: { text } } : {}),
  });
  return { text: rendered, sound: account.settings.notification.sound, shake: account.settings.notification.shake };
}

function event(type: RealtimeEvent['type'], interaction: RoutedInteraction, extra: Record<string, unknown> = {}): RealtimeEvent {
  return {
    type,
    accountId: interaction.accountId,
    interactionId: interaction.id,
    version: interaction.version,
    channel: interaction.channel,
    contactPhone: interaction.contactPhone,
    agentId: interaction.agentId,
    routing: interaction.routing,
    unread: interaction.unread,
    ...extra,
  };
}

async function armRouteTimer(interaction: RoutedInteraction, seconds: number): Promise<string> {
  const dueAt = now() + seconds * 1000;
  const wait = waitKey(interaction.routing);
  await armTimer({
    name: timerName(interaction.id, 'route'),
    kind: TIMER_ROUTE,
    dueAt,
    payload: { interactionId: interaction.id, version: interaction.version, ...(wait ? { wait } : {}) },
  });
  return new Date(dueAt).toISOString();
}

/** One-at-a-time queues: the offer to one agent rings this long, then the next free member is tried. */
async function armOfferTimer(interaction: RoutedInteraction, queue: Queue, agentId: string): Promise<void> {
  await armTimer({
    name: timerName(interaction.id, 'offer'),
    kind: TIMER_OFFER,
    dueAt: now() + (queue.offerTimeoutSeconds ?? 30) * 1000,
    payload: { interactionId: interaction.id, agentId, wait: waitKey(interaction.routing) ?? '' },
  });
}

interface Candidate {
  agentId: string;
  lastAssignedAt?: string;
  handledCount?: number;
  connectionIds: string[];
  load: number;
  room: Capacity;
}

/** Online members of the queue in the account with room on the channel, except those named. */
async function freeQueueMembers(
  queueId: string,
  accountId: string,
  channel: keyof Capacity,
  except: readonly string[],
  spying?: { interactionId: string; spies?: string[] },
): Promise<Candidate[]> {
  return (await onlineQueueMembers(queueId, accountId, spying)).filter((c) => c.room[channel] > 0 && !except.includes(c.agentId));
}

/**
 * Members of the queue who also belong to the account and are online, with their connections; with `spying`, the
 * interaction's spies are read in the same BatchGet and left in `spying.spies` for the notifier.
 */
async function onlineQueueMembers(queueId: string, accountId: string, spying?: { interactionId: string; spies?: string[] }): Promise<Candidate[]> {
  const [queueMembers, accountMembers] = await Promise.all([
    queueMembersCached(queueId),
    membersOf('ACCOUNT', accountId),
  ]);
  const eligible = queueMembers.filter((a) => accountMembers.includes(a));
  const { presence, spies } = await presenceAndSpies(eligible, spying?.interactionId);
  if (spying) spying.spies = spies;
  return eligible
    .map((id) => presence.get(id)!)
    .filter((p) => p.status === 'online')
    .map((p) => ({
      agentId: p.agentId,
      ...(p.lastAssignedAt ? { lastAssignedAt: p.lastAssignedAt } : {}),
      handledCount: p.handledCount ?? 0,
      connectionIds: p.connectionIds,
      load: p.holds.sms.length + p.holds.whatsapp.length,
      room: roomOf(p),
    }));
}

/** The connections of the chosen agents, from the candidates already read (no second read to notify them). */
const connectionsOfChosen = (candidates: Candidate[], chosen: string[]) =>
  candidates.filter((c) => chosen.includes(c.agentId)).flatMap((c) => c.connectionIds);

/**
 * Sets a new routing state (version + 1), arms its timer for the new version, and tells the offered agents.
 * The timer is armed after the write so it names the version the write produced.
 */
async function offer(
  current: RoutedInteraction,
  account: Account,
  state: Omit<RoutingState, 'deadline'>,
  timeoutSeconds: number,
  eventType: RealtimeEvent['type'] = 'interaction.offered',
  changes: { agentId?: string | undefined; queueId?: string | undefined } = {},
  knownConnections?: string[],
  knownSpies?: string[],
): Promise<RoutedInteraction> {
  const written = await write(current, { routing: { ...state, deadline: new Date(now() + timeoutSeconds * 1000).toISOString() }, ...changes });
  // The agents hear of the offer while its timer is armed: both follow the write, neither needs the other.
  const tell = async () => {
    if (!state.offeredTo.length) return;
    const body = event(eventType, written, await notificationBody(account, written));
    if (knownConnections) await notifyConnections(knownConnections, body, knownSpies);
    else await notifyAgents(state.offeredTo, body);
  };
  await Promise.all([armRouteTimer(written, timeoutSeconds), tell()]);
  return written;
}

/** Runs the plan from `fromStep` until a step waits (queue, agent), closes, or the plan ends. */
async function advance(current: RoutedInteraction, account: Account, fromStep: number, text: string): Promise<RoutedInteraction> {
  let interaction = current;
  let step = fromStep;
  const known = await facts(interaction, account, text);
  for (let guard = 0; guard < 60; guard++) {
    const move = nextMove(account.settings.routing, step, known);
    switch (move.kind) {
      case 'autoreply':
        await queueSystemReply(interaction, move.text, move.step);
        step = move.step + 1;
        continue;
      case 'close':
        await closeBySystem(interaction, 'routing', move.disposition);
        return interaction;
      case 'end': {
        // No step left: it waits in its last queue's line (keeping its place there), else for any member.
        const lastQueue = interaction.routing?.queueId ?? interaction.queueId;
        const keepPlace = lineOf(queueing(interaction))?.queueId === lastQueue ? interaction.routing?.enteredAt : undefined;
        interaction = await write(interaction, {
          routing: { phase: 'unassigned', step: move.step, offeredTo: [], ...(lastQueue ? { queueId: lastQueue, enteredAt: keepPlace ?? nowIso(), declined: [] } : {}) },
          agentId: undefined,
        });
        await notifyAccount(account.id, event('interaction.updated', interaction, await notificationBody(account, interaction)));
        if (lastQueue) {
          // Members with room may take it now; the others hear of it when they get room.
          const queue = await cachedQueue(lastQueue);
          if (queue) await requestServe((await freeQueueMembers(queue.id, account.id, interaction.channel, [])).map((c) => c.agentId));
        }
        return interaction;
      }
      case 'agent': {
        if (!(await isMember('ACCOUNT', account.id, move.agentId))) {
          step = move.step + 1;
          continue;
        }
        try {
          return await offer(interaction, account, { phase: 'offered', step: move.step, offeredTo: [move.agentId] }, move.timeoutSeconds);
        } catch (error) {
          // The agent has no room: as if it were not there, the plan goes on.
          if (!(error instanceof AtCapacityError)) throw error;
          step = move.step + 1;
          continue;
        }
      }
      case 'queue': {
        const queue = await cachedQueue(move.queueId);
        if (!queue) {
          log.warn('routing step names a missing queue; skipping it', { accountId: account.id, queueId: move.queueId });
          step = move.step + 1;
          continue;
        }
        return enterQueue(interaction, account, queue, move.step, move.timeoutSeconds, 'offered');
      }
    }
  }
  return interaction;
}

/**
 * The interaction enters the queue (a plan step, or the away agent's queue): it takes its place in the line (kept
 * when it is already waiting there), is offered to the free members the strategy picks, and its queue timer starts.
 * A member who filled up meanwhile is left out and the choice made again.
 */
async function enterQueue(
  interaction: RoutedInteraction,
  account: Account,
  queue: Queue,
  step: number,
  timeoutSeconds: number,
  base: 'offered' | 'waiting-queue',
): Promise<RoutedInteraction> {
  const r = interaction.routing;
  const sameWait = r?.queueId === queue.id && lineOf(queueing(interaction)) !== undefined;
  const enteredAt = sameWait && r?.enteredAt ? r.enteredAt : nowIso();
  const declined = sameWait ? (r?.declined ?? []) : [];
  const except = queue.reofferDeclined ? [] : [...declined];
  for (let attempt = 0; ; attempt++) {
    const spying: { interactionId: string; spies?: string[] } = { interactionId: interaction.id };
    const candidates = await freeQueueMembers(queue.id, account.id, interaction.channel, except, spying);
    const chosen = chooseAgents(queue.strategy, candidates, queue.strategy === 'round-robin' ? await lastServed(queue.id) : undefined).slice(0, MAX_RING_ALL);
    try {
      const written = await offer(
        interaction,
        account,
        {
          phase: phaseFor(base, chosen),
          step,
          offeredTo: chosen,
          queueId: queue.id,
          enteredAt,
          declined,
          ...(sameWait && r?.offeredAt ? { offeredAt: r.offeredAt } : chosen.length ? { offeredAt: nowIso() } : {}),
        },
        timeoutSeconds,
        'interaction.offered',
        base === 'offered' ? { queueId: queue.id } : {},
        connectionsOfChosen(candidates, chosen),
        spying.spies,
      );
      if (chosen[0] && queue.strategy !== 'ring-all') await armOfferTimer(written, queue, chosen[0]);
      return written;
    } catch (error) {
      if (!(error instanceof AtCapacityError) || attempt >= 5) throw error;
      except.push(error.agentId);
    }
  }
}

/** An autoreply step's message: its id is stable per interaction and step, so a retried routing sends it once. */
async function queueSystemReply(interaction: RoutedInteraction, text: string, step: number): Promise<void> {
  const correlationId = stableUlid(Date.parse(interaction.createdAt) + step + 1, `autoreply#${interaction.id}#${step}`);
  await sendMessage('outbound', {
    body: JSON.stringify({ kind: 'auto-reply', accountId: interaction.accountId, interactionId: interaction.id, to: interaction.contactPhone, text, correlationId }),
  });
}

async function closeBySystem(interaction: RoutedInteraction, reason: string, disposition?: string): Promise<void> {
  const closed = await closeInteraction(interaction, reason, disposition);
  // The freed agent's next offer need not wait for the close to be told around.
  await Promise.all([
    cancelTimers(['route', 'offer', 'inactivity'].map((kind) => timerName(interaction.id, kind))),
    notifyAccount(interaction.accountId, event('interaction.closed', closed as RoutedInteraction, { reason, disposition })),
    settle(interaction, closed as RoutedInteraction),
  ]);
}

/**
 * A new interaction enters its account's plan; a WhatsApp one also gets its 24 h session timer. The inbound path
 * hands over the interaction it has just read and the account, so routing reads neither again.
 */
export async function routeNew(interaction: RoutedInteraction, account: Account, text: string): Promise<void> {
  if (interaction.status !== 'open' || interaction.routing) return; // already routed: a redelivery
  if (interaction.sessionExpiresAt) {
    await armTimer({
      name: timerName(interaction.id, 'session'),
      kind: TIMER_SESSION,
      dueAt: Date.parse(interaction.sessionExpiresAt),
      payload: { interactionId: interaction.id },
    });
  }
  await advance(interaction, account, 0, text);
}

/**
 * A new message on an interaction already routed. Its agent, when present (online with a connection), is told;
 * otherwise the message waits `waitForAgentSeconds` for that agent, then `waitForQueueSeconds` in that agent's queue.
 */
export async function routeFollowUp(interaction: RoutedInteraction, account: Account, text: string, messageId: string, parts?: ContentPart[]): Promise<void> {
  if (interaction.status !== 'open') return;
  if (!interaction.routing) return routeNew(interaction, account, text);
  const body = await notificationBody(account, interaction, text);
  if (interaction.routing.phase === 'assigned' && interaction.agentId) {
    const agentId = interaction.agentId;
    const presence = (await presenceOf([agentId])).get(agentId);
    if (presence?.status === 'online' && presence.connectionIds.length > 0) {
      await notifyConnections(presence.connectionIds, event('message.received', interaction, { ...body, messageId, messageText: text, ...(parts ? { messageParts: parts } : {}) }));
      return;
    }
    await offer(
      interaction,
      account,
      {
        phase: 'waiting-agent',
        step: interaction.routing.step,
        offeredTo: [agentId],
        ...(interaction.queueId ? { queueId: interaction.queueId } : {}),
        ...(interaction.routing.assignedAt ? { assignedAt: interaction.routing.assignedAt } : {}),
      },
      account.settings.waitForAgentSeconds,
    );
    return;
  }
  const audience = interaction.routing.phase === 'unassigned' ? await membersOf('ACCOUNT', account.id) : interaction.routing.offeredTo;
  await notifyAgents(audience, event('message.received', interaction, { ...body, messageId, messageText: text, ...(parts ? { messageParts: parts } : {}) }));
}

async function returnToSender(interaction: RoutedInteraction, account: Account): Promise<void> {
  const sender = interaction.routing?.transferFrom;
  if (!sender) return;
  const back = await write(interaction, {
    agentId: sender,
    routing: {
      phase: 'assigned',
      step: interaction.routing?.step ?? 0,
      offeredTo: [],
      ...(interaction.queueId ? { queueId: interaction.queueId } : {}),
      assignedAt: interaction.routing?.assignedAt ?? nowIso(),
    },
    unread: Math.max(1, interaction.unread ?? 0),
  });
  await notifyAgents([sender], event('interaction.returned', back, await notificationBody(account, back)));
}

/** The agent's queue when it is away: the one the interaction came through, else the agent's first queue. */
async function queueOfAgent(interaction: RoutedInteraction): Promise<string | undefined> {
  if (interaction.queueId) return interaction.queueId;
  if (!interaction.agentId) return undefined;
  return (await parentsOf('QUEUE', interaction.agentId))[0];
}

async function moveOn(interaction: RoutedInteraction, account: Account): Promise<void> {
  const routing = interaction.routing;
  if (!routing) return;
  switch (routing.phase) {
    case 'offered':
    case 'waiting':
      await advance(interaction, account, routing.step + 1, '');
      return;
    case 'waiting-agent': {
      const queueId = await queueOfAgent(interaction);
      const queue = queueId ? await cachedQueue(queueId) : undefined;
      if (!queue) {
        await advance(interaction, account, routing.step + 1, '');
        return;
      }
      await enterQueue(interaction, account, queue, routing.step, account.settings.waitForQueueSeconds, 'waiting-queue');
      return;
    }
    case 'waiting-queue':
      await advance(interaction, account, routing.step + 1, '');
      return;
    case 'transfer':
      await returnToSender(interaction, account);
      return;
    default:
      return;
  }
}

onTimer(TIMER_ROUTE, async (timer) => {
  const interactionId = String(timer.payload.interactionId);
  const { interaction, account } = await load(interactionId).catch(() => ({ interaction: undefined, account: undefined }));
  // A timer armed for an older version, or for a closed interaction, does nothing. A queue timer belongs to its wait:
  // offers to members during the wait change the version, not the wait.
  if (!interaction || !account || interaction.status !== 'open') return;
  const sameWait = typeof timer.payload.wait === 'string' && waitKey(interaction.routing) === timer.payload.wait && lineOf(queueing(interaction)) !== undefined;
  if (interaction.version !== timer.payload.version && !sameWait) return;
  try {
    await moveOn(interaction, account);
  } catch (error) {
    if (error instanceof StaleVersionError) return; // an accept won the race
    throw error;
  }
});

onTimer(TIMER_OFFER, async (timer) => {
  const agentId = String(timer.payload.agentId);
  const { interaction, account } = await load(String(timer.payload.interactionId)).catch(() => ({ interaction: undefined, account: undefined }));
  if (!interaction || !account || interaction.status !== 'open') return;
  const routing = interaction.routing;
  // Only the offer this timer was armed for: same wait, still offered to that agent, not yet accepted.
  if (!routing || waitKey(routing) !== timer.payload.wait || !routing.offeredTo.includes(agentId) || !lineOf(queueing(interaction))) return;
  try {
    await declineAndPass(interaction, account, agentId);
  } catch (error) {
    if (!(error instanceof StaleVersionError)) throw error;
  }
});

/**
 * The agent rejected the interaction or let its offer time out: it is not offered it again in this wait (unless
 * the queue says so), and a one-at-a-time queue offers it to the next free member; with nobody, it waits in line.
 */
async function declineAndPass(interaction: RoutedInteraction, account: Account, agentId: string): Promise<void> {
  const routing = interaction.routing!;
  const queue = routing.queueId ? await cachedQueue(routing.queueId) : undefined;
  const declined = [...new Set([...(routing.declined ?? []), agentId])];
  const rest = routing.offeredTo.filter((a) => a !== agentId);
  const except = queue?.reofferDeclined ? [agentId] : [...declined];
  for (let attempt = 0; ; attempt++) {
    let candidates: Candidate[] = [];
    let chosen: string[] = [];
    if (queue && rest.length === 0 && queue.strategy !== 'ring-all') {
      candidates = await freeQueueMembers(queue.id, account.id, interaction.channel, except);
      chosen = chooseAgents(queue.strategy, candidates, queue.strategy === 'round-robin' ? await lastServed(queue.id) : undefined).slice(0, 1);
    }
    const offeredTo = [...rest, ...chosen];
    try {
      const written = await write(interaction, {
        routing: { ...routing, phase: phaseFor(routing.phase, offeredTo), offeredTo, declined, ...(offeredTo.length && !routing.offeredAt ? { offeredAt: nowIso() } : {}) },
      });
      if (chosen[0] && queue) {
        await Promise.all([
          armOfferTimer(written, queue, chosen[0]),
          notifyConnections(connectionsOfChosen(candidates, chosen), event('interaction.offered', written, await notificationBody(account, written))),
        ]);
      }
      return;
    } catch (error) {
      if (!(error instanceof AtCapacityError) || attempt >= 5) throw error;
      except.push(error.agentId);
    }
  }
}

onTimer(TIMER_SERVE, async (timer) => {
  await serveAgents([String(timer.payload.agentId)]);
});

/**
 * Offers each agent, for as long as it has room, the longest-waiting interaction of its queues that it may take.
 * Never throws (a failure leaves the interaction waiting in line for the next trigger).
 */
export async function serveAgents(agentIds: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(agentIds)].map((agentId) =>
      serveAgent(agentId).catch((error: unknown) => log.warn('could not offer waiting interactions to an agent', { agentId, error })),
    ),
  );
}

const HEAD = 25;

async function serveAgent(agentId: string): Promise<void> {
  let queues: Map<string, Queue> | undefined;
  let accountIds: Set<string> | undefined;
  for (let round = 0; round < 20; round++) {
    // The agent's presence, queues and accounts in one round: the offer's latency is the number of rounds.
    const [presence, queueIds, accounts] = await Promise.all([
      getPresence(agentId, true),
      queues ? undefined : parentsOf('QUEUE', agentId),
      accountIds ? undefined : parentsOf('ACCOUNT', agentId),
    ]);
    if (presence.status !== 'online') return;
    const room = roomOf(presence);
    if (room.sms + room.whatsapp === 0) return;
    accountIds ??= new Set(accounts);
    if (!queues) {
      if (!queueIds?.length) return;
      queues = new Map((await Promise.all(queueIds.map((id) => cachedQueue(id)))).filter((q): q is Queue => Boolean(q)).map((q) => [q.id, q]));
    }
    const known = queues;
    const heads = await Promise.all([...known.keys()].map((q) => lineHead(q, HEAD)));
    if (heads.every((h) => h.length === 0)) return;
    const context = {
      accountIds,
      room,
      ringAll: (q: string) => known.get(q)?.strategy === 'ring-all',
      reofferDeclined: (q: string) => known.get(q)?.reofferDeclined === true,
    };
    let next = nextForAgent(agentId, heads.flat(), context);
    if (!next && heads.some((h) => h.length === HEAD)) {
      // Everything at the head is for others: read on through the lines that go further.
      const longer = await Promise.all([...known.keys()].filter((_, i) => heads[i]!.length === HEAD).map((q) => fullLine(q)));
      next = nextForAgent(agentId, [...heads.flat(), ...longer.flat()], context);
    }
    if (!next) return;
    await offerWaiting(next as LineItem, agentId, known.get(next.queueId)!, presence.connectionIds);
  }
}

/** Adds the agent to the offer of one waiting interaction; a lost race (or a full agent) just ends this try. */
async function offerWaiting(entry: LineItem, agentId: string, queue: Queue, connectionIds: string[]): Promise<boolean> {
  const { interaction, account } = await load(entry.interactionId);
  const routing = interaction.routing;
  if (!routing || routing.queueId !== queue.id || !lineOf(queueing(interaction)) || routing.offeredTo.includes(agentId)) return false;
  if (queue.strategy !== 'ring-all' && routing.offeredTo.length > 0) return false;
  if (routing.offeredTo.length >= MAX_RING_ALL) return false;
  if (!queue.reofferDeclined && routing.declined?.includes(agentId)) return false;
  const offeredTo = [...routing.offeredTo, agentId];
  let written: RoutedInteraction;
  try {
    written = await write(interaction, { routing: { ...routing, phase: phaseFor(routing.phase, offeredTo), offeredTo, offeredAt: routing.offeredAt ?? nowIso() } });
  } catch (error) {
    if (error instanceof StaleVersionError || error instanceof AtCapacityError) return false;
    throw error;
  }
  await Promise.all([
    queue.strategy !== 'ring-all' ? armOfferTimer(written, queue, agentId) : Promise.resolve(),
    notifyConnections(connectionIds, event('interaction.offered', written, await notificationBody(account, written))),
  ]);
  return true;
}

onTimer(TIMER_INACTIVITY, async (timer) => {
  const interaction = (await getInteraction(String(timer.payload.interactionId), true)) as RoutedInteraction | undefined;
  if (!interaction || interaction.status !== 'open') return;
  const armedAt = Date.parse(String(timer.payload.armedAt));
  // The customer wrote after the agent's last message: not inactive.
  if (Date.parse(interaction.lastInboundAt) > armedAt) return;
  try {
    await closeBySystem(interaction, 'inactivity', INACTIVITY_DISPOSITION);
  } catch (error) {
    if (!(error instanceof StaleVersionError)) throw error;
    // Something changed the interaction meanwhile; try again on the fresh version.
    const fresh = (await getInteraction(interaction.id, true)) as RoutedInteraction | undefined;
    if (fresh?.status === 'open' && Date.parse(fresh.lastInboundAt) <= armedAt) await closeBySystem(fresh, 'inactivity', INACTIVITY_DISPOSITION);
  }
});

onTimer(TIMER_SESSION, async (timer) => {
  const interaction = (await getInteraction(String(timer.payload.interactionId), true)) as RoutedInteraction | undefined;
  if (!interaction || interaction.status !== 'open' || !interaction.sessionExpiresAt) return;
  if (Date.parse(interaction.sessionExpiresAt) > now()) return;
  await closeBySystem(interaction, 'session-expired').catch((error: unknown) => {
    if (!(error instanceof StaleVersionError)) throw error;
  });
});

/** Arms (or re-arms) the inactivity close after an agent's message. */
export async function armInactivity(interaction: RoutedInteraction, account: Account): Promise<void> {
  const minutes = account.settings.inactivityTimeoutMinutes;
  if (!minutes) return;
  await armTimer({
    name: timerName(interaction.id, 'inactivity'),
    kind: TIMER_INACTIVITY,
    dueAt: now() + minutes * 60_000,
    payload: { interactionId: interaction.id, armedAt: nowIso() },
  });
}

async function requireMember(agentId: string, accountId: string): Promise<void> {
  if (!(await isMember('ACCOUNT', accountId, agentId))) throw new ForbiddenError('you do not belong to this account');
}

export async function accept(agentId: string, interactionId: string): Promise<RoutedInteraction> {
  const { interaction, account } = await load(interactionId);
  await requireMember(agentId, account.id);
  const routing = interaction.routing;
  if (interaction.status !== 'open') throw new ConflictError('CLOSED', 'the interaction is closed');
  if (interaction.agentId === agentId && routing?.phase === 'assigned') return interaction;
  const offeredToMe = routing && OFFERABLE.has(routing.phase) && (routing.phase === 'unassigned' || routing.offeredTo.includes(agentId));
  if (!offeredToMe) throw new ConflictError('NOT_OFFERED', 'the interaction is not offered to you');
  const assigned = await updateInteraction(interaction, {
    agentId,
    routing: {
      phase: 'assigned',
      step: routing.step,
      offeredTo: [],
      ...(routing.queueId ? { queueId: routing.queueId } : {}),
      ...(routing.offeredAt ? { offeredAt: routing.offeredAt } : {}),
      assignedAt: nowIso(),
    },
    ...(routing.queueId ? { queueId: routing.queueId } : {}),
  });
  await Promise.all([
    settle(interaction, assigned),
    cancelTimers([timerName(interaction.id, 'offer'), timerName(interaction.id, 'route')]),
    recordAssignment(agentId),
    routing.queueId ? setLastServed(routing.queueId, agentId) : Promise.resolve(),
  ]);
  await notifyAccount(account.id, event('interaction.assigned', assigned));
  return assigned;
}

export async function reject(agentId: string, interactionId: string): Promise<void> {
  const { interaction, account } = await load(interactionId);
  await requireMember(agentId, account.id);
  const routing = interaction.routing;
  if (!routing || !OFFERABLE.has(routing.phase) || !routing.offeredTo.includes(agentId)) {
    throw new ConflictError('NOT_OFFERED', 'the interaction is not offered to you');
  }
  // In a queue's line: not offered to this agent again in this wait, and the next free member may get it.
  if (lineOf(queueing(interaction))) return declineAndPass(interaction, account, agentId);
  const rest = routing.offeredTo.filter((a) => a !== agentId);
  if (rest.length > 0) {
    await write(interaction, { routing: { ...routing, offeredTo: rest } });
    return;
  }
  // Nobody left to answer: move on now rather than at the timeout.
  await moveOn(interaction, account);
}

export async function transfer(agentId: string, interactionId: string, target: { queueId?: string; agentId?: string }): Promise<RoutedInteraction> {
  const { interaction, account } = await load(interactionId);
  if (!account.settings.transfer.enabled) throw new ConflictError('TRANSFER_DISABLED', 'transfer is not enabled on this account');
  if (interaction.agentId !== agentId || interaction.routing?.phase !== 'assigned') {
    throw new ConflictError('NOT_ASSIGNED', 'only the agent handling the interaction can transfer it');
  }
  let offeredTo: string[];
  let queueId: string | undefined;
  if (target.queueId) {
    const queue = await getQueue(target.queueId);
    if (!queue) throw new ValidationError('no such queue', [{ path: 'body.queueId', message: `queue ${target.queueId} does not exist` }]);
    queueId = queue.id;
    offeredTo = (await freeQueueMembers(queue.id, account.id, interaction.channel, [agentId])).map((c) => c.agentId).slice(0, MAX_RING_ALL);
  } else if (target.agentId) {
    if (target.agentId === agentId) throw new ValidationError('cannot transfer to yourself', [{ path: 'body.agentId', message: 'your own id' }]);
    if (!(await isMember('ACCOUNT', account.id, target.agentId))) {
      throw new ValidationError('that agent does not belong to this account', [{ path: 'body.agentId', message: 'not a member of the account' }]);
    }
    offeredTo = [target.agentId];
  } else {
    throw new ValidationError('name a queue or an agent', [{ path: 'body', message: 'queueId or agentId is required' }]);
  }
  return offer(
    interaction,
    account,
    {
      phase: 'transfer',
      step: interaction.routing.step,
      offeredTo,
      transferFrom: agentId,
      ...(queueId ? { queueId } : {}),
      ...(interaction.routing.assignedAt ? { assignedAt: interaction.routing.assignedAt } : {}),
    },
    account.settings.transfer.timeoutSeconds,
    'interaction.transferred',
  );
}

/** A delivery status of a message: to the agent handling the interaction, else to the agents it is offered to. */
export async function notifyStatus(applied: { accountId: string; interactionId: string; messageSk: string; status: string; errorCode?: string; errorMessage?: string }): Promise<void> {
  const interaction = (await getInteraction(applied.interactionId)) as RoutedInteraction | undefined;
  if (!interaction) return;
  const audience = interaction.agentId ? [interaction.agentId] : interaction.routing?.offeredTo.length ? interaction.routing.offeredTo : await membersOf('ACCOUNT', interaction.accountId);
  await notifyAgents(
    audience,
    event('message.status', interaction, {
      messageId: applied.messageSk.replace(/^MSG#/, ''),
      status: applied.status,
      ...(applied.errorCode ? { errorCode: applied.errorCode } : {}),
      ...(applied.errorMessage ? { errorMessage: applied.errorMessage } : {}),
    }),
  );
}

export async function closeByAgent(agentId: string, interactionId: string, disposition: string | undefined, supervising: boolean): Promise<void> {
  const { interaction, account } = await load(interactionId);
  if (interaction.status !== 'open') throw new ConflictError('CLOSED', 'the interaction is already closed');
  if (!supervising && interaction.agentId !== agentId) throw new ConflictError('NOT_ASSIGNED', 'only the agent handling the interaction can close it');
  if (account.settings.disposition.mandatory && !disposition) {
    throw new ValidationError('a disposition is required on this account', [{ path: 'body.disposition', message: 'required' }]);
  }
  await closeBySystem(interaction, 'agent', disposition);
  if (account.settings.disposition.mandatory && account.settings.disposition.pauseId && !supervising) {
    const presence = await setPresence(agentId, 'paused', account.settings.disposition.pauseId);
    await notifyAgents([agentId], { type: 'presence.changed', accountId: account.id, status: presence.status, reason: presence.reason });
  }
}
