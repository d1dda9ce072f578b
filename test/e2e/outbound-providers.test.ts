/**
 * Outbound through every provider, end to end on the local engine: the agent's reply is written and queued, the
 * sender consumes the outbound queue and calls the fake provider server, and the message ends sent with the
 * provider's id, or failed (with the vocabulary code, a DLQ record and no retry) on the provider's error answer.
 */
import { eventually, engineOptions, type TestEngine } from '../support/engine';
import { startEngine } from '../../lib/local/engine';
import { BAD_REQUEST_CODE, CUSTOMER_PHONE, ACCOUNT_PHONE, FakeProviders, seedConversation, type RecordedRequest } from '../support/fake-providers';
import { queueReply } from '../../shared/outbound/enqueue';
import type { DeadLetterRecord } from '../../shared/outbound/messages';
import { receiveUrl } from '../../shared/admin/accounts';
import { userReference } from '../../shared/providers/skebby';
import { PROVIDER_TYPES, type ProviderType } from '../../shared/providers/types';
import type { Account } from '../../shared/store/accounts';
import { getOutboundMessage, type OutboundMessageItem } from '../../shared/store/outbound';

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

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const digits = (phone: string) => phone.replace(/\D/g, '');
const TEXT = 'Your order ships today';

/** What each provider's send request must look like, as the fake server received it. */
const EXPECTED: Record<ProviderType, (req: RecordedRequest, m: OutboundMessageItem, account: Account) => void> = {
  twilio: (req, m, account) => {
    expect(req.path).toBe('/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json');
    expect(req.headers.authorization).toBe(basic('AC0123456789abcdef0123456789abcdef', 'twilio-auth-token'));
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    // Twilio takes no client reference: the correlation id cannot travel.
    expect(req.form).toEqual({ To: CUSTOMER_PHONE, From: ACCOUNT_PHONE, Body: TEXT, StatusCallback: `${receiveUrl(account)}/status` });
  },
  meta: (req, m) => {
    expect(req.path).toBe('/v25.0/106540352242922/messages');
    expect(req.headers.authorization).toBe('Bearer EAAGtesttoken');
    expect(req.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: CUSTOMER_PHONE,
      type: 'text',
      text: { preview_url: false, body: TEXT },
      biz_opaque_callback_data: m.id,
    });
  },
  kaleyra: (req, m) => {
    expect(req.path).toBe(`/v2/HXAP1692112397IN/whatsapp/${ACCOUNT_PHONE}/messages`);
    expect(req.headers['api-key']).toBe('A5b05332b18076587504bca8d0eade7f3');
    expect(req.json).toMatchObject({ messaging_object: { to: CUSTOMER_PHONE, type: 'text', text: { body: TEXT } }, extra_info: { ref: m.id } });
  },
  sinch: (req, m, account) => {
    expect(req.path).toBe('/v1/projects/proj-7c1a/messages:send');
    expect(req.headers.authorization).toMatch(/^Bearer sinch-token-/);
    expect(req.json).toEqual({
      app_id: '01EB37HMH1M6SV18ASNS3G135H',
      recipient: { identified_by: { channel_identities: [{ channel: 'WHATSAPP', identity: CUSTOMER_PHONE }] } },
      message: { text_message: { text: TEXT } },
      channel_priority_order: ['WHATSAPP'],
      callback_url: `${receiveUrl(account)}/status`,
      correlation_id: m.id,
    });
  },
  plivo: (req, _m, account) => {
    expect(req.path).toBe('/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/');
    expect(req.headers.authorization).toBe(basic('MAXXXXXXXXXXXXXXXXXX', 'plivo-auth-token'));
    expect(req.json).toEqual({ src: digits(ACCOUNT_PHONE), dst: digits(CUSTOMER_PHONE), type: 'sms', text: TEXT, url: `${receiveUrl(account)}/status`, method: 'POST' });
  },
  telnyx: (req, _m, account) => {
    expect(req.path).toBe('/messages');
    expect(req.headers.authorization).toBe('Bearer KEY0123456789ABCDEF');
    expect(req.json).toEqual({ from: ACCOUNT_PHONE, to: CUSTOMER_PHONE, text: TEXT, webhook_url: `${receiveUrl(account)}/status` });
  },
  bandwidth: (req, m) => {
    expect(req.path).toBe('/users/9900000/messages');
    expect(req.headers.authorization).toBe(basic('api-user', 'api-password'));
    expect(req.json).toEqual({ applicationId: '93de2206-9669-4e07-948d-329f4b722ee2', to: [CUSTOMER_PHONE], from: ACCOUNT_PHONE, text: TEXT, tag: m.id });
  },
  infobip: (req, m, account) => {
    expect(req.path).toBe('/sms/3/messages');
    expect(req.headers.authorization).toBe(basic('xcally', 'p4ss'));
    expect(req.json).toEqual({
      messages: [
        {
          sender: digits(ACCOUNT_PHONE),
          destinations: [{ to: digits(CUSTOMER_PHONE), messageId: m.id }],
          content: { text: TEXT },
          webhooks: { delivery: { url: `${receiveUrl(account)}/status` }, contentType: 'application/json', callbackData: m.id },
        },
      ],
    });
  },
  clicksend: (req, m) => {
    expect(req.path).toBe('/v3/sms/send');
    expect(req.headers.authorization).toBe(basic('cs-user', 'CS-API-KEY-1'));
    expect(req.json).toEqual({ messages: [{ source: 'switchboard', from: ACCOUNT_PHONE, to: CUSTOMER_PHONE, custom_string: m.id, body: TEXT }] });
  },
  clickatell: (req, m) => {
    expect(req.path).toBe('/v1/message');
    expect(req.headers.authorization).toBe('k3yFromTheIntegration==');
    expect(req.json).toEqual({ messages: [{ channel: 'sms', to: digits(CUSTOMER_PHONE), from: digits(ACCOUNT_PHONE), content: TEXT, clientMessageId: m.id }] });
  },
  skebby: (req, m) => {
    expect(req.path).toBe('/api/send/smseasy/advanced/http.php');
    expect(req.headers.authorization).toBeUndefined(); // credentials travel in the form
    expect(req.form).toEqual({
      method: 'send_sms_classic_report',
      username: 'skebby-user',
      password: 'skebby-pass',
      'recipients[]': digits(CUSTOMER_PHONE),
      text: TEXT,
      sender_number: digits(ACCOUNT_PHONE),
      user_reference: userReference(m.id),
      charset: 'UTF-8',
    });
  },
  intelepeer: (req, m) => {
    expect(req.path).toBe('/_rest/v4/app/sms/send');
    expect(req.headers.authorization).toMatch(/^Bearer ip-token-/);
    expect(req.json).toEqual({ from: ACCOUNT_PHONE, to: CUSTOMER_PHONE, text: TEXT, guid: m.id, dlr: true });
  },
  connectel: (req, m, account) => {
    expect(req.path).toBe('/messages');
    expect(req.headers.authorization).toBe('Bearer connectel-token');
    expect(req.headers['idempotency-key']).toBe(m.id);
    expect(req.json).toEqual({ from: ACCOUNT_PHONE, to: CUSTOMER_PHONE, text: TEXT, reference: m.id, statusCallbackUrl: `${receiveUrl(account)}/status` });
  },
  csctelecom: (req, m, account) => {
    expect(req.path).toBe('/messages');
    expect(req.headers.authorization).toBe('Bearer csc-api-key');
    expect(req.headers['idempotency-key']).toBe(m.id);
    expect(req.json).toEqual({ from: ACCOUNT_PHONE, to: CUSTOMER_PHONE, text: TEXT, reference: m.id, statusCallbackUrl: `${receiveUrl(account)}/status` });
  },
};

