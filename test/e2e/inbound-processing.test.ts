/**
 * The inbound processor through the whole engine: webhooks in, interactions and messages out. Redelivery is
 * deduplicated, concurrent first messages thread into one interaction in order, statuses only move forward (and
 * wait for their message), interactions open and close as the contact's conversation goes, and the whitelist
 * answers strangers with the auto-reply.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { useEngine, eventually } from '../support/engine';
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { settingsSchema } from '../../shared/admin/account-schema';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { toQueueMessage } from '../../shared/inbound/envelope';
import { afterInbound, type InboundStored } from '../../shared/inbound/process';
import { offsetClock, useClock } from '../../shared/ports/clock';
import { sendMessage } from '../../shared/ports/queue';
import { providerFor } from '../../shared/providers';
import type { Channel, DeliveryStatus, HttpRequestSpec, ProviderType } from '../../shared/providers/types';
import type { Account } from '../../shared/store/accounts';
import {
  closeInteraction,
  getInteraction,
  getMessage,
  insertMessage,
  itemKeys,
  listInteractionsOf,
  listMessages,
  openInteractionFor,
  recordProviderMessageId,
} from '../../shared/store/interactions';
import { db, dynamo, TABLE } from '../../shared/store/client';
import { createContact, createList, findContactByPhone } from '../../shared/store/lists';
import { getItem } from '../../shared/store/util';

const engine = useEngine();

const CREDENTIALS: Partial<Record<ProviderType, Record<string, string>>> = {
  twilio: { accountSid: `AC${'b'.repeat(32)}`, authToken: 'twilio-token' },
  meta: { wabaId: '1000', accessToken: 'EAAG-token', appId: 'app-1', appSecret: 'meta-secret', phoneNumberId: '1099' },
};

let keySerial = 0;
async function newAccount(
  type: ProviderType,
  channel: Channel,
  settings: Record<string, unknown> = {},
): Promise<Account> {
  const list = await createList({ name: `contacts ${type}` });
  keySerial += 1;
  return createAccount({
    channel,
    name: `${type} ${channel}`,
    key: `P${keySerial}`,
    type,
    phone: '+14155550111',
    listId: list.id,
    credentials: CREDENTIALS[type]!,
    settings: settingsSchema.parse(settings),
  });
}

const newPhone = () => `+39347${String(1_000_000 + Math.floor(Math.random() * 8_000_000))}`;
const newId = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

function inbound(
  account: Account,
  input: { id: string; from: string; text?: string; timestampMs?: number },
): HttpRequestSpec {
  const provider = providerFor(account.type);
  return provider.simulateInbound(
    {
      url: receiveUrl(account),
      providerMessageId: input.id,
      from: input.from,
      to: account.phone,
      text: input.text ?? `text of ${input.id}`,
      timestampMs: input.timestampMs ?? Date.now(),
    },
    provider.credentials.parse(CREDENTIALS[account.type]),
    { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
  );
}

function status(account: Account, providerMessageId: string, value: DeliveryStatus): HttpRequestSpec {
  const provider = providerFor(account.type);
  return provider.simulateStatus(
    { url: `${receiveUrl(account)}/status`, providerMessageId, status: value, timestampMs: Date.now() },
    provider.credentials.parse(CREDENTIALS[account.type]),
    { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
  );
}

async function post(spec: HttpRequestSpec): Promise<number> {
  const url = new URL(spec.url);
  const res = await fetch(`${engine().httpUrl}${url.pathname}${url.search}`, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body ?? null,
  });
  await res.arrayBuffer();
  return res.status;
}

async function interactionsWith(account: Account, phone: string) {
  return (await listInteractionsOf(account.id)).filter((i) => i.contactPhone === phone);
}

/** An outbound message as the outbound path will record it, with its provider id indexed. */
async function outboundMessage(account: Account, providerMessageId: string, index = true) {
  const from = newPhone();
  await post(inbound(account, { id: newId('seed'), from }));
  await engine().idle();
  const [interaction] = await interactionsWith(account, from);
  const id = ulid();
  await insertMessage({
    interactionId: interaction!.id,
    id,
    direction: 'out',
    text: 'agent reply',
    media: [],
    parts: [],
    status: 'queued',
    sentAt: new Date().toISOString(),
  });
  if (index) await recordProviderMessageId(account.id, providerMessageId, interaction!.id, `MSG#${id}`);
  return { interactionId: interaction!.id, messageSk: `MSG#${id}` };
}

