/**
 * Routing end to end on the local engine: signed provider webhooks in, real WebSocket clients for the agents, the
 * agent API over HTTP. Timeouts are the account's real settings (seconds); inactivity uses the clock port.
 */
import type WebSocket from 'ws';
import { closeSocket, eventually, nextMessage, openSocket, useEngine } from '../support/engine';
import { useAcceptingTwilio } from '../support/accepting-twilio';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { signToken } from '../../shared/http/auth';
import { offsetClock, useClock } from '../../shared/ports/clock';
import { twilioProvider } from '../../shared/providers/twilio';
import type { Account } from '../../shared/store/accounts';
import { createAgent } from '../../shared/store/agents';
import { getInteraction } from '../../shared/store/interactions';
import { createList } from '../../shared/store/lists';
import { addMember } from '../../shared/store/memberships';
import { createQueue } from '../../shared/store/queues';
import type { RoutedInteraction } from '../../shared/store/routing';

jest.setTimeout(60_000);

// The agents' replies go to a fake Twilio on loopback that accepts everything.
useAcceptingTwilio();

const engine = useEngine();

interface AgentHandle {
  id: string;
  token: string;
  socket: WebSocket;
  received: { type: string; interactionId?: string; [k: string]: unknown }[];
}

const credentials = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'routing-test-token' };

