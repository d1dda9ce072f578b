/**
 * What a supervisor may do, end to end on the local engine: it reads every account without being a member, adds
 * notes, tags and transfers, but replies and closes only after an explicit, audited take-over; it never sees an
 * account's proxy token; it watches accounts' WebSocket events by subscribing, without being a member. And
 * `messageCount` counts every stored message, the agents' replies included.
 */
import type WebSocket from 'ws';
import { accountBody, createList, createUser, useAdminApi, type TestUser } from '../support/admin';
import { closeSocket, eventually, nextMessage, openSocket } from '../support/engine';
import { useAcceptingTwilio } from '../support/accepting-twilio';
import { twilioProvider } from '../../shared/providers/twilio';

useAcceptingTwilio();

const api = useAdminApi();
const { call } = api;
const credentials = { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'supervisor-auth-token' };

interface AccountFixture {
  id: string;
  phone: string;
  proxyToken: string;
  receiveUrl: string;
}
let accountA: AccountFixture;
let accountB: AccountFixture;
let agent: TestUser;
let supervisor: TestUser;
const sockets: WebSocket[] = [];
let phoneSeq = 0;

async function newAccount(phone: string): Promise<AccountFixture> {
  const listId = await createList(call, api.admin());
  const res = await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'twilio', listId, { credentials, phone }) });
  expect(res.status).toBe(201);
  return { id: res.body.id, phone, proxyToken: res.body.proxyToken, receiveUrl: res.body.receiveUrl };
}

async function inbound(account: AccountFixture, text: string, from = `+39333${String(2000000 + ++phoneSeq).padStart(7, '0')}`): Promise<string> {
  const signed = twilioProvider.simulateInbound(
    { url: account.receiveUrl, providerMessageId: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, from, to: account.phone, text, timestampMs: Date.now() },
    credentials,
    { id: account.id, channel: 'sms', phone: account.phone, proxyToken: account.proxyToken },
  );
  const res = await fetch(`${api.engine().httpUrl}${new URL(signed.url).pathname}`, { method: signed.method, headers: signed.headers, body: signed.body });
  expect(res.status).toBe(200);
  await res.text();
  return from;
}

async function interactionOf(account: AccountFixture, phone: string): Promise<{ id: string; agentId?: string; messageCount: number; version: number }> {
  return eventually(async () => {
    const res = await call('GET', `/agent/interactions?accountId=${account.id}`, { token: api.admin() });
    const found = (res.body.items as { contactPhone: string; id: string; agentId?: string; messageCount: number; version: number }[]).find((i) => i.contactPhone === phone);
    if (!found) throw new Error(`no interaction for ${phone} yet`);
    return found;
  }, 15_000);
}

async function socketOf(user: TestUser): Promise<WebSocket> {
  const ws = await openSocket(`${api.engine().wsUrl}?token=${user.token}`);
  sockets.push(ws);
  return ws;
}

beforeAll(async () => {
  [accountA, accountB] = [await newAccount('+14155550131'), await newAccount('+14155550132')];
  // One after the other: parallel logins from one address contend for the same throttling budget.
  agent = await createUser(call, api.admin(), 'agent');
  supervisor = await createUser(call, api.admin(), 'supervisor');
  expect((await call('PUT', `/admin/accounts/${accountA.id}/agents/${agent.id}`, { token: api.admin() })).status).toBe(204);
}, 60_000);

afterAll(async () => {
  await Promise.all(sockets.map((s) => closeSocket(s)));
});

describe('a supervisor and the interactions of accounts it does not belong to', () => {
  it('reads, notes and tags, but replies and closes only after an audited take-over', async () => {
    const phone = await inbound(accountA, 'I need help');
    const interaction = await interactionOf(accountA, phone);
    const agentSocket = await socketOf(agent);
    const path = `/agent/interactions/${interaction.id}`;

    expect((await call('GET', path, { token: supervisor.token })).status).toBe(200);
    expect((await call('GET', `${path}/messages`, { token: supervisor.token })).status).toBe(200);
    expect((await call('POST', `${path}/notes`, { token: supervisor.token, body: { text: 'watch this one' } })).status).toBe(201);
    expect((await call('PUT', `${path}/tags`, { token: supervisor.token, body: { tags: ['vip'] } })).status).toBe(200);
    const list = await call('GET', '/agent/interactions', { token: supervisor.token });
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(interaction.id);

    for (const [action, body] of [['reply', { text: 'hi' }], ['close', {}], ['read', {}], ['canned', { cannedAnswerId: '01HZZZZZZZZZZZZZZZZZZZZZZZ' }], ['accept', {}]] as const) {
      const refused = await call('POST', `${path}/${action}`, { token: supervisor.token, body });
      expect([action, refused.status, refused.body.error.message]).toEqual([action, 403, expect.stringMatching(/take.*over/)]);
    }
    expect((await call('GET', `${path}/messages`, { token: supervisor.token })).body.items).toHaveLength(1);

    const takenOver = nextMessage<{ type: string; interactionId: string; agentId: string }>(agentSocket, (m) => m.type === 'interaction.taken-over', 8000);
    const take = await call('POST', `${path}/take-over`, { token: supervisor.token });
    expect(take.status).toBe(200);
    expect(take.body.agentId).toBe(supervisor.id);
    expect(await takenOver).toMatchObject({ interactionId: interaction.id, agentId: supervisor.id });

    const audit = await call('GET', `/admin/audit?targetId=${interaction.id}&action=interaction.take-over`, { token: api.admin() });
    expect(audit.body.items).toEqual([expect.objectContaining({ actorId: supervisor.id, actorRole: 'supervisor', targetType: 'interaction', targetIds: [interaction.id] })]);

    expect((await call('POST', `${path}/reply`, { token: supervisor.token, body: { text: 'a supervisor here' } })).status).toBe(202);
    expect((await call('POST', `${path}/close`, { token: supervisor.token, body: {} })).status).toBe(204);
    expect((await call('GET', path, { token: supervisor.token })).body).toMatchObject({ status: 'closed' });
  });

  it('refuses the take-over to agents', async () => {
    const phone = await inbound(accountA, 'another');
    const interaction = await interactionOf(accountA, phone);
    const res = await call('POST', `/agent/interactions/${interaction.id}/take-over`, { token: agent.token });
    expect(res.status).toBe(403);
  });
});