describe('deduplication', () => {
  it('stores one message when the same webhook arrives 10 times at once', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();
    const spec = inbound(account, { id: newId('SM'), from });

    const answers = await Promise.all(Array.from({ length: 10 }, () => post(spec)));
    await engine().idle();

    expect(answers).toEqual(Array(10).fill(200));
    const [interaction, ...others] = await interactionsWith(account, from);
    expect(others).toHaveLength(0);
    expect(await listMessages(interaction!.id)).toHaveLength(1);
    expect(interaction).toMatchObject({ messageCount: 1 });
  });

  it('stores one message when the queue itself delivers the same event 10 times', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();
    const event = {
      type: 'message' as const,
      providerMessageId: newId('SM'),
      from,
      to: account.phone,
      text: 'again and again',
      media: [],
      parts: [{ type: 'text' as const, text: 'again and again' }],
    };
    const message = toQueueMessage(account.id, event, new Date().toISOString());

    // Distinct deduplication ids get past the queue's own deduplication: only the processor's marker is left.
    for (let i = 0; i < 10; i++)
      await sendMessage('inbound', { ...message, deduplicationId: `${message.deduplicationId}-${i}` });
    await engine().idle();

    const [interaction, ...others] = await interactionsWith(account, from);
    expect(others).toHaveLength(0);
    expect(await listMessages(interaction!.id)).toHaveLength(1);
    expect(await getItem(itemKeys.dedupe(account.id, event.providerMessageId))).toMatchObject({
      expiresAt: expect.any(Number),
    });
  });
});

describe('ordering', () => {
  it('threads 50 first messages from one new number sent at once into one interaction, in the order they were sent', async () => {
    const account = await newAccount('meta', 'whatsapp');
    const from = newPhone();
    const start = Date.now() - 120_000;
    const sent = Array.from({ length: 50 }, (_, i) => ({
      id: `wamid.${String(i).padStart(3, '0')}-${randomBytes(3).toString('hex')}`,
      from,
      timestampMs: start + i * 1000,
      text: `message ${i}`,
    }));

    const answers = await Promise.all(sent.map((m) => post(inbound(account, m))));
    await engine().idle(20_000);

    expect(answers.every((s) => s === 200)).toBe(true);
    const interactions = await interactionsWith(account, from);
    expect(interactions).toHaveLength(1);
    const messages = await listMessages(interactions[0]!.id);
    expect(messages.map((m) => m.providerMessageId)).toEqual(sent.map((m) => m.id));
    expect(interactions[0]).toMatchObject({ status: 'open', messageCount: 50 });
    expect(await findContactByPhone(account.listId, from)).toMatchObject({ phone: from });
  });
});

describe('delivery statuses', () => {
  let account: Account;
  beforeAll(async () => {
    account = await newAccount('twilio', 'sms');
  });

  it('keeps delivered when sent arrives after it', async () => {
    const pmid = newId('SM');
    const target = await outboundMessage(account, pmid);

    expect(await post(status(account, pmid, 'delivered'))).toBe(200);
    expect(await post(status(account, pmid, 'sent'))).toBe(200);
    await engine().idle();

    expect(await getMessage(target.interactionId, target.messageSk)).toMatchObject({ status: 'delivered' });
  });

  it('treats failed as final', async () => {
    const pmid = newId('SM');
    const target = await outboundMessage(account, pmid);

    await post(status(account, pmid, 'sent'));
    await post(status(account, pmid, 'failed'));
    await post(status(account, pmid, 'delivered'));
    await post(status(account, pmid, 'read'));
    await engine().idle();

    expect(await getMessage(target.interactionId, target.messageSk)).toMatchObject({
      status: 'failed',
      errorCode: '30008',
    });
  });

  it('applies a status that arrived before its message once the message is recorded', async () => {
    const pmid = newId('SM');
    await post(status(account, pmid, 'sent'));
    await post(status(account, pmid, 'delivered'));
    await engine().idle();
    expect(await getItem(itemKeys.parkedStatus(account.id, pmid))).toMatchObject({
      status: 'delivered',
      expiresAt: expect.any(Number),
    });

    const target = await outboundMessage(account, pmid);

    expect(await getMessage(target.interactionId, target.messageSk)).toMatchObject({ status: 'delivered' });
    expect(await getItem(itemKeys.parkedStatus(account.id, pmid), true)).toBeUndefined();
  });
});

