/**
 * What becomes of an outbound message beyond the happy path, end to end on the local engine with the fake provider
 * server: retries with backoff on 429 and 503, the give-up after 6 attempts, the WhatsApp window (refused before
 * anything is written or sent, templates still allowed), a redelivery after a crash between the send and its record,
 * auto-replies, canned answers, video calls, and delivery statuses flowing back to the message and the agent.
 */
import type { SQSEvent } from 'aws-lambda';
import type WebSocket from 'ws';
import { closeSocket, engineOptions, eventually, nextMessage, openSocket, type TestEngine } from '../support/engine';
import { startEngine } from '../../lib/local/engine';
import {
  CUSTOMER_PHONE,
  FakeProviders,
  fakeCredentials,
  seedConversation,
  type Conversation,
} from '../support/fake-providers';
import { receiveUrl } from '../../shared/admin/accounts';
import { signToken } from '../../shared/http/auth';
import { queueCanned, queueReply, queueTemplate, startVideoCall } from '../../shared/outbound/enqueue';
import type { DeadLetterRecord, SendJob } from '../../shared/outbound/messages';
import { WindowClosedError } from '../../shared/outbound/window';
import { offsetClock, useClock } from '../../shared/ports/clock';
import { sendMessage } from '../../shared/ports/queue';
import { providerFor } from '../../shared/providers';
import type { ProviderType } from '../../shared/providers/types';
import { createCatalogItem } from '../../shared/store/catalog';
import { db } from '../../shared/store/client';
import { listMessages } from '../../shared/store/interactions';
import { getOutboundMessage, insertOutboundMessage, type OutboundMessageItem } from '../../shared/store/outbound';

jest.setTimeout(40_000);

let fake: FakeProviders;
let engine: TestEngine;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  fake = await FakeProviders.start();
  engine = Object.assign(await startEngine(engineOptions({ env: { ...fake.env(), LOG_LEVEL: 'error' } })), {
    readyAt: Date.now(),
  });
});
afterAll(async () => {
  await Promise.all(sockets.map(closeSocket));
  await engine?.stop();
  await fake?.stop();
});

const sendsTo = (type: ProviderType, from: number) => fake.requests.slice(from).filter((r) => r.target === type);

async function until(
  interactionId: string,
  id: string,
  statuses: string[],
  timeoutMs = 15_000,
): Promise<OutboundMessageItem> {
  return eventually(async () => {
    const m = await getOutboundMessage(interactionId, id);
    if (!m || !statuses.includes(m.status)) throw new Error(`message is ${m?.status}`);
    return m;
  }, timeoutMs);
}

function deadLetterOf(id: string): DeadLetterRecord | undefined {
  return engine.deadLetters.outbound.messages
    .map((m) => JSON.parse(m.body) as DeadLetterRecord)
    .find((r) => r.message.id === id);
}

/** Invokes the sender with one queue message, as Lambda's event source mapping would. */
function invokeSender(job: unknown): Promise<unknown> {
  const event = {
    Records: [{ messageId: `direct-${Math.random()}`, body: JSON.stringify(job), attributes: {} }],
  } as unknown as SQSEvent;
  return engine.invoke('sender', event);
}

