/**
 * Every provider's receive URL, end to end through the local engine: a correctly signed webhook (built by the
 * provider module's own simulator) is acknowledged the way that provider expects and stored once; a tampered one
 * is refused 403, a wrong token 404, an unparseable body 400, and none of those enqueues anything.
 */
import { useEngine } from '../support/engine';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createAccount, receiveUrl } from '../../shared/admin/accounts';
import { settingsSchema } from '../../shared/admin/account-schema';
import { providerFor } from '../../shared/providers';
import type { AccountContext, Channel, HttpRequestSpec, ProviderType, WebhookRequest } from '../../shared/providers/types';
import { plivoV2Signature } from '../../shared/providers/plivo';
import { twilioSignature } from '../../shared/providers/twilio';
import type { Account } from '../../shared/store/accounts';
import { findByProviderId, getMessage, listInteractionsOf } from '../../shared/store/interactions';
import { createList } from '../../shared/store/lists';

const engine = useEngine();

const ed = generateKeyPairSync('ed25519');
const telnyxPublicKey = ed.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
const telnyxSigning = { privateKeyPem: ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };

/** How a tampered request is made: one body byte changed, or (where the check is a header) that header altered. */
interface ProviderCase {
  type: ProviderType;
  channel: Channel;
  credentials: Record<string, string>;
  tamper: 'body' | string;
  signing?: Record<string, string>;
}

const basic = { webhookUsername: 'hook-user', webhookPassword: 'hook-pass-123' };

const CASES: ProviderCase[] = [
  { type: 'twilio', channel: 'sms', credentials: { accountSid: `AC${'a'.repeat(32)}`, authToken: 'twilio-auth-token' }, tamper: 'body' },
  { type: 'skebby', channel: 'sms', credentials: { username: 'sk-user', password: 'sk-pass', ...basic }, tamper: 'authorization' },
  { type: 'connectel', channel: 'sms', credentials: { authToken: 'ct-token', baseUrl: 'https://api.connectel.example', webhookSecret: 'ct-secret' }, tamper: 'body' },
  { type: 'clicksend', channel: 'sms', credentials: { username: 'cs-user', apiKey: 'cs-key', ...basic }, tamper: 'authorization' },
  { type: 'plivo', channel: 'sms', credentials: { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'plivo-auth-token' }, tamper: 'body' },
  { type: 'clickatell', channel: 'sms', credentials: { apiKey: 'ca-key', ...basic }, tamper: 'authorization' },
  { type: 'csctelecom', channel: 'sms', credentials: { apiKey: 'csc-key', baseUrl: 'https://api.csctelecom.example', webhookSecret: 'csc-secret' }, tamper: 'body' },
  { type: 'infobip', channel: 'sms', credentials: { username: 'ib-user', password: 'ib-pass', baseUrl: 'https://xyz.api.infobip.com', ...basic }, tamper: 'authorization' },
  { type: 'intelepeer', channel: 'sms', credentials: { username: 'ip-user', password: 'ip-pass', signatureCode: 'ip-code', ...basic }, tamper: 'authorization' },
  {
    type: 'bandwidth',
    channel: 'sms',
    credentials: { accountId: '9900000', applicationId: 'app-1', username: 'bw-user', password: 'bw-pass', callbackUsername: 'cb-user', callbackPassword: 'cb-pass' },
    tamper: 'authorization',
  },
  { type: 'telnyx', channel: 'sms', credentials: { apiKey: 'KEY0123', publicKey: telnyxPublicKey }, tamper: 'body', signing: telnyxSigning },
  {
    type: 'sinch',
    channel: 'whatsapp',
    credentials: { projectId: 'proj-1', appId: 'APP1', keyId: 'key-1', keySecret: 'key-secret', webhookSecret: 'sinch-secret' },
    tamper: 'body',
  },
  {
    type: 'meta',
    channel: 'whatsapp',
    credentials: { wabaId: '1000', accessToken: 'EAAG-token', appId: 'app-1', appSecret: 'meta-app-secret', phoneNumberId: '1099' },
    tamper: 'body',
  },
  { type: 'kaleyra', channel: 'whatsapp', credentials: { wabaId: '2000', accountSid: 'HXIN1', apiKey: 'ky-key', webhookSecret: 'ky-secret' }, tamper: 'x-kaleyra-secret' },
];

let serial = 0;
const uniquePhone = () => `+39333${String(1_000_000 + Math.floor(Math.random() * 8_000_000))}`;