describe('threading', () => {
  it('threads a second message into the open interaction', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();

    await post(inbound(account, { id: newId('SM'), from, text: 'first' }));
    await post(inbound(account, { id: newId('SM'), from, text: 'second' }));
    await engine().idle();

    const interactions = await interactionsWith(account, from);
    expect(interactions).toHaveLength(1);
    expect(interactions[0]).toMatchObject({ status: 'open', channel: 'sms', messageCount: 2, listId: account.listId });
    expect(interactions[0]!.windowExpiresAt).toBeUndefined();
    expect((await listMessages(interactions[0]!.id)).map((m) => m.text)).toEqual(['first', 'second']);
    expect((await openInteractionFor(account.id, from))?.id).toBe(interactions[0]!.id);
  });

  it('opens a new interaction for the next message once the open one is closed', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();
    await post(inbound(account, { id: newId('SM'), from, text: 'before' }));
    await engine().idle();
    const first = (await openInteractionFor(account.id, from))!;

    await closeInteraction(first, 'agent');
    await post(inbound(account, { id: newId('SM'), from, text: 'after' }));
    await engine().idle();

    const second = (await openInteractionFor(account.id, from))!;
    expect(second.id).not.toBe(first.id);
    expect(second.contactId).toBe(first.contactId);
    expect((await listMessages(second.id)).map((m) => m.text)).toEqual(['after']);
    expect(await getInteraction(first.id)).toMatchObject({ status: 'closed', closeReason: 'agent', messageCount: 1 });
  });

  it('closes a WhatsApp interaction 24 hours after it opened and opens the next one, keeping the window', async () => {
    const account = await newAccount('twilio', 'whatsapp');
    const from = newPhone();
    const clock = offsetClock();
    const restore = useClock(clock);
    try {
      await post(inbound(account, { id: newId('SM'), from, text: 'day one' }));
      await engine().idle();
      clock.advance(60 * 60 * 1000);
      await post(inbound(account, { id: newId('SM'), from, text: 'an hour later' }));
      await engine().idle();
      const first = (await openInteractionFor(account.id, from))!;
      expect(first.messageCount).toBe(2);
      expect(Date.parse(first.windowExpiresAt!) - Date.parse(first.lastInboundAt)).toBe(24 * 60 * 60 * 1000);
      expect(Date.parse(first.sessionExpiresAt!) - Date.parse(first.createdAt)).toBe(24 * 60 * 60 * 1000);

      clock.advance(24 * 60 * 60 * 1000);
      expect(await openInteractionFor(account.id, from)).toBeUndefined();
      await post(inbound(account, { id: newId('SM'), from, text: 'next day' }));
      await engine().idle();

      const second = (await openInteractionFor(account.id, from))!;
      expect(second.id).not.toBe(first.id);
      expect((await listMessages(second.id)).map((m) => m.text)).toEqual(['next day']);
      expect(await getInteraction(first.id)).toMatchObject({
        status: 'closed',
        closeReason: 'session-expired',
        version: first.version + 1,
      });
    } finally {
      restore();
    }
  });
});