describe('the proxy token', () => {
  it('is shown to admins only: never in a supervisor\'s account view, listing or export', async () => {
    const asAdmin = await call('GET', `/admin/accounts/${accountA.id}`, { token: api.admin() });
    expect(asAdmin.body.proxyToken).toBe(accountA.proxyToken);

    const one = await call('GET', `/admin/accounts/${accountA.id}`, { token: supervisor.token });
    const list = await call('GET', '/admin/accounts', { token: supervisor.token });
    const csv = await call('GET', `/admin/accounts/export?ids=${accountA.id}`, { token: supervisor.token });

    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('proxyToken');
    expect(one.body).not.toHaveProperty('receiveUrl');
    for (const text of [one.text, list.text, csv.text]) expect(text).not.toContain(accountA.proxyToken);
    expect(csv.text).toContain(accountA.id);
  });
});

describe('a supervisor watching accounts over the WebSocket', () => {
  type Event = { type: string; accountId?: string; interactionId?: string; contactPhone?: string };

  it('receives the events of the accounts it subscribes to without being a member, and not of others', async () => {
    const ws = await socketOf(supervisor);
    const received: Event[] = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Event));
    const ack = nextMessage<Event & { accountIds: string[] }>(ws, (m) => m.type === 'subscribed');
    ws.send(JSON.stringify({ action: 'subscribe', accountIds: [accountB.id] }));
    expect(await ack).toMatchObject({ accountIds: [accountB.id], all: false });
    await new Promise((r) => setTimeout(r, 1200)); // a subscription reaches the notifiers within a second

    await inbound(accountA, 'not for the watcher');
    const phoneB = await inbound(accountB, 'for the watcher');
    const interactionB = await interactionOf(accountB, phoneB);
    await eventually(() => expect(received.some((e) => e.accountId === accountB.id && e.interactionId === interactionB.id)).toBe(true), 10_000);
    expect(received.filter((e) => e.accountId === accountA.id)).toEqual([]);

    const all = nextMessage<Event & { all: boolean }>(ws, (m) => m.type === 'subscribed');
    ws.send(JSON.stringify({ action: 'subscribe', accountIds: 'all' }));
    expect(await all).toMatchObject({ all: true });
    await new Promise((r) => setTimeout(r, 1200));
    const phoneA = await inbound(accountA, 'now everything');
    const interactionA = await interactionOf(accountA, phoneA);
    await eventually(() => expect(received.some((e) => e.accountId === accountA.id && e.interactionId === interactionA.id)).toBe(true), 10_000);
  });

  it('refuses a subscription from an agent', async () => {
    const ws = await socketOf(agent);
    const answer = nextMessage<{ type: string; code: string }>(ws, (m) => m.type === 'error');
    ws.send(JSON.stringify({ action: 'subscribe' }));
    expect(await answer).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('message counters', () => {
  it('counts every stored message of an interaction, inbound and the agent\'s replies', async () => {
    const phone = await inbound(accountA, 'one');
    const interaction = await interactionOf(accountA, phone);
    await inbound(accountA, 'two', phone);
    await eventually(async () => expect((await interactionOf(accountA, phone)).messageCount).toBe(2));
    const path = `/agent/interactions/${interaction.id}`;
    expect((await call('POST', `${path}/accept`, { token: agent.token })).status).toBe(200);
    expect((await call('POST', `${path}/reply`, { token: agent.token, body: { text: 'three' } })).status).toBe(202);
    await inbound(accountA, 'four', phone);

    await eventually(async () => {
      const messages = (await call('GET', `${path}/messages`, { token: agent.token })).body.items as unknown[];
      const current = (await call('GET', path, { token: agent.token })).body as { messageCount: number };
      expect([messages.length, current.messageCount]).toEqual([4, 4]);
    }, 10_000);
  });
});