/** A pending message item written as the enqueue use case would, without queueing it. */
async function pendingMessage(
  c: Conversation,
  fields: Partial<OutboundMessageItem> = {},
): Promise<OutboundMessageItem> {
  const message: OutboundMessageItem = {
    interactionId: c.interaction.id,
    id: `01J${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    accountId: c.account.id,
    direction: 'out',
    kind: 'reply',
    to: CUSTOMER_PHONE,
    text: 'A reply',
    media: [],
    agentId: c.agent.id,
    status: 'pending',
    createdAt: new Date().toISOString(),
    attempts: 0,
    ...fields,
  };
  await insertOutboundMessage(message, message.id);
  return message;
}

async function agentSocket(c: Conversation): Promise<WebSocket> {
  const token = await signToken({ sub: c.agent.id, username: c.agent.username, role: 'agent' });
  const ws = await openSocket(`${engine.wsUrl}/?token=${encodeURIComponent(token)}`);
  sockets.push(ws);
  return ws;
}

describe('retries', () => {
  it('retries a 429 after the Retry-After delay and ends sent once the provider recovers', async () => {
    const c = await seedConversation('bandwidth', fake);
    const before = fake.requests.length;
    fake.failNext('bandwidth', 2, 'rate-limited', 1);

    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'hello',
    });
    const message = await until(c.interaction.id, queued.id, ['sent', 'failed']);

    expect(message).toMatchObject({ status: 'sent', attempts: 3 });
    const sends = sendsTo('bandwidth', before);
    expect(sends).toHaveLength(3);
    expect(sends.map((s) => s.answer?.status)).toEqual([429, 429, 202]);
    // Retry-After: 1 is honoured (the jittered backoff may wait longer, never shorter).
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(950);
    expect(sends[2]!.at - sends[1]!.at).toBeGreaterThanOrEqual(950);
    // Every attempt carries the same correlation id.
    expect(new Set(sends.map((s) => (s.json as { tag: string }).tag))).toEqual(new Set([queued.id]));
  });

  it('retries a 503 with backoff and ends sent once the provider recovers', async () => {
    const c = await seedConversation('telnyx', fake);
    const before = fake.requests.length;
    fake.failNext('telnyx', 2, 'unavailable');

    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'hello',
    });
    const message = await until(c.interaction.id, queued.id, ['sent', 'failed'], 20_000);

    expect(message).toMatchObject({ status: 'sent', attempts: 3 });
    expect(sendsTo('telnyx', before).map((s) => s.answer?.status)).toEqual([503, 503, 200]);
    expect(deadLetterOf(queued.id)).toBeUndefined();
  });

  it("honours Twilio's Retry-After on a 503 as on a 429", async () => {
    const c = await seedConversation('twilio', fake);
    const before = fake.requests.length;
    fake.failNext('twilio', 1, 'unavailable-retry-after', 2);

    const queued = await queueReply({ accountId: c.account.id, interactionId: c.interaction.id, agentId: c.agent.id, text: 'after the wait' });
    const message = await until(c.interaction.id, queued.id, ['sent', 'failed'], 20_000);

    expect(message).toMatchObject({ status: 'sent', attempts: 2 });
    const sends = sendsTo('twilio', before);
    expect(sends.map((s) => s.answer?.status)).toEqual([503, 201]);
    // Retry-After: 2 is waited out (the jittered backoff alone could retry sooner).
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(1950);
  });

  it('gives up after the sixth attempt: failed, the agent told, a DLQ record', async () => {
    const c = await seedConversation('plivo', fake);
    const ws = await agentSocket(c);
    const message = await pendingMessage(c, { attempts: 5 });
    const before = fake.requests.length;
    fake.failNext('plivo', 1, 'unavailable');
    const told = nextMessage<{ type: string; messageId: string; code: string }>(
      ws,
      (m) => m.type === 'message.failed' && m.messageId === message.id,
    );

    await invokeSender({
      kind: 'send',
      accountId: c.account.id,
      interactionId: c.interaction.id,
      messageId: message.id,
      attempt: 5,
    } satisfies SendJob);

    const failed = await getOutboundMessage(c.interaction.id, message.id);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'PROVIDER_UNAVAILABLE', attempts: 6 });
    expect(failed!.errorMessage).toContain('gave up after 6 attempts');
    expect(sendsTo('plivo', before)).toHaveLength(1);
    expect(deadLetterOf(message.id)).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', attempts: 6 });
    expect(await told).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      accountId: c.account.id,
      interactionId: c.interaction.id,
    });
  });

  it('treats a repeated delivery of a job whose message is already sent as a no-op', async () => {
    const c = await seedConversation('clicksend', fake);
    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'once',
    });
    await until(c.interaction.id, queued.id, ['sent']);
    const before = fake.requests.length;

    await invokeSender({
      kind: 'send',
      accountId: c.account.id,
      interactionId: c.interaction.id,
      messageId: queued.id,
      attempt: 0,
    });

    expect(fake.requests.length).toBe(before);
    expect(await getOutboundMessage(c.interaction.id, queued.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});

describe('the WhatsApp window', () => {
  const recontact = { name: 'recontact_v1', language: 'en_US', parameters: ['Ada'] };

  it('refuses free text after the window closed with WINDOW_CLOSED and the recontact template, writing and sending nothing', async () => {
    const c = await seedConversation('meta', fake, {
      windowOpenMs: -60_000,
      settings: { recontactTemplate: recontact },
    });
    const before = fake.requests.length;

    const attempt = queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'late',
    });

    await expect(attempt).rejects.toBeInstanceOf(WindowClosedError);
    await expect(attempt).rejects.toMatchObject({
      status: 409,
      code: 'WINDOW_CLOSED',
      recontactTemplate: recontact,
      details: expect.arrayContaining([expect.objectContaining({ path: 'recontactTemplate', template: recontact })]),
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.requests.length).toBe(before);
    expect((await listMessages(c.interaction.id)).filter((m) => m.direction === 'out')).toEqual([]);
  });

  it('refuses canned answers and media too, and offers no template where the provider has none (Twilio WhatsApp)', async () => {
    const c = await seedConversation('twilio', fake, { channel: 'whatsapp', windowOpenMs: -1 });

    // Each expectation is attached before the next call starts: a rejection nobody awaits yet fails the test as unhandled.
    await expect(
      queueCanned({
        accountId: c.account.id,
        interactionId: c.interaction.id,
        agentId: c.agent.id,
        text: 'Hi {{contact.phone}}',
      }),
    ).rejects.toMatchObject({ code: 'WINDOW_CLOSED' });
    await expect(
      queueReply({
        accountId: c.account.id,
        interactionId: c.interaction.id,
        agentId: c.agent.id,
        media: [{ url: 'https://cdn.example.com/a.jpg' }],
      }),
    ).rejects.toMatchObject({ code: 'WINDOW_CLOSED', recontactTemplate: undefined });
  });

  it('still sends a template after the window closed, in the provider template format', async () => {
    const c = await seedConversation('meta', fake, {
      windowOpenMs: -60_000,
      settings: { recontactTemplate: recontact },
    });
    const before = fake.requests.length;

    const queued = await queueTemplate({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      template: recontact,
    });
    await until(c.interaction.id, queued.id, ['sent']);

    expect(sendsTo('meta', before)[0]!.json).toMatchObject({
      type: 'template',
      template: {
        name: 'recontact_v1',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }] }],
      },
      biz_opaque_callback_data: queued.id,
    });
  });

  it('has the sender re-check the window: a queued free-text message fails with WINDOW_CLOSED and no provider call', async () => {
    const c = await seedConversation('sinch', fake, { windowOpenMs: -1000 });
    const message = await pendingMessage(c);
    const before = fake.requests.length;

    await invokeSender({
      kind: 'send',
      accountId: c.account.id,
      interactionId: c.interaction.id,
      messageId: message.id,
      attempt: 0,
    });

    expect(await getOutboundMessage(c.interaction.id, message.id)).toMatchObject({
      status: 'failed',
      errorCode: 'WINDOW_CLOSED',
      attempts: 0,
    });
    expect(fake.requests.length).toBe(before);
    expect(deadLetterOf(message.id)).toMatchObject({ code: 'WINDOW_CLOSED' });
  });
});

describe('a crash between the send and its record', () => {
  let crashes = 0;
  beforeAll(() => {
    // Fails the "mark sent" write, after the provider accepted the send: what a crash at that point leaves behind.
    db.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (crashes > 0 && input.UpdateExpression?.includes('providerMessageId = :pmid')) {
          crashes -= 1;
          throw new Error('simulated crash after the provider call');
        }
        return next(args);
      },
      { step: 'initialize', name: 'simulatedCrash' },
    );
  });
  afterAll(() => {
    db.middlewareStack.remove('simulatedCrash');
  });

  it('does not send twice where the provider echoes the correlation id; the message becomes unconfirmed after the grace period', async () => {
    const c = await seedConversation('bandwidth', fake);
    const ws = await agentSocket(c);
    const before = fake.requests.length;
    crashes = 1;

    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'exactly once',
    });
    // The queue redelivers the job (visibility timeout 1 s): the sender finds it `sending` and only schedules a re-check.
    await eventually(() => {
      const recheck = engine.queues.outbound.messages.find(
        (m) => m.body.includes(queued.id) && m.visibleAt > Date.now() + 60_000,
      );
      if (!recheck) throw new Error('no re-check queued yet');
    }, 10_000);
    await new Promise((r) => setTimeout(r, 1500));

    expect(sendsTo('bandwidth', before)).toHaveLength(1);
    expect(await getOutboundMessage(c.interaction.id, queued.id)).toMatchObject({ status: 'sending', attempts: 1 });

    // Past the grace period, the re-check declares it unconfirmed and tells the agent; still nothing is re-sent.
    const clock = offsetClock();
    const restore = useClock(clock);
    try {
      clock.advance(3 * 60_000);
      const told = nextMessage<{ type: string; status: string; messageId: string }>(
        ws,
        (m) => m.type === 'message.status' && m.messageId === queued.id,
      );
      await invokeSender({
        kind: 'send',
        accountId: c.account.id,
        interactionId: c.interaction.id,
        messageId: queued.id,
        attempt: 0,
      });
      expect(await getOutboundMessage(c.interaction.id, queued.id)).toMatchObject({ status: 'unconfirmed' });
      expect(await told).toMatchObject({ status: 'unconfirmed' });
    } finally {
      restore();
    }
    expect(sendsTo('bandwidth', before)).toHaveLength(1);
  });

  it('reconciles the message from the first status that carries its reference, taking the provider id', async () => {
    const c = await seedConversation('bandwidth', fake);
    const before = fake.requests.length;
    crashes = 1;
    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'reconcile me',
    });
    await eventually(() => {
      if (sendsTo('bandwidth', before).length !== 1) throw new Error('not sent yet');
    }, 10_000);
    await eventually(async () =>
      expect(await getOutboundMessage(c.interaction.id, queued.id)).toMatchObject({ status: 'sending' }),
    );

    // Bandwidth echoes our id in `tag`: its status names the message although we never recorded the provider id.
    const provider = providerFor('bandwidth');
    const spec = provider.simulateStatus(
      {
        url: `${receiveUrl(c.account)}/status`,
        providerMessageId: 'bw-reconciled-0001',
        status: 'delivered',
        timestampMs: Date.now(),
        correlationId: queued.id,
      },
      provider.credentials.parse(fakeCredentials('bandwidth', fake)) as never,
      { id: c.account.id, channel: c.account.channel, phone: c.account.phone, proxyToken: c.account.proxyToken },
    );
    const res = await fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });
    expect(res.status).toBe(200);

    expect(await until(c.interaction.id, queued.id, ['delivered'])).toMatchObject({
      status: 'delivered',
      providerMessageId: 'bw-reconciled-0001',
    });
    expect(sendsTo('bandwidth', before)).toHaveLength(1);
  });

  it('sends again where the provider takes no correlation id (Twilio), once the first call cannot still be running', async () => {
    const c = await seedConversation('twilio', fake);
    const before = fake.requests.length;
    crashes = 1;

    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'at least once',
    });
    await eventually(() => {
      if (!engine.queues.outbound.messages.some((m) => m.body.includes(queued.id) && m.visibleAt > Date.now() + 5_000))
        throw new Error('no re-check yet');
    }, 10_000);
    expect(sendsTo('twilio', before)).toHaveLength(1);

    const clock = offsetClock();
    const restore = useClock(clock);
    try {
      clock.advance(31_000);
      await invokeSender({
        kind: 'send',
        accountId: c.account.id,
        interactionId: c.interaction.id,
        messageId: queued.id,
        attempt: 0,
      });
    } finally {
      restore();
    }
    expect(sendsTo('twilio', before)).toHaveLength(2);
    expect(await getOutboundMessage(c.interaction.id, queued.id)).toMatchObject({ status: 'sent' });
  });
});

describe('auto-replies, canned answers and video', () => {
  it('sends the whitelist auto-reply once, writing its message, however often the job is delivered', async () => {
    const c = await seedConversation('clickatell', fake);
    const before = fake.requests.length;
    const job = {
      kind: 'auto-reply',
      accountId: c.account.id,
      interactionId: c.interaction.id,
      to: CUSTOMER_PHONE,
      text: 'We are closed',
      correlationId: `auto-reply-${c.interaction.id}`,
    };

    await sendMessage('outbound', { body: JSON.stringify(job) });
    await until(c.interaction.id, job.correlationId, ['sent']);
    await invokeSender(job);

    const sends = sendsTo('clickatell', before);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.json).toMatchObject({
      messages: [{ content: 'We are closed', clientMessageId: job.correlationId }],
    });
    expect(await getOutboundMessage(c.interaction.id, job.correlationId)).toMatchObject({
      kind: 'auto-reply',
      status: 'sent',
      direction: 'out',
    });
  });

  it('renders a canned answer with contact, agent and account variables (no HTML escaping)', async () => {
    const c = await seedConversation('infobip', fake);
    const canned = await createCatalogItem(
      'canned',
      { accountId: c.account.id },
      {
        name: 'greeting',
        text: 'Hi {{contact.phone}}, {{agent.fullName}} here from {{account.name}} & co',
      },
    );
    const before = fake.requests.length;

    const queued = await queueCanned({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      cannedAnswerId: canned.id,
    });
    await until(c.interaction.id, queued.id, ['sent']);

    const expected = `Hi ${CUSTOMER_PHONE}, Ada Agent here from ${c.account.name} & co`;
    expect(queued.text).toBe(expected);
    expect(sendsTo('infobip', before)[0]!.json).toMatchObject({ messages: [{ content: { text: expected } }] });
  });

  it('starts a video call through the account Vidaoo settings and sends the link to the customer', async () => {
    const c = await seedConversation('twilio', fake, {
      settings: {
        video: {
          enabled: true,
          apiKey: 'vid-api-key',
          topic: 'Support call',
          note: 'Bring the invoice',
          metadata: '{"team":"care"}',
        },
      },
    });
    const before = fake.requests.length;

    const call = await startVideoCall({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
    });
    await until(c.interaction.id, call.message.id, ['sent']);

    const [meeting] = fake.requests.slice(before).filter((r) => r.target === 'vidaoo');
    expect(meeting).toMatchObject({ method: 'POST', path: '/v1/meetings' });
    expect(meeting!.headers['x-api-key']).toBe('vid-api-key');
    expect(meeting!.json).toEqual({
      topic: 'Support call',
      note: 'Bring the invoice',
      metadata: { team: 'care' },
      reference: c.interaction.id,
    });
    expect(call.link).toMatch(/^https:\/\/meet\.vidaoo\.example\/j\//);
    expect(sendsTo('twilio', before)[0]!.form?.Body).toBe(`Support call: ${call.link}`);
  });

  it('refuses a video call when the account has video off', async () => {
    const c = await seedConversation('twilio', fake);

    await expect(
      startVideoCall({ accountId: c.account.id, interactionId: c.interaction.id, agentId: c.agent.id }),
    ).rejects.toMatchObject({
      status: 409,
      code: 'VIDEO_DISABLED',
    });
  });
});

describe('delivery statuses', () => {
  it('moves the message to delivered when the provider posts its signed status webhook', async () => {
    const c = await seedConversation('meta', fake);
    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'track me',
    });
    const sent = await until(c.interaction.id, queued.id, ['sent']);

    const provider = providerFor('meta');
    const spec = provider.simulateStatus(
      {
        url: `${receiveUrl(c.account)}/status`,
        providerMessageId: sent.providerMessageId!,
        status: 'delivered',
        timestampMs: Date.now(),
      },
      provider.credentials.parse(fakeCredentials('meta', fake)) as never,
      { id: c.account.id, channel: c.account.channel, phone: c.account.phone, proxyToken: c.account.proxyToken },
    );
    const res = await fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });

    expect(res.status).toBe(200);
    expect(await until(c.interaction.id, queued.id, ['delivered'])).toMatchObject({
      status: 'delivered',
      providerMessageId: sent.providerMessageId,
    });
  });

  it('applies a status that arrived before the send was recorded, and tells the agent then', async () => {
    const c = await seedConversation('twilio', fake);
    const ws = await agentSocket(c);
    // Hold the sender's "mark sent" write: the provider has answered, but its id is not recorded yet.
    let providerId: string | undefined;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    db.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };
        if (!providerId && input.UpdateExpression?.includes('providerMessageId = :pmid')) {
          providerId = String(input.ExpressionAttributeValues?.[':pmid']);
          await gate;
        }
        return next(args);
      },
      { step: 'initialize', name: 'holdMarkSent' },
    );
    try {
      const queued = await queueReply({
        accountId: c.account.id,
        interactionId: c.interaction.id,
        agentId: c.agent.id,
        text: 'early status',
      });
      await eventually(() => {
        if (!providerId) throw new Error('not sent yet');
      });
      const told = nextMessage<{ type: string; messageId?: string; status?: string }>(
        ws,
        (m) => m.type === 'message.status' && m.messageId === queued.id && m.status === 'delivered',
        10_000,
      );
      const provider = providerFor('twilio');
      const spec = provider.simulateStatus(
        {
          url: `${receiveUrl(c.account)}/status`,
          providerMessageId: providerId!,
          status: 'delivered',
          timestampMs: Date.now(),
        },
        provider.credentials.parse(fakeCredentials('twilio', fake)) as never,
        { id: c.account.id, channel: c.account.channel, phone: c.account.phone, proxyToken: c.account.proxyToken },
      );
      expect((await fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body })).status).toBe(200);
      // Twilio echoes no reference: the status waits, parked, for its message.
      await eventually(() => expect(engine.queues.inbound.depth).toBe(0));
      release();

      expect(await told).toMatchObject({ status: 'delivered' });
      expect(await until(c.interaction.id, queued.id, ['delivered'])).toMatchObject({ providerMessageId: providerId });
    } finally {
      release();
      db.middlewareStack.remove('holdMarkSent');
    }
  });

  it('pushes message.status to the WebSocket of an agent who belongs to the account when the status webhook arrives', async () => {
    const c = await seedConversation('twilio', fake);
    const ws = await agentSocket(c);
    const queued = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      text: 'did it arrive?',
    });
    const sent = await until(c.interaction.id, queued.id, ['sent']);
    const statusPushed = nextMessage<{ type: string; messageId?: string; status?: string; version?: number }>(
      ws,
      (m) => m.type === 'message.status' && m.messageId === queued.id,
      10_000,
    );

    const provider = providerFor('twilio');
    const spec = provider.simulateStatus(
      {
        url: `${receiveUrl(c.account)}/status`,
        providerMessageId: sent.providerMessageId!,
        status: 'delivered',
        timestampMs: Date.now(),
      },
      provider.credentials.parse(fakeCredentials('twilio', fake)) as never,
      { id: c.account.id, channel: c.account.channel, phone: c.account.phone, proxyToken: c.account.proxyToken },
    );
    const res = await fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });
    expect(res.status).toBe(200);

    const pushed = await statusPushed;
    expect(pushed).toMatchObject({ type: 'message.status', messageId: queued.id, status: 'delivered' });
    expect(typeof pushed.version).toBe('number');
  });
});