describe('whitelist', () => {
  it('answers a number in none of the whitelist lists with the auto-reply and records the interaction closed', async () => {
    const whitelist = await createList({ name: 'vip' });
    const vip = newPhone();
    await createContact({ listId: whitelist.id, phone: vip });
    const account = await newAccount('twilio', 'sms', {
      whitelist: { enabled: true, listIds: [whitelist.id], autoReply: 'This number only serves registered customers.' },
    });
    const stranger = newPhone();
    // Captured, not queued: what the sender then does with the auto-reply is the outbound path's business.
    const outbound = jest.spyOn(engine().queues.outbound, 'send').mockImplementation(() => 'captured');
    try {
      const strangerId = newId('SM');
      await post(inbound(account, { id: strangerId, from: stranger, text: 'hi?' }));
      await post(inbound(account, { id: newId('SM'), from: vip, text: 'hello' }));

      const refused = await eventually(async () => {
        const [found] = await interactionsWith(account, stranger);
        if (!found || !(found as { autoReplyQueuedAt?: string }).autoReplyQueuedAt) throw new Error('not yet');
        return found;
      });
      await eventually(async () => expect(await openInteractionFor(account.id, vip)).toBeDefined());
      await engine().idle();

      expect(refused).toMatchObject({ status: 'closed', closeReason: 'whitelist', messageCount: 1 });
      expect((await listMessages(refused.id)).map((m) => m.text)).toEqual(['hi?']);
      expect(await openInteractionFor(account.id, stranger)).toBeUndefined();
      expect(outbound).toHaveBeenCalledTimes(1);
      const reply = JSON.parse(outbound.mock.calls[0]![0].body) as Record<string, unknown>;
      expect(reply).toEqual({
        kind: 'auto-reply',
        accountId: account.id,
        interactionId: refused.id,
        to: stranger,
        text: 'This number only serves registered customers.',
        correlationId: expect.any(String),
      });
    } finally {
      outbound.mockRestore();
    }
  });
});

describe('afterInbound', () => {
  it('calls its listeners with the stored interaction and message', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();
    const seen: InboundStored[] = [];
    const listener = async (stored: InboundStored) => {
      if (stored.account.id === account.id) seen.push(stored);
    };
    afterInbound.push(listener);
    try {
      await post(inbound(account, { id: newId('SM'), from, text: 'one' }));
      await post(inbound(account, { id: newId('SM'), from, text: 'two' }));
      await engine().idle();
    } finally {
      afterInbound.splice(afterInbound.indexOf(listener), 1);
    }

    expect(
      seen.map((s) => [
        s.message.text,
        s.opened,
        s.interaction.messageCount,
        s.interaction.id === seen[0]!.interaction.id,
      ]),
    ).toEqual([
      ['one', true, 1, true],
      ['two', false, 2, true],
    ]);
    // Each stored message moved the version on (routing, registered by the inbound function, may move it further).
    expect(seen[1]!.interaction.version).toBeGreaterThan(seen[0]!.interaction.version);
  });
});