/** The send requests (not token requests) the fake received for a provider since `from`. */
const sendsTo = (type: ProviderType, from = 0) => fake.requests.slice(from).filter((r) => r.target === type);

async function settled(interactionId: string, id: string): Promise<OutboundMessageItem> {
  return eventually(async () => {
    const m = await getOutboundMessage(interactionId, id);
    if (!m || !['sent', 'failed'].includes(m.status)) throw new Error(`message is ${m?.status}`);
    return m;
  }, 10_000);
}

describe.each(PROVIDER_TYPES.map((t) => [t]))('%s', (type) => {
  it('sends the reply in the provider request format and marks the message sent with the provider id', async () => {
    const { account, interaction, agent } = await seedConversation(type, fake);
    const before = fake.requests.length;

    const queued = await queueReply({ accountId: account.id, interactionId: interaction.id, agentId: agent.id, text: TEXT });
    const message = await settled(interaction.id, queued.id);

    const sends = sendsTo(type, before);
    expect(sends).toHaveLength(1);
    const [req] = sends;
    expect(req!.method).toBe('POST');
    EXPECTED[type](req!, message, account);
    expect(message).toMatchObject({ status: 'sent', attempts: 1 });
    expect(message.providerMessageId).toBeTruthy();
    // The id is the one the provider answered with (Infobip keeps the messageId we gave it).
    expect(req!.answer!.body).toContain(message.providerMessageId);
  });

  it('fails for good on the provider error answer: one request, the vocabulary code, a DLQ record with the reason', async () => {
    const { account, interaction, agent } = await seedConversation(type, fake);
    const before = fake.requests.length;
    fake.failNext(type, 1, 'bad-request');

    const queued = await queueReply({ accountId: account.id, interactionId: interaction.id, agentId: agent.id, text: TEXT });
    const message = await settled(interaction.id, queued.id);

    expect(message).toMatchObject({ status: 'failed', errorCode: BAD_REQUEST_CODE[type], attempts: 1 });
    const record = await eventually(() => {
      const found = engine.deadLetters.outbound.messages
        .map((m) => JSON.parse(m.body) as DeadLetterRecord)
        .find((r) => r.message.id === queued.id);
      if (!found) throw new Error('no DLQ record yet');
      return found;
    });
    expect(record).toMatchObject({ code: BAD_REQUEST_CODE[type], attempts: 1, detail: expect.any(String) });
    expect(record.detail.length).toBeGreaterThan(0);
    // Nothing more goes out for it: not retried.
    await new Promise((r) => setTimeout(r, 300));
    expect(sendsTo(type, before)).toHaveLength(1);
  });
});

