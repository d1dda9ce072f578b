/**
 * The local engine keeps what it acknowledged across a crash and a stop. The engine runs as a real child process
 * (what `npm start` runs) with its own persisted store; a test kills its whole process group with SIGKILL, or sends
 * SIGTERM, and starts it again on the same data directory. Providers behave as real ones do: they resend whatever
 * was not acknowledged (a refused connection, a 5xx), and sometimes resend what was. A fake provider on loopback
 * takes the replies.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { providerFor } from '../../shared/providers';
import type { AccountContext } from '../../shared/providers/types';
import { caller, login, USER_PASSWORD, type Caller } from '../support/admin';
import { killHard, startEngineProcess, waitFor, type EngineProcess } from '../support/engine-process';
import { fakeCredentials, FakeProviders } from '../support/fake-providers';

jest.setTimeout(120_000);

const ADMIN = 'Crash-Passw0rd';
/** Providers sign the public URL; it stays the same across restarts while the engine's own port changes. */
const BASE_URL = 'http://switchboard.test';
const TYPE = 'infobip';

let fake: FakeProviders;
let dataDir: string;
let engine: EngineProcess | undefined;
let call: Caller;
let adminToken: string;
let account: { id: string; receiveUrl: string; proxyToken: string; phone: string };
let agent: { id: string; token: string };
/** The interaction the agent accepted (and replies into). */
let assigned = '';
const sockets: WebSocket[] = [];

async function start(): Promise<EngineProcess> {
  engine = await startEngineProcess({
    dataDir,
    args: ['--base-url', BASE_URL, '--visibility-timeout', '2', '--grace-period', '10'],
    env: { ...fake.env(), SWITCHBOARD_ADMIN_PASSWORD: ADMIN },
  });
  return engine;
}

const context = (): AccountContext => ({ id: account.id, channel: 'sms', phone: account.phone, proxyToken: account.proxyToken });