describe('cost and durability', () => {
  it('stores a message into an existing interaction with at most 6 DynamoDB requests', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();
    await post(inbound(account, { id: newId('SM'), from, text: 'first' }));
    await engine().idle();
    const interactionId = (await interactionsWith(account, from))[0]!.id;
    const commands: string[] = [];
    // The processor's own cost: listeners (routing) are measured by their own capability.
    const listeners = afterInbound.splice(0);
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        // Only this conversation's requests: the engine's timer poller shares the client.
        const input = JSON.stringify(args.input);
        if ([account.id, account.listId, from, interactionId].some((id) => input.includes(id)))
          commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    try {
      await post(inbound(account, { id: newId('SM'), from, text: 'second' }));
      await engine().idle();
    } finally {
      dynamo.middlewareStack.remove('countRequests');
      afterInbound.push(...listeners);
    }

    // The account was read moments ago, so the webhook and the processor take it from the cache: what is left is
    // the contact marker and the open pointer (read together) and the one transaction.
    expect(commands.length).toBeLessThanOrEqual(6);
    expect(commands.sort()).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect((await interactionsWith(account, from))[0]).toMatchObject({ messageCount: 2 });
  });

  it('hands listeners a follow-up\'s interaction as it is after the append, without reading it again, and re-reads when it moved', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();
    await post(inbound(account, { id: newId('SM'), from, text: 'first' }));
    await engine().idle();
    const interactionId = (await interactionsWith(account, from))[0]!.id;
    const heard: InboundStored[] = [];
    const listen = async (stored: InboundStored) => void (stored.interaction.id === interactionId && heard.push(stored));
    afterInbound.push(listen);
    const reads: string[] = [];
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: { pk?: string } }).Key;
        if (context.commandName === 'GetItemCommand' && key?.pk === `INTERACTION#${interactionId}`) reads.push(String(key.pk));
        return next(args);
      },
      { step: 'initialize', name: 'interactionReads' },
    );
    try {
      // The processor saw this conversation's first message: the second reads the interaction beside its pointer.
      await post(inbound(account, { id: newId('SM'), from, text: 'second' }));
      await engine().idle();
      expect(reads).toEqual([]);
      const stored = await getInteraction(interactionId, true);
      expect(heard.at(-1)!.interaction).toEqual(stored);
      expect(stored).toMatchObject({ messageCount: 2, unread: 2 });

      // The interaction moves between the read and the append (a write elsewhere bumps its version): the guessed
      // version no longer holds, the append is tried again on what is there, and the listener still gets the truth.
      let moved = false;
      dynamo.middlewareStack.add(
        (next, context) => async (args) => {
          if (!moved && context.commandName === 'TransactWriteItemsCommand') {
            moved = true;
            await db.send(new UpdateCommand({ TableName: TABLE, Key: itemKeys.interaction(interactionId), UpdateExpression: 'SET note = :n ADD version :one', ExpressionAttributeValues: { ':n': 'moved', ':one': 1 } }));
          }
          return next(args);
        },
        { step: 'initialize', name: 'moveInteraction' },
      );
      try {
        await post(inbound(account, { id: newId('SM'), from, text: 'third' }));
        await engine().idle();
      } finally {
        dynamo.middlewareStack.remove('moveInteraction');
      }
      expect(moved).toBe(true);
      const after = await getInteraction(interactionId, true);
      expect(after).toMatchObject({ messageCount: 3, unread: 3, note: 'moved' });
      expect(heard.at(-1)!.interaction).toEqual(after);
      expect((await listMessages(interactionId)).map((m) => m.text)).toEqual(['first', 'second', 'third']);
    } finally {
      dynamo.middlewareStack.remove('interactionReads');
      afterInbound.splice(afterInbound.indexOf(listen), 1);
    }
  });

  it('answers 503 and acknowledges nothing when the inbound queue refuses the events', async () => {
    const account = await newAccount('twilio', 'sms');
    const from = newPhone();
    const send = jest.spyOn(engine().queues.inbound, 'send').mockImplementation(() => {
      throw new Error('the queue is down');
    });
    try {
      expect(await post(inbound(account, { id: newId('SM'), from }))).toBe(503);
    } finally {
      send.mockRestore();
    }
    await engine().idle();
    expect(await interactionsWith(account, from)).toHaveLength(0);
  });
});

describe('inbound consumer', () => {
  it('fails the first failing record and every later record of its group, drops malformed bodies, and goes on with other groups', async () => {
    const account = await newAccount('twilio', 'sms');
    const [a, b] = [newPhone(), newPhone()];
    const record = (from: string, text: string, n: number) => {
      const m = toQueueMessage(
        account.id,
        {
          type: 'message',
          providerMessageId: newId('SM'),
          from,
          to: account.phone,
          text,
          media: [],
          parts: [{ type: 'text', text }],
        },
        new Date().toISOString(),
      );
      return { messageId: `r${n}`, body: m.body, attributes: { MessageGroupId: m.groupId } };
    };
    const failing = async ({ message }: InboundStored) => {
      if (message.text === 'boom') throw new Error('listener failed');
    };
    afterInbound.push(failing);
    let response: { batchItemFailures: { itemIdentifier: string }[] };
    try {
      response = (await engine().invoke('inbound', {
        Records: [
          { messageId: 'r0', body: '{"not":"an envelope"}', attributes: { MessageGroupId: `${account.id}#${a}` } },
          record(a, 'fine', 1),
          record(a, 'boom', 2),
          record(a, 'never processed', 3),
          record(b, 'other group', 4),
        ],
      })) as typeof response;
    } finally {
      afterInbound.splice(afterInbound.indexOf(failing), 1);
    }

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['r2', 'r3']);
    const [conversation] = await interactionsWith(account, a);
    const inboundTexts = (await listMessages(conversation!.id)).filter((m) => m.direction === 'in').map((m) => m.text);
    expect(inboundTexts).toEqual(['fine', 'boom']);
    expect(await interactionsWith(account, b)).toHaveLength(1);
  });
});