async function accountFor(c: ProviderCase): Promise<Account> {
  const list = await createList({ name: `list ${c.type}` });
  serial += 1;
  return createAccount({
    channel: c.channel,
    name: `${c.type} account`,
    key: `K${serial}`,
    type: c.type,
    phone: '+14155550100',
    listId: list.id,
    credentials: c.credentials,
    settings: settingsSchema.parse({}),
  });
}

const contextOf = (a: Account): AccountContext => ({ id: a.id, channel: a.channel, phone: a.phone, proxyToken: a.proxyToken });

function simulate(c: ProviderCase, account: Account, providerMessageId: string, text: string): HttpRequestSpec {
  const provider = providerFor(c.type);
  return provider.simulateInbound(
    { url: receiveUrl(account), providerMessageId, from: uniquePhone(), to: account.phone, text, timestampMs: Date.now() },
    provider.credentials.parse(c.credentials),
    contextOf(account),
    c.signing,
  );
}

/** Sends a simulated request to the engine, at the path of the URL it was built for. */
async function post(spec: { url: string; method?: string; headers: Record<string, string>; body?: string }): Promise<Response> {
  const url = new URL(spec.url);
  return fetch(`${engine().httpUrl}${url.pathname}${url.search}`, { method: spec.method ?? 'POST', headers: spec.headers, body: spec.body ?? null });
}

function tampered(c: ProviderCase, spec: HttpRequestSpec, text: string): HttpRequestSpec {
  if (c.tamper === 'body') {
    const body = spec.body ?? '';
    expect(body).toContain(text);
    return { ...spec, body: body.replace(text, `j${text.slice(1)}`) };
  }
  const name = Object.keys(spec.headers).find((h) => h.toLowerCase() === c.tamper);
  expect(name).toBeDefined();
  const value = spec.headers[name!]!;
  return { ...spec, headers: { ...spec.headers, [name!]: `${value.slice(0, -2)}${value.endsWith('xx') ? 'yy' : 'xx'}` } };
}

const GARBAGE = 'this is not a webhook {';