/** One webhook as the provider sends it to whichever engine is running now; true when acknowledged with 200. */
async function post(id: string, from: string, text: string, timestampMs: number): Promise<boolean> {
  const spec = providerFor(TYPE).simulateInbound(
    { url: account.receiveUrl, providerMessageId: id, from, to: account.phone, text, timestampMs },
    fakeCredentials(TYPE, fake),
    context(),
  );
  try {
    const res = await fetch(`${engine!.httpUrl}${new URL(spec.url).pathname}`, {
      method: spec.method,
      headers: spec.headers,
      body: spec.body ?? null,
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    if (res.status >= 400 && res.status < 500) throw new Error(`the webhook refused a valid request with ${res.status}`);
    return res.status === 200;
  } catch (error) {
    if ((error as Error).message.startsWith('the webhook refused')) throw error;
    return false; // refused connection, reset, timeout: the provider tries again
  }
}

interface Sent {
  id: string;
  from: string;
  index: number;
  text: string;
  at: number;
}

/**
 * Contacts each send `perContact` messages one after another at a steady pace, resending each until it is
 * acknowledged (as providers retry), while `during` runs (the kill and the restart). Returns what was acknowledged.
 */
async function intake(prefix: string, contacts: number, perContact: number, paceMs: number, during: () => Promise<void>): Promise<Sent[]> {
  const acked: Sent[] = [];
  const phones = Array.from({ length: contacts }, (_, i) => `+3934${prefix}${String(100000 + i * 37).padStart(6, '0')}`);
  const senders = phones.map(async (from) => {
    for (let index = 0; index < perContact; index++) {
      const m: Sent = { id: `${prefix}-${randomBytes(6).toString('hex')}`, from, index, text: `${from} #${index}`, at: Date.now() };
      for (;;) {
        if (await post(m.id, from, m.text, m.at)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      acked.push(m);
      await new Promise((r) => setTimeout(r, paceMs));
    }
  });
  await Promise.all([...senders, during()]);
  return acked;
}

/** The account's stored inbound messages by text, read through the agent API as the admin. */
async function storedTexts(): Promise<Map<string, string[]>> {
  const list = await call('GET', `/agent/interactions?accountId=${account.id}&limit=500`, { token: adminToken });
  if (list.status !== 200) throw new Error(`listing answered ${list.status}`);
  const byContact = new Map<string, string[]>();
  for (const interaction of list.body.items as { id: string }[]) {
    const messages = await call('GET', `/agent/interactions/${interaction.id}/messages`, { token: adminToken });
    for (const m of messages.body.items as { direction: string; text?: string }[]) {
      if (m.direction !== 'in' || !m.text) continue;
      const from = m.text.split(' #')[0]!;
      byContact.set(from, [...(byContact.get(from) ?? []), m.text]);
    }
  }
  return byContact;
}

/** Every acknowledged message is stored exactly once, and each contact's in the order it was sent. */
async function expectStoredOnceInOrder(acked: Sent[]): Promise<void> {
  const contacts = [...new Set(acked.map((m) => m.from))];
  const stored = await waitFor(async () => {
    const byContact = await storedTexts();
    for (const from of contacts) {
      const want = acked.filter((m) => m.from === from).length;
      const got = byContact.get(from)?.length ?? 0;
      if (got < want) throw new Error(`${from}: ${got} of ${want} stored`);
    }
    return byContact;
  }, 40_000, 500);
  for (const from of contacts) {
    const sent = acked.filter((m) => m.from === from).sort((a, b) => a.index - b.index).map((m) => m.text);
    expect({ from, stored: stored.get(from) }).toEqual({ from, stored: sent });
  }
}

async function resendSome(acked: Sent[], share: number): Promise<number> {
  const again = acked.filter((_, i) => i % Math.round(1 / share) === 0);
  for (const m of again) await post(m.id, m.from, m.text, m.at);
  return again.length;
}

/** The agent connects and goes online; a message from a new contact opens an interaction offered to it. */
async function offeredToAgent(from: string, text: string): Promise<string> {
  const ws = await openAgentSocket();
  // Listen before going online: coming online also offers interactions waiting in the queue's line (the agent's
  // capacity leaves room for them); the one this waits for is the new contact's.
  const offered = new Promise<string>((resolve) =>
    ws.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type: string; interactionId: string; contactPhone?: string };
      if (event.type === 'interaction.offered' && event.contactPhone === from) resolve(event.interactionId);
    }),
  );
  expect((await call('PUT', '/agent/presence', { token: agent.token, body: { status: 'online' } })).status).toBe(200);
  expect(await post(`o-${randomBytes(6).toString('hex')}`, from, text, Date.now())).toBe(true);
  return Promise.race([offered, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no interaction.offered')), 20_000))]);
}

async function openAgentSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`${engine!.wsUrl}?token=${agent.token}`);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

beforeAll(async () => {
  fake = await FakeProviders.start();
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
  await start();
  call = caller(() => engine!.httpUrl);
  adminToken = await login(call, 'admin', ADMIN);
  const list = await call('POST', '/admin/lists', { token: adminToken, body: { name: 'crash contacts' } });
  const created = await call('POST', '/admin/agents', {
    token: adminToken,
    // Room for the interactions of the intake test that wait in the line, and for new ones.
    body: { fullName: 'Crash Agent', username: 'crashagent', role: 'agent', password: USER_PASSWORD, capacity: { sms: 50, whatsapp: 3 } },
  });
  expect(created.status).toBe(201);
  const queue = await call('POST', '/admin/queues', { token: adminToken, body: { name: 'crash queue' } });
  expect(queue.status).toBe(201);
  expect((await call('PUT', `/admin/queues/${queue.body.id}/agents/${created.body.id}`, { token: adminToken })).status).toBeLessThan(300);
  const res = await call('POST', '/admin/accounts', {
    token: adminToken,
    body: {
      channel: 'sms',
      name: 'Crash',
      key: 'CRASH',
      type: TYPE,
      phone: '+14155550188',
      listId: list.body.id,
      credentials: fakeCredentials(TYPE, fake),
      // New interactions are offered to the queue's online members for 5 s, then wait unassigned.
      settings: { routing: [{ type: 'queue', queueId: queue.body.id, timeoutSeconds: 5 }] },
    },
  });
  expect(res.status).toBe(201);
  const url = new URL(res.body.receiveUrl as string);
  account = { id: res.body.id, receiveUrl: res.body.receiveUrl, proxyToken: url.pathname.split('/')[3]!, phone: res.body.phone };
  expect((await call('PUT', `/admin/accounts/${account.id}/agents/${created.body.id}`, { token: adminToken })).status).toBeLessThan(300);
  agent = { id: created.body.id, token: await login(call, 'crashagent', USER_PASSWORD) };
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  if (engine) await killHard(engine);
  await fake?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('kill -9 during steady intake: after a restart every acknowledged message is stored exactly once, in send order', async () => {
  let killedAt = 0;
  const acked = await intake('1', 6, 12, 100, async () => {
    await new Promise((r) => setTimeout(r, 1500));
    killedAt = Date.now();
    await killHard(engine!);
    await start();
  });
  expect(killedAt).toBeGreaterThan(0);
  expect(acked).toHaveLength(72);
  expect(engine!.output()).toMatch(/recovered \d+ queued message/);
  const duplicates = await resendSome(acked, 0.1);
  expect(duplicates).toBeGreaterThan(0);

  await expectStoredOnceInOrder(acked);
});

it('replies accepted before a kill -9, waiting out a 503 with Retry-After, are sent once after the restart', async () => {
  const interaction = { id: await offeredToAgent('+393470000201', 'please call me back') };
  expect((await call('POST', `/agent/interactions/${interaction.id}/accept`, { token: agent.token })).status).toBe(200);
  assigned = interaction.id;
  // Every send is refused with 503 and Retry-After: 3 until the engine is killed.
  fake.failNext(TYPE, 1000, 'unavailable-retry-after', 3);
  const texts = Array.from({ length: 5 }, (_, i) => `reply ${i} ${randomBytes(3).toString('hex')}`);
  for (const text of texts) {
    const res = await call('POST', `/agent/interactions/${interaction.id}/reply`, { token: agent.token, body: { text } });
    expect(res.status).toBe(202);
  }
  const attempted = () => fake.requestsTo(TYPE).filter((r) => texts.some((t) => r.body.includes(t)));
  await waitFor(() => {
    if (new Set(attempted().map((r) => texts.find((t) => r.body.includes(t)))).size < texts.length) throw new Error('not every reply tried yet');
  }, 20_000);
  // Each first attempt answered 503; give the sender a moment to record it and queue the retry, then kill.
  await new Promise((r) => setTimeout(r, 800));
  await killHard(engine!);
  fake.reset();
  await start();

  await waitFor(() => {
    const ok = attempted().filter((r) => r.answer?.status === 200);
    if (ok.length < texts.length) throw new Error(`${ok.length} of ${texts.length} replies sent`);
  }, 40_000, 250);
  await new Promise((r) => setTimeout(r, 1000));
  for (const text of texts) {
    const sent = attempted().filter((r) => r.body.includes(text) && r.answer?.status === 200);
    expect({ text, sent: sent.length }).toEqual({ text, sent: 1 });
  }
});

it('agents online before a kill -9 are offline after it; a timer claimed at the kill fires; nothing is offered until an agent is back', async () => {
  // A new interaction is offered to the online agent, with its 5 s offer timer armed.
  const interactionId = await offeredToAgent('+393470000301', 'offered before the kill');
  // The engine's timer poller claims the offer timer at its deadline: claim it now as a dying engine would have
  // (a lease of a minute), and kill the engine while the claim is held.
  await claimAsDeadEngine(`${interactionId}-route`);
  await killHard(engine!);
  await start();
  // The offer timer claimed here, and any other timer the dying engine held then (an agent's serving, say).
  expect(engine!.output()).toMatch(/[1-9]\d* claimed by the previous run/);

  const me = await call('GET', '/agent/me', { token: agent.token });
  expect(me.body.presence).toMatchObject({ status: 'offline', connectionIds: [] });
  // The claimed timer fired after the restart: the interaction is no longer offered to anybody.
  await waitFor(async () => {
    const got = await call('GET', `/agent/interactions/${interactionId}`, { token: adminToken });
    expect(got.body.routing?.offeredTo ?? []).toEqual([]);
  }, 30_000, 250);
  // A new interaction now is offered to nobody: the agent is offline.
  expect(await post(`3-${randomBytes(6).toString('hex')}`, '+393470000302', 'after the restart', Date.now())).toBe(true);
  const nobody = await waitFor(async () => {
    const items = (await call('GET', `/agent/interactions?accountId=${account.id}&limit=500`, { token: adminToken })).body.items as {
      id: string;
      routing?: { offeredTo?: string[] };
      lastMessage?: unknown;
    }[];
    const found = await Promise.all(items.map(async (i) => ({ i, m: (await call('GET', `/agent/interactions/${i.id}/messages`, { token: adminToken })).body.items })));
    const hit = found.find((f) => (f.m as { text?: string }[]).some((m) => m.text === 'after the restart'));
    if (!hit) throw new Error('not stored yet');
    return hit.i;
  }, 30_000, 300);
  expect(nobody.routing?.offeredTo ?? []).toEqual([]);

  // Back online with a socket: the interactions waiting in the queue's line are offered again, oldest first.
  const again = await openAgentSocket();
  const offeredAgain = new Promise<string>((resolve) =>
    again.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type: string; interactionId: string };
      if (event.type === 'interaction.offered') resolve(event.interactionId);
    }),
  );
  expect((await call('PUT', '/agent/presence', { token: agent.token, body: { status: 'online' } })).status).toBe(200);
  await expect(Promise.race([offeredAgain, new Promise((r) => setTimeout(() => r(false), 20_000))])).resolves.toEqual(expect.any(String));
});

it('SIGTERM during intake: the stop ends within the grace period, nothing acknowledged is lost, and a pending 503 retry is sent after the start', async () => {
  const mine = { id: assigned };
  fake.failNext(TYPE, 1000, 'unavailable-retry-after', 8);
  const text = `retry across the stop ${randomBytes(3).toString('hex')}`;
  expect((await call('POST', `/agent/interactions/${mine.id}/reply`, { token: agent.token, body: { text } })).status).toBe(202);
  await waitFor(() => {
    if (!fake.requestsTo(TYPE).some((r) => r.body.includes(text))) throw new Error('not tried yet');
  }, 20_000);

  let stopMs = 0;
  let exit: number | string = '';
  const acked = await intake('4', 6, 12, 100, async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const since = Date.now();
    engine!.signal('SIGTERM');
    exit = await engine!.exited;
    stopMs = Date.now() - since;
    fake.reset();
    await start();
  });
  expect(exit).toBe(0);
  // The grace period is 10 s; the store's own stop and the process exit come on top.
  expect(stopMs).toBeLessThan(15_000);
  await resendSome(acked, 0.1);
  await expectStoredOnceInOrder(acked);
  await waitFor(() => {
    if (!fake.requestsTo(TYPE).some((r) => r.body.includes(text) && r.answer?.status === 200)) throw new Error('the retry was not sent');
  }, 30_000, 250);
});