async function api(agent: AgentHandle, method: string, path: string, body?: unknown) {
  const res = await fetch(`${engine().httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${agent.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function newAgent(name: string): Promise<AgentHandle> {
  const agent = await createAgent({
    username: `${name}${Math.random().toString(36).slice(2, 8)}`,
    fullName: `Agent ${name}`,
    typology: 'webrtc',
    voicemail: false,
    remoteControl: false,
    role: 'agent',
    disabled: false,
  });
  const token = await signToken({ sub: agent.id, username: agent.username, role: 'agent' });
  const socket = await openSocket(`${engine().wsUrl}?token=${token}`);
  const handle: AgentHandle = { id: agent.id, token, socket, received: [] };
  socket.on('message', (data) => handle.received.push(JSON.parse(data.toString()) as AgentHandle['received'][number]));
  return handle;
}

async function online(agent: AgentHandle): Promise<void> {
  expect((await api(agent, 'PUT', '/agent/presence', { status: 'online' })).status).toBe(200);
}

let phoneCounter = 0;
const newPhone = () => `+39333${String(1000000 + ++phoneCounter * 37).padStart(7, '0')}`;

async function inbound(account: Account, from: string, text: string): Promise<void> {
  const url = receiveUrl(account);
  const request = twilioProvider.simulateInbound(
    { url, providerMessageId: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, from, to: account.phone, text, timestampMs: Date.now() },
    credentials,
    { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
  );
  const path = new URL(request.url).pathname;
  const res = await fetch(`${engine().httpUrl}${path}`, { method: request.method, headers: request.headers, body: request.body });
  expect(res.status).toBe(200);
  await res.text();
}

/** The first event of `type` about the interaction (an id) or about the contact's interaction (a phone number). */
function waitFor(agent: AgentHandle, type: string, about: string, timeoutMs = 8000, phase?: string) {
  const matches = (m: AgentHandle['received'][number]) =>
    m.type === type && (m.interactionId === about || m.contactPhone === about) && (!phase || (m.routing as { phase?: string } | undefined)?.phase === phase);
  const already = agent.received.find(matches);
  if (already) return Promise.resolve(already);
  return nextMessage<AgentHandle['received'][number]>(agent.socket, matches, timeoutMs);
}

async function interactionOf(account: Account, phone: string): Promise<RoutedInteraction> {
  return eventually(async () => {
    const res = await fetch(`${engine().httpUrl}/agent/interactions?accountId=${account.id}`, { headers: { authorization: `Bearer ${supervisorToken}` } });
    const { items } = (await res.json()) as { items: RoutedInteraction[] };
    const found = items.find((i) => i.contactPhone === phone && i.status === 'open');
    if (!found) throw new Error(`no open interaction for ${phone} yet`);
    return found;
  });
}

let a1: AgentHandle;
let a2: AgentHandle;
let a3: AgentHandle;
let outsider: AgentHandle;
let account: Account;
let supervisorToken: string;
let queueName: string;

beforeAll(async () => {
  const list = await createList({ name: 'Routing customers' });
  const queue = await createQueue({ name: 'First line', strategy: 'ring-all' });
  queueName = queue.name;
  [a1, a2, a3, outsider] = await Promise.all([newAgent('a1'), newAgent('a2'), newAgent('a3'), newAgent('outsider')]);
  account = await createAccount(
    accountCreateSchema.parse({
      channel: 'sms',
      name: 'Routing desk',
      key: 'RTE',
      type: 'twilio',
      phone: '+14155550123',
      listId: list.id,
      credentials,
      settings: {
        waitForAgentSeconds: 1,
        waitForQueueSeconds: 1,
        inactivityTimeoutMinutes: 1,
        transfer: { enabled: true, timeoutSeconds: 1 },
        routing: [
          { type: 'queue', queueId: queue.id, timeoutSeconds: 2 },
          { type: 'agent', agentId: a3.id, timeoutSeconds: 30 },
        ],
      },
    }),
  );
  for (const agent of [a1, a2, a3]) await addMember('ACCOUNT', account.id, agent.id);
  // The outsider is in the queue but not in the account: it must never hear of the account's interactions.
  for (const agent of [a1, a2, outsider]) await addMember('QUEUE', queue.id, agent.id);
  for (const agent of [a1, a2, a3, outsider]) await online(agent);
  const supervisor = await createAgent({
    username: `sup${Math.random().toString(36).slice(2, 8)}`,
    fullName: 'Supervisor',
    typology: 'webrtc',
    voicemail: false,
    remoteControl: false,
    role: 'supervisor',
    disabled: false,
  });
  supervisorToken = await signToken({ sub: supervisor.id, username: supervisor.username, role: 'supervisor' });
});

afterAll(async () => {
  await Promise.all([a1, a2, a3, outsider].filter(Boolean).map((a) => closeSocket(a.socket)));
});

it('offers a new interaction to the queue, and one agent accepts, replies and closes it', async () => {
  const phone = newPhone();
  await inbound(account, phone, 'hello, I need help');
  const offer1 = await waitFor(a1, 'interaction.offered', phone);
  const offer2 = await waitFor(a2, 'interaction.offered', offer1.interactionId!);
  expect(offer1.text).toBe(`Account: Routing desk\nQueue: ${queueName}\nFrom: ${phone}`);
  expect(offer1).toMatchObject({ sound: true, shake: false, accountId: account.id });
  expect(offer2.version).toBe(offer1.version);
  const id = offer1.interactionId!;

  const accepted = await api(a1, 'POST', `/agent/interactions/${id}/accept`);
  expect(accepted.status).toBe(200);
  expect(accepted.body).toMatchObject({ agentId: a1.id, routing: { phase: 'assigned' } });
  const assigned = await waitFor(a2, 'interaction.assigned', id);
  expect(assigned.agentId).toBe(a1.id);
  expect((await api(a2, 'POST', `/agent/interactions/${id}/accept`)).status).toBe(409);

  const reply = await api(a1, 'POST', `/agent/interactions/${id}/reply`, { text: 'How can I help?' });
  expect(reply.status).toBe(202);
  const close = await api(a1, 'POST', `/agent/interactions/${id}/close`, { disposition: 'Solved' });
  expect(close.status).toBe(204);
  const closed = await waitFor(a2, 'interaction.closed', id);
  expect(closed).toMatchObject({ disposition: 'Solved' });
  const stored = await getInteraction(id, true);
  expect(stored).toMatchObject({ status: 'closed', closeReason: 'agent', disposition: 'Solved', agentId: a1.id });
});

it('moves to the next step of the plan when nobody answers within the timeout', async () => {
  const phone = newPhone();
  await inbound(account, phone, 'anyone there?');
  const offer = await waitFor(a1, 'interaction.offered', phone);
  const id = offer.interactionId!;
  const toA3 = await waitFor(a3, 'interaction.offered', id, 6000);
  expect(toA3.routing).toMatchObject({ phase: 'offered', step: 1, offeredTo: [a3.id] });
  expect(a1.received.filter((m) => m.interactionId === id && m.type === 'interaction.offered')).toHaveLength(1);
  expect((await api(a3, 'POST', `/agent/interactions/${id}/accept`)).status).toBe(200);
  await api(a3, 'POST', `/agent/interactions/${id}/close`, {});
});

it('waits for the assigned agent when it is away, then its queue, then goes on with the plan', async () => {
  const phone = newPhone();
  await inbound(account, phone, 'first message');
  const offer = await waitFor(a1, 'interaction.offered', phone);
  const id = offer.interactionId!;
  expect((await api(a1, 'POST', `/agent/interactions/${id}/accept`)).status).toBe(200);
  await api(a1, 'PUT', '/agent/presence', { status: 'paused', reason: 'lunch' });
  try {
    await inbound(account, phone, 'are you still there?');
    const waiting = await eventually(async () => {
      const i = (await getInteraction(id, true)) as RoutedInteraction;
      if (i.routing?.phase !== 'waiting-agent') throw new Error(`phase ${i.routing?.phase}`);
      return i;
    });
    expect(waiting.routing?.offeredTo).toEqual([a1.id]);
    // After waitForAgentSeconds: the agent's queue (only a2 is online there now).
    const queued = await waitFor(a2, 'interaction.offered', id, 5000, 'waiting-queue');
    expect(queued.routing).toMatchObject({ phase: 'waiting-queue', offeredTo: [a2.id] });
    // After waitForQueueSeconds: the plan goes on from the next step (a3 by name).
    const planned = await waitFor(a3, 'interaction.offered', id, 5000, 'offered');
    expect(planned.routing).toMatchObject({ phase: 'offered', step: 1 });
    expect((await api(a3, 'POST', `/agent/interactions/${id}/accept`)).status).toBe(200);
    await api(a3, 'POST', `/agent/interactions/${id}/close`, {});
  } finally {
    await online(a1);
  }
});

it('returns a transfer nobody accepts to the agent who sent it, as unread', async () => {
  const phone = newPhone();
  await inbound(account, phone, 'please transfer me');
  const offer = await waitFor(a1, 'interaction.offered', phone);
  const id = offer.interactionId!;
  expect((await api(a1, 'POST', `/agent/interactions/${id}/accept`)).status).toBe(200);
  await api(a1, 'POST', `/agent/interactions/${id}/read`);
  const transferred = await api(a1, 'POST', `/agent/interactions/${id}/transfer`, { agentId: a3.id });
  expect(transferred.status).toBe(200);
  await waitFor(a3, 'interaction.transferred', id);
  const back = await waitFor(a1, 'interaction.returned', id, 5000);
  expect(back).toMatchObject({ agentId: a1.id });
  const stored = (await getInteraction(id, true)) as RoutedInteraction;
  expect(stored.agentId).toBe(a1.id);
  expect(stored.routing?.phase).toBe('assigned');
  expect(stored.unread).toBeGreaterThanOrEqual(1);
  await api(a1, 'POST', `/agent/interactions/${id}/close`, {});
});

it('closes an interaction for inactivity with its system disposition', async () => {
  const clock = offsetClock();
  const restore = useClock(clock);
  try {
    const phone = newPhone();
    await inbound(account, phone, 'question');
    const offer = await waitFor(a1, 'interaction.offered', phone);
    const id = offer.interactionId!;
    expect((await api(a1, 'POST', `/agent/interactions/${id}/accept`)).status).toBe(200);
    expect((await api(a1, 'POST', `/agent/interactions/${id}/reply`, { text: 'Here is the answer' })).status).toBe(202);
    clock.advance(61_000);
    const closed = await waitFor(a1, 'interaction.closed', id, 5000);
    expect(closed).toMatchObject({ reason: 'inactivity', disposition: 'Closed for inactivity' });
    expect(await getInteraction(id, true)).toMatchObject({ status: 'closed', closeReason: 'inactivity', disposition: 'Closed for inactivity' });
  } finally {
    restore();
  }
});

it('lets an accept racing the timeout end with exactly one outcome', async () => {
  for (let round = 0; round < 5; round++) {
    const phone = newPhone();
    await inbound(account, phone, `race ${round}`);
    const offer = await waitFor(a1, 'interaction.offered', phone);
    a1.received.length = 0;
    const id = offer.interactionId!;
    const before = (await getInteraction(id, true)) as RoutedInteraction;
    const timer = { name: `${id}-route`, kind: 'route-timeout', dueAt: Date.now(), payload: { interactionId: id, version: before.version } };
    const [acceptance] = await Promise.all([api(a1, 'POST', `/agent/interactions/${id}/accept`), engine().invoke('timers', timer)]);
    const after = (await getInteraction(id, true)) as RoutedInteraction;
    expect(after.version).toBe(before.version + 1);
    if (acceptance.status === 200) {
      expect(after).toMatchObject({ agentId: a1.id, routing: { phase: 'assigned' } });
    } else {
      expect(acceptance.status).toBe(409);
      expect(after.agentId).toBeUndefined();
      expect(after.routing).toMatchObject({ phase: 'offered', step: 1, offeredTo: [a3.id] });
    }
    await api(after.agentId === a1.id ? a1 : a3, 'POST', `/agent/interactions/${id}/accept`);
    await api(after.agentId === a1.id ? a1 : a3, 'POST', `/agent/interactions/${id}/close`, {});
  }
});

it('never notifies an agent of an account it does not belong to', async () => {
  await engine().idle();
  expect(a1.received.length + a2.received.length).toBeGreaterThan(0);
  expect(outsider.received.filter((m) => m.type !== 'presence.changed' && m.type !== 'pong')).toEqual([]);
  const phone = newPhone();
  await inbound(account, phone, 'one more');
  await interactionOf(account, phone);
  const res = await api(outsider, 'GET', `/agent/interactions?accountId=${account.id}`);
  expect(res.status).toBe(403);
});
