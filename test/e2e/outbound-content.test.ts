/**
 * Typed content end to end on the local engine: a reply with a location or WhatsApp buttons reaches the fake
 * provider in the provider's own shape; a part the provider cannot carry is refused with UNSUPPORTED_CONTENT before
 * anything is written or sent; a delivery report delivered by GET to `/status` (Skebby) moves the message forward.
 */
import { eventually, engineOptions, type TestEngine } from '../support/engine';
import { startEngine } from '../../lib/local/engine';
import { FakeProviders, fakeCredentials, seedConversation } from '../support/fake-providers';
import { queueReply } from '../../shared/outbound/enqueue';
import { receiveUrl } from '../../shared/admin/accounts';
import { AppError } from '../../shared/errors';
import { providerFor } from '../../shared/providers';
import { listMessages } from '../../shared/store/interactions';
import { getOutboundMessage } from '../../shared/store/outbound';

jest.setTimeout(30_000);

let fake: FakeProviders;
let engine: TestEngine;

beforeAll(async () => {
  fake = await FakeProviders.start();
  engine = Object.assign(await startEngine(engineOptions({ env: fake.env() })), { readyAt: Date.now() });
});
afterAll(async () => {
  await engine?.stop();
  await fake?.stop();
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the reply was accepted');
}

describe('typed replies', () => {
  it('sends a location to Meta as a location message and stores it as a location part', async () => {
    const c = await seedConversation('meta', fake);
    const before = fake.requestsTo('meta').length;
    const message = await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      parts: [{ type: 'location', latitude: 37.7749, longitude: -122.4194, name: 'Twilio HQ', address: '375 Beale St' }],
    });
    expect(message.text).toBe('📍 Twilio HQ, 375 Beale St (37.7749, -122.4194)');
    await eventually(() => expect(fake.requestsTo('meta').length).toBe(before + 1), 10_000);
    expect(fake.requestsTo('meta').at(-1)?.json).toMatchObject({
      type: 'location',
      location: { latitude: 37.7749, longitude: -122.4194, name: 'Twilio HQ', address: '375 Beale St' },
    });
    const stored = (await listMessages(c.interaction.id)).find((m) => m.id === message.id);
    expect(stored?.parts).toEqual([{ type: 'location', latitude: 37.7749, longitude: -122.4194, name: 'Twilio HQ', address: '375 Beale St' }]);
  });

  it('sends WhatsApp reply buttons to Meta as an interactive message', async () => {
    const c = await seedConversation('meta', fake);
    const before = fake.requestsTo('meta').length;
    await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      parts: [{ type: 'interactive', body: 'Confirm your slot?', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] }],
    });
    await eventually(() => expect(fake.requestsTo('meta').length).toBe(before + 1), 10_000);
    expect(fake.requestsTo('meta').at(-1)?.json).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Confirm your slot?' },
        action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] },
      },
    });
  });

  it('sends a list to Sinch as a list_message', async () => {
    const c = await seedConversation('sinch', fake);
    const before = fake.requestsTo('sinch').length;
    await queueReply({
      accountId: c.account.id,
      interactionId: c.interaction.id,
      agentId: c.agent.id,
      parts: [{ type: 'interactive', body: 'Pick a day', list: { button: 'Days', sections: [{ title: 'This week', rows: [{ id: 'tue', title: 'Tuesday' }] }] } }],
    });
    await eventually(() => expect(fake.requestsTo('sinch').length).toBe(before + 1), 10_000);
    expect((fake.requestsTo('sinch').at(-1)?.json as { message?: unknown }).message).toEqual({
      list_message: { title: 'Pick a day', sections: [{ title: 'This week', items: [{ choice: { title: 'Tuesday', postback_data: 'tue' } }] }] },
    });
  });

  it('refuses a location on an SMS account with UNSUPPORTED_CONTENT naming the part, before anything is written or sent', async () => {
    const c = await seedConversation('twilio', fake);
    const before = fake.requests.length;
    const error = await refusal(
      queueReply({
        accountId: c.account.id,
        interactionId: c.interaction.id,
        agentId: c.agent.id,
        text: 'here it is',
        parts: [{ type: 'location', latitude: 45.46, longitude: 9.19 }],
      }),
    );
    expect(error).toMatchObject({ status: 422, code: 'UNSUPPORTED_CONTENT', details: [{ path: 'parts.0' }] });
    expect(await listMessages(c.interaction.id)).toHaveLength(1);
    expect(fake.requests.length).toBe(before);
  });

  it('refuses buttons on Twilio WhatsApp and a second media item on Meta, naming each', async () => {
    const tw = await seedConversation('twilio', fake, { channel: 'whatsapp' });
    const buttons = await refusal(
      queueReply({ accountId: tw.account.id, interactionId: tw.interaction.id, agentId: tw.agent.id, parts: [{ type: 'interactive', body: 'Ok?', buttons: [{ id: 'y', title: 'Yes' }] }] }),
    );
    expect(buttons).toMatchObject({ code: 'UNSUPPORTED_CONTENT', details: [{ path: 'parts.0' }] });
    const meta = await seedConversation('meta', fake);
    const media = await refusal(
      queueReply({
        accountId: meta.account.id,
        interactionId: meta.interaction.id,
        agentId: meta.agent.id,
        media: [{ url: 'https://cdn.example.com/a.jpg' }, { url: 'https://cdn.example.com/b.jpg' }],
      }),
    );
    expect(media).toMatchObject({ code: 'UNSUPPORTED_CONTENT', details: [{ path: 'media.1' }] });
    const mixed = await refusal(
      queueReply({ accountId: meta.account.id, interactionId: meta.interaction.id, agentId: meta.agent.id, text: 'see', parts: [{ type: 'location', latitude: 1, longitude: 2 }] }),
    );
    expect(mixed).toMatchObject({ code: 'UNSUPPORTED_CONTENT', details: [{ path: 'text' }] });
  });
});

describe('GET /webhooks/{accountId}/{token}/status', () => {
  it('takes a Skebby delivery report sent by GET and moves the message to delivered', async () => {
    const c = await seedConversation('skebby', fake);
    const queued = await queueReply({ accountId: c.account.id, interactionId: c.interaction.id, agentId: c.agent.id, text: 'Your order ships today' });
    let providerMessageId = '';
    await eventually(async () => {
      const m = await getOutboundMessage(c.interaction.id, queued.id);
      if (!m?.providerMessageId) throw new Error('not sent yet');
      providerMessageId = m.providerMessageId;
    }, 10_000);
    const provider = providerFor('skebby');
    const spec = provider.simulateStatus(
      { url: `${receiveUrl(c.account)}/status`, providerMessageId, status: 'delivered', timestampMs: Date.now(), correlationId: queued.id },
      provider.credentials.parse(fakeCredentials('skebby', fake)) as never,
      { id: c.account.id, channel: c.account.channel, phone: c.account.phone, proxyToken: c.account.proxyToken },
    );
    const headers = Object.fromEntries(Object.entries(spec.headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
    const res = await fetch(`${spec.url}?${spec.body ?? ''}`, { method: 'GET', headers });
    expect(res.status).toBe(200);
    await eventually(async () => expect(await getOutboundMessage(c.interaction.id, queued.id)).toMatchObject({ status: 'delivered' }), 10_000);
  });
});
