/**
 * The waiting line and the board's counters live in the store: after a kill -9 of the engine (`bin/local.ts`, run as
 * a child process on a persistent data directory) and a restart, the line is the same, in the same order, the board's
 * figures are the same and equal a recount of the stored interactions, and an agent coming online is offered the
 * oldest interaction first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twilioProvider } from '../../shared/providers/twilio';
import { boardState, type QueueingFacts } from '../../shared/domain/queueing';
import { caller, login, ADMIN_PASSWORD, USER_PASSWORD } from '../support/admin';
import { nextMessage, openSocket, closeSocket } from '../support/engine';
import { killHard, startEngineProcess, waitFor, type EngineProcess } from '../support/engine-process';

jest.setTimeout(180_000);

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-queues-'));
let engine: EngineProcess | undefined;
const httpUrl = () => engine!.httpUrl;
const call = caller(httpUrl);

/** The engine as npm start runs it, on this test's data directory (its own store in it). */
async function start(): Promise<void> {
  engine = await startEngineProcess({ dataDir, env: { SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD } });
}

beforeAll(start);

afterAll(async () => {
  if (engine) await killHard(engine);
  rmSync(dataDir, { recursive: true, force: true });
});

it('keeps the line and the counters through a kill -9, and serves the oldest first afterwards', async () => {
  let admin = await login(call, 'admin', ADMIN_PASSWORD);
  const list = await call('POST', '/admin/lists', { token: admin, body: { name: 'Restart customers' } });
  const queue = await call('POST', '/admin/queues', { token: admin, body: { name: 'Restart line', strategy: 'ring-all' } });
  const credentials = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'restart-token' };
  const account = await call('POST', '/admin/accounts', {
    token: admin,
    body: {
      channel: 'sms',
      name: 'Restart desk',
      key: 'RST',
      type: 'twilio',
      phone: '+14155550142',
      listId: list.body.id,
      credentials,
      settings: { routing: [{ type: 'queue', queueId: queue.body.id, timeoutSeconds: 3600 }] },
    },
  });
  expect(account.status).toBe(201);
  const agent = await call('POST', '/admin/agents', { token: admin, body: { fullName: 'Restart agent', username: 'restartagent', password: USER_PASSWORD, capacity: { sms: 1 } } });
  await call('PUT', `/admin/accounts/${account.body.id}/agents/${agent.body.id}`, { token: admin });
  await call('PUT', `/admin/queues/${queue.body.id}/agents/${agent.body.id}`, { token: admin });

  const receive = new URL(account.body.receiveUrl as string);
  const phones = ['+393331110001', '+393331110002', '+393331110003'];
  for (const from of phones) {
    const request = twilioProvider.simulateInbound(
      { url: account.body.receiveUrl, providerMessageId: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, from, to: '+14155550142', text: 'waiting', timestampMs: Date.now() },
      credentials,
      { id: account.body.id, channel: 'sms', phone: '+14155550142', proxyToken: receive.pathname.split('/').pop()! },
    );
    const res = await fetch(`${httpUrl()}${receive.pathname}`, { method: request.method, headers: request.headers, body: request.body });
    expect(res.status).toBe(200);
    // One at a time, so the line's order is the order they came in.
    await waitFor(async () => {
      const line = await call('GET', `/agent/queues/${queue.body.id}/waiting`, { token: admin });
      if (!line.body.items.some((i: { contact: string }) => i.contact === from)) throw new Error('not in line yet');
    }, 30_000, 100);
  }
  const before = (await call('GET', `/agent/queues/${queue.body.id}/waiting`, { token: admin })).body;
  expect(before.items.map((i: { contact: string }) => i.contact)).toEqual(phones);
  const boardBefore = (await call('GET', '/supervisor/board', { token: admin })).body;

  await killHard(engine!);
  await start();
  admin = await login(call, 'admin', ADMIN_PASSWORD);

  const after = (await call('GET', `/agent/queues/${queue.body.id}/waiting`, { token: admin })).body;
  expect(after.items.map((i: { interactionId: string }) => i.interactionId)).toEqual(before.items.map((i: { interactionId: string }) => i.interactionId));
  const board = (await call('GET', '/supervisor/board', { token: admin })).body;
  const pick = (b: typeof board) => ({
    queue: b.queues.find((q: { queueId: string }) => q.queueId === queue.body.id),
    account: b.accounts.find((a: { accountId: string }) => a.accountId === account.body.id),
  });
  const figures = (f: Record<string, unknown>) => ({ waiting: f.waiting, offered: f.offered, inProgress: f.inProgress, closedToday: f.closedToday });
  expect(figures(pick(board).queue)).toEqual(figures(pick(boardBefore).queue));
  expect(figures(pick(board).account)).toEqual(figures(pick(boardBefore).account));
  // A recount from the stored interactions gives the same figures.
  const stored = (await call('GET', `/agent/interactions?accountId=${account.body.id}&limit=500`, { token: admin })).body.items as QueueingFacts[];
  const recount = { waiting: 0, offered: 0, inProgress: 0, closedToday: 0 };
  for (const i of stored) {
    const s = boardState(i);
    if (s) recount[s.state] += 1;
    if (i.status === 'closed') recount.closedToday += 1;
  }
  expect(recount).toEqual({ waiting: 3, offered: 0, inProgress: 0, closedToday: 0 });
  expect(figures(pick(board).queue)).toEqual(recount);
  expect(figures(pick(board).account)).toEqual(recount);

  // The agent comes online after the restart: the oldest is offered first.
  const token = await login(call, 'restartagent', USER_PASSWORD);
  const socket = await openSocket(`${engine!.wsUrl}?token=${token}`);
  try {
    const offered = nextMessage<{ type: string; contactPhone?: string }>(socket, (m) => m.type === 'interaction.offered', 10_000);
    expect((await call('PUT', '/agent/presence', { token, body: { status: 'online' } })).status).toBe(200);
    expect((await offered).contactPhone).toBe(phones[0]);
  } finally {
    await closeSocket(socket);
  }
});