/** A request that passes the provider's check but whose body cannot be parsed. */
function signedGarbage(c: ProviderCase, account: Account): HttpRequestSpec {
  const url = receiveUrl(account);
  const cred = c.credentials;
  const ts = String(Math.floor(Date.now() / 1000));
  const hex = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');
  switch (c.type) {
    case 'twilio': {
      const body = 'Foo=bar';
      return { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(cred.authToken!, url, [['Foo', 'bar']]) }, body };
    }
    case 'meta':
      return { method: 'POST', url, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${hex(cred.appSecret!, GARBAGE)}` }, body: GARBAGE };
    case 'connectel':
    case 'csctelecom':
      return {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'x-signature-timestamp': ts, 'x-signature': `sha256=${hex(cred.webhookSecret!, `${ts}.${GARBAGE}`)}` },
        body: GARBAGE,
      };
    case 'sinch': {
      const nonce = randomBytes(8).toString('hex');
      const signature = createHmac('sha256', cred.webhookSecret!).update(`${GARBAGE}.${nonce}.${ts}`).digest('base64');
      return {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'x-sinch-webhook-signature-nonce': nonce,
          'x-sinch-webhook-signature-timestamp': ts,
          'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
          'x-sinch-webhook-signature': signature,
        },
        body: GARBAGE,
      };
    }
    case 'telnyx': {
      const signature = sign(null, Buffer.from(`${ts}|${GARBAGE}`), ed.privateKey).toString('base64');
      return { method: 'POST', url, headers: { 'content-type': 'application/json', 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': signature }, body: GARBAGE };
    }
    case 'plivo': {
      // V2 signs the URL only, so any body passes it.
      const nonce = '12345678901234567890';
      return {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-plivo-signature-v2': plivoV2Signature(cred.authToken!, url, nonce), 'x-plivo-signature-v2-nonce': nonce },
        body: GARBAGE,
      };
    }
    case 'intelepeer': {
      // The shared code travels in the body: a body with it but no message.
      const spec = simulate(c, account, 'unused', 'unused');
      return { ...spec, body: JSON.stringify({ signature: cred.signatureCode }) };
    }
    default: {
      // Header-checked providers: the simulator's own headers authenticate any body.
      const spec = simulate(c, account, 'unused', 'unused');
      return { ...spec, body: GARBAGE };
    }
  }
}

/** The provider message id the module reads from a simulated request. */
function eventId(c: ProviderCase, account: Account, spec: HttpRequestSpec): string {
  const lower = Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const req: WebhookRequest = { method: 'POST', url: spec.url, headers: lower, rawBody: Buffer.from(spec.body ?? ''), query: {}, endpoint: 'message' };
  const [event] = providerFor(c.type).parse(req, contextOf(account));
  if (!event) throw new Error(`${c.type} parsed no event from its own simulated webhook`);
  return event.providerMessageId;
}

function expectedAck(type: ProviderType) {
  return providerFor(type).ack({ method: 'POST', url: '', headers: {}, rawBody: Buffer.alloc(0), query: {}, endpoint: 'message' } as WebhookRequest);
}

describe.each(CASES)('$type webhooks', (c) => {
  let account: Account;
  let sends: jest.SpyInstance;

  beforeAll(async () => {
    account = await accountFor(c);
  });
  beforeEach(() => {
    sends = jest.spyOn(engine().queues.inbound, 'send');
  });
  afterEach(() => sends.mockRestore());

  it('acknowledges a signed inbound webhook as the provider expects and stores it as a message', async () => {
    const id = `${c.type}-ok-${randomBytes(4).toString('hex')}`;
    const text = `hello-from-${c.type}`;

    const spec = simulate(c, account, id, text);
    const res = await post(spec);
    const body = await res.text();
    await engine().idle();

    const ack = expectedAck(c.type);
    expect(res.status).toBe(ack.statusCode);
    expect(body).toBe(ack.body ?? '');
    // Skebby sends no message id: the provider module derives one, so the expected id comes from the module itself.
    const providerMessageId = eventId(c, account, spec);
    const index = await findByProviderId(account.id, providerMessageId);
    expect(index).toBeDefined();
    expect(await getMessage(index!.interactionId, index!.messageSk)).toMatchObject({ direction: 'in', text, providerMessageId, status: 'received' });
    expect(sends).toHaveBeenCalledTimes(1);
  });

  it('refuses a tampered webhook with 403 and stores nothing', async () => {
    const id = `${c.type}-tampered-${randomBytes(4).toString('hex')}`;
    const before = (await listInteractionsOf(account.id)).length;

    const spec = simulate(c, account, id, `hello-tampered-${c.type}`);
    const res = await post(tampered(c, spec, `hello-tampered-${c.type}`));
    await engine().idle();

    expect(res.status).toBe(403);
    expect(sends).not.toHaveBeenCalled();
    expect(await findByProviderId(account.id, eventId(c, account, spec))).toBeUndefined();
    expect(await listInteractionsOf(account.id)).toHaveLength(before);
  });

  it('answers 404 for a wrong token, and for an unknown account', async () => {
    const spec = simulate(c, account, `${c.type}-404`, 'hello');
    // Change the last character to one it is not (a fixed replacement would match by chance 1 time in 64).
    const last = account.proxyToken.slice(-1);
    const wrongToken = spec.url.replace(account.proxyToken, `${account.proxyToken.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`);
    const unknownAccount = spec.url.replace(account.id, '01J00000000000000000000000');

    const answers = [await post({ ...spec, url: wrongToken }), await post({ ...spec, url: unknownAccount })];

    expect(answers.map((r) => r.status)).toEqual([404, 404]);
    expect(sends).not.toHaveBeenCalled();
  });

  it('answers 400 with the reason for a body it cannot parse', async () => {
    const res = await post(signedGarbage(c, account));
    const body = (await res.json()) as { error: { code: string; message: string } };

    expect(res.status).toBe(400);
    expect(body.error).toMatchObject({ code: 'BAD_PAYLOAD', message: expect.any(String) });
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(sends).not.toHaveBeenCalled();
  });
});

describe('Meta verification handshake', () => {
  it('echoes hub.challenge for the account verify token and refuses another token', async () => {
    const metaCase = CASES.find((c) => c.type === 'meta')!;
    const account = await accountFor(metaCase);
    const base = receiveUrl(account);

    const ok = await post({ method: 'GET', url: `${base}?hub.mode=subscribe&hub.verify_token=${account.proxyToken}&hub.challenge=1158201444`, headers: {} });
    const bad = await post({ method: 'GET', url: `${base}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`, headers: {} });

    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect(bad.status).toBe(403);
  });
});