describe('tokens', () => {
  it('obtains a Sinch OAuth2 token with the key id and secret once and reuses it until it expires', async () => {
    const { account, interaction, agent } = await seedConversation('sinch', fake);
    const before = fake.requests.length;

    for (const text of ['one', 'two']) {
      const queued = await queueReply({ accountId: account.id, interactionId: interaction.id, agentId: agent.id, text });
      await settled(interaction.id, queued.id);
    }

    const tokenRequests = fake.requests.slice(before).filter((r) => r.target === 'sinch-auth');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toMatchObject({ method: 'POST', path: '/oauth2/token', body: 'grant_type=client_credentials' });
    expect(tokenRequests[0]!.headers.authorization).toBe(basic('key-id-1', 'key-secret-1'));
    const bearer = sendsTo('sinch', before).map((r) => r.headers.authorization);
    expect(new Set(bearer).size).toBe(1);
  });

  it('authenticates to IntelePeer with username and password and renews the token once when the API answers 401', async () => {
    const { account, interaction, agent } = await seedConversation('intelepeer', fake);
    const first = await queueReply({ accountId: account.id, interactionId: interaction.id, agentId: agent.id, text: 'one' });
    await settled(interaction.id, first.id);
    const before = fake.requests.length;
    // The cached token was revoked: the next send answers 401 once.
    fake.failNext('intelepeer', 1, 'unauthorized');

    const second = await queueReply({ accountId: account.id, interactionId: interaction.id, agentId: agent.id, text: 'two' });
    const message = await settled(interaction.id, second.id);

    const auth = fake.requests.slice(before).filter((r) => r.target === 'intelepeer-auth');
    expect(auth).toHaveLength(1);
    expect(auth[0]!.json).toEqual({ username: 'ip-user', password: 'ip-pass' });
    expect(sendsTo('intelepeer', before)).toHaveLength(2);
    expect(message.status).toBe('sent');
  });
});