/** Claims the named timer in the engine's store exactly as the engine's poller does, with a long lease. */
async function claimAsDeadEngine(name: string): Promise<void> {
  const saved = { DDB_ENDPOINT: process.env.DDB_ENDPOINT, TABLE_NAME: process.env.TABLE_NAME };
  Object.assign(process.env, { DDB_ENDPOINT: engine!.storeEndpoint, TABLE_NAME: 'switchboard' });
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded with the engine's store configuration, then restored */
  const config = require('../../shared/config') as typeof import('../../shared/config');
  const client = require('../../shared/store/client') as typeof import('../../shared/store/client');
  const timers = require('../../shared/ports/timers-store') as typeof import('../../shared/ports/timers-store');
  /* eslint-enable @typescript-eslint/no-require-imports */
  config.reloadConfig();
  client.refreshStoreClients();
  try {
    const timer = await waitFor(async () => {
      const found = (await timers.dueTimers(Date.now() + 60_000, 500)).find((t) => t.name === name);
      if (!found) throw new Error(`no timer ${name}`);
      return found;
    }, 10_000);
    expect(await timers.claimTimer(timer, 60_000, Date.now(), 'the-killed-engine')).toBeTruthy();
  } finally {
    Object.assign(process.env, saved);
    config.reloadConfig();
    client.refreshStoreClients();
  }
}
