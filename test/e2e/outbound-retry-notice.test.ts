/**
 * A reply the provider cannot take is not silent: the engine's log says at warn level that the send will be retried
 * (the provider unreachable, or answering a retryable error), and at error level when it gives up; the agent gets
 * `message.retrying` at the first failed attempt, long before the final `message.failed`. Against a fake provider on
 * loopback that answers 503, and a provider address on loopback where nothing listens.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { SQSEvent } from 'aws-lambda';
import type WebSocket from 'ws';
import { closeSocket, engineOptions, nextMessage, openSocket, type TestEngine } from '../support/engine';
import { startEngine } from '../../lib/local/engine';
import { FakeProviders, seedConversation, type Conversation } from '../support/fake-providers';
import { signToken } from '../../shared/http/auth';
import { setLogSink } from '../../shared/logger';
import { queueReply } from '../../shared/outbound/enqueue';
import type { SendJob } from '../../shared/outbound/messages';
import { getOutboundMessage, insertOutboundMessage, type OutboundMessageItem } from '../../shared/store/outbound';
import { CUSTOMER_PHONE } from '../support/fake-providers';

jest.setTimeout(40_000);

let fake: FakeProviders;
let engine: TestEngine;
let restoreLog: () => void;
const lines: { level: string; message: string; [field: string]: unknown }[] = [];
const sockets: WebSocket[] = [];

/** A loopback port where nothing listens: every connection is refused, as with a provider that cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  fake = await FakeProviders.start();
  const unreachable = `http://127.0.0.1:${await closedPort()}`;
  restoreLog = setLogSink((line) => lines.push(JSON.parse(line)));
  engine = Object.assign(
    await startEngine(engineOptions({ env: { ...fake.env(), PROVIDER_BASE_URL_TELNYX: unreachable, LOG_LEVEL: 'info' } })),
    { readyAt: Date.now() },
  );
});
afterAll(async () => {
  await Promise.all(sockets.map(closeSocket));
  await engine?.stop();
  await fake?.stop();
  restoreLog?.();
});

async function agentSocket(c: Conversation): Promise<WebSocket> {
  const token = await signToken({ sub: c.agent.id, username: c.agent.username, role: 'agent' });
  const ws = await openSocket(`${engine.wsUrl}/?token=${encodeURIComponent(token)}`);
  sockets.push(ws);
  return ws;
}

const logged = (level: string, messageId: string) => lines.filter((l) => l.level === level && l.messageId === messageId);

type Retrying = { type: string; messageId: string; interactionId: string; accountId: string; code: string; attempt: number; maxAttempts: number; retryInSeconds: number; status: string };

describe('a send the provider cannot take', () => {
  it('warns in the log and tells the agent message.retrying at the first failed attempt when the provider is unreachable', async () => {
    const c = await seedConversation('telnyx', fake);
    const ws = await agentSocket(c);
    const retrying = nextMessage<Retrying>(ws, (m) => m.type === 'message.retrying', 10_000);
    const started = Date.now();

    const queued = await queueReply({ accountId: c.account.id, interactionId: c.interaction.id, agentId: c.agent.id, text: 'are you there?' });

    const event = await retrying;
    expect(event).toMatchObject({
      messageId: queued.id,
      interactionId: c.interaction.id,
      accountId: c.account.id,
      code: 'PROVIDER_UNAVAILABLE',
      attempt: 1,
      maxAttempts: 6,
      status: 'pending',
    });
    expect(event.retryInSeconds).toBeGreaterThanOrEqual(0);
    // Seconds, not the 29 s it took before: the first attempt's refusal is news at once.
    expect(Date.now() - started).toBeLessThan(10_000);
    const warn = logged('warn', queued.id);
    expect(warn[0]).toMatchObject({ accountId: c.account.id, provider: 'telnyx', code: 'PROVIDER_UNAVAILABLE', attempt: 1, maxAttempts: 6 });
    expect(String(warn[0]!.detail)).toMatch(/could not be reached: ECONNREFUSED/);
    expect(logged('error', queued.id)).toEqual([]);
  });

  it('warns on a retryable answer (503), tells the agent once, and ends sent when the provider recovers', async () => {
    const c = await seedConversation('plivo', fake);
    const ws = await agentSocket(c);
    const events: Retrying[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Retrying;
      if (m.type === 'message.retrying') events.push(m);
    });
    fake.failNext('plivo', 2, 'unavailable');
    const sent = nextMessage<{ type: string; messageId: string }>(ws, (m) => m.type === 'message.sent', 30_000);

    const queued = await queueReply({ accountId: c.account.id, interactionId: c.interaction.id, agentId: c.agent.id, text: 'hello' });

    expect(await sent).toMatchObject({ messageId: queued.id });
    expect(await getOutboundMessage(c.interaction.id, queued.id)).toMatchObject({ status: 'sent', attempts: 3 });
    // Two failed attempts, two warnings; the agent heard of the first only.
    expect(logged('warn', queued.id).map((l) => l.attempt)).toEqual([1, 2]);
    expect(events.filter((e) => e.messageId === queued.id).map((e) => e.attempt)).toEqual([1]);
    expect(logged('error', queued.id)).toEqual([]);
  });

  it('logs at error level when it gives up after the last attempt', async () => {
    const c = await seedConversation('telnyx', fake);
    const message: OutboundMessageItem = {
      interactionId: c.interaction.id,
      id: `01J${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
      accountId: c.account.id,
      direction: 'out',
      kind: 'reply',
      to: CUSTOMER_PHONE,
      text: 'the last try',
      media: [],
      agentId: c.agent.id,
      status: 'pending',
      createdAt: new Date().toISOString(),
      attempts: 5,
    };
    await insertOutboundMessage(message, message.id);
    const job: SendJob = { kind: 'send', accountId: c.account.id, interactionId: c.interaction.id, messageId: message.id, attempt: 5 };

    await engine.invoke('sender', { Records: [{ messageId: 'direct-give-up', body: JSON.stringify(job), attributes: {} }] } as unknown as SQSEvent);

    expect(await getOutboundMessage(c.interaction.id, message.id)).toMatchObject({ status: 'failed', errorCode: 'PROVIDER_UNAVAILABLE', attempts: 6 });
    expect(logged('error', message.id)).toEqual([
      expect.objectContaining({ provider: 'telnyx', code: 'PROVIDER_UNAVAILABLE', attempts: 6, message: expect.stringMatching(/gave up/) }),
    ]);
    expect(logged('warn', message.id)).toEqual([]);
  });
});
