import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutations, onlyAppErrors } from '../../support/fuzz';
import { AppError, PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { intelepeerProvider, type IntelePeerCredentials } from '../../../shared/providers/intelepeer';
import type { AccountContext, HttpRequestSpec, NormalisedEvent, WebhookRequest } from '../../../shared/providers/types';
import { basicAuthHeader, encodeForm } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/intelepeer', name), 'utf8');
const FIXTURES = ['inbound-text.json', 'inbound-shortcode.json', 'status-delivered.json', 'status-failed.json'];

const URL = 'https://hooks.example.com/v1/receive/acc-1/tok-123';
const NOW = Date.UTC(2024, 3, 5, 19, 35, 0);
const AUTH_URL = 'https://customer.intelepeer.com/_rest/v4/authenticate';
const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+13038675309', proxyToken: 'tok-123' };
const open: IntelePeerCredentials = { username: 'api-user', password: 'p4ss', authUrl: AUTH_URL };
// The fixtures carry IntelePeer's documented example code, used here as the test secret.
const signed: IntelePeerCredentials = { ...open, signatureCode: 'SECRET CODE' };
const guarded: IntelePeerCredentials = { ...signed, webhookUsername: 'tomhanks', webhookPassword: 'megryan' };
const hookAuth = { authorization: basicAuthHeader('tomhanks', 'megryan') };

function webhook(body: string | Buffer, headers: Record<string, string> = {}): WebhookRequest {
  return {
    method: 'POST',
    url: URL,
    headers,
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    query: {},
    endpoint: 'message',
  };
}

function fromSpec(spec: HttpRequestSpec): WebhookRequest {
  const headers = Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: 'POST',
    url: spec.url,
    headers,
    rawBody: Buffer.from(spec.body ?? ''),
    query: {},
    endpoint: 'message',
  };
}

const parse = (body: string) => intelepeerProvider.parse(webhook(body), account);

describe('intelepeer parse', () => {
  it('reads an inbound message', () => {
    expect(parse(fixture('inbound-text.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'message',
        providerMessageId: 'ABCDEF1234567890ABCDEF1234567890',
        from: '+17708675309',
        to: '+13038675309',
        text: 'Hello World!',
        media: [],
        parts: [{ type: 'text', text: 'Hello World!' }],
      },
    ]);
  });

  it('keeps a short code in its {country}-{code} form', () => {
    expect(parse(fixture('inbound-shortcode.json'))[0]).toMatchObject({ to: '1-12345', text: 'STOP' });
  });

  it('also reads a form-encoded body', () => {
    const form = encodeForm({
      refid: 'R1',
      from: '+17708675309',
      to: '+13038675309',
      message: 'hi',
      signature: 'SECRET CODE',
    });
    expect(parse(form)[0]).toMatchObject({ providerMessageId: 'R1', text: 'hi' });
  });

  it('reads a DELIVRD receipt as delivered', () => {
    expect(parse(fixture('status-delivered.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'SM5AC09A610001006568100005C32E9D',
        status: 'delivered',
        providerStatus: 'DELIVRD',
        providerTimestamp: '2024-04-05T19:40:04.000Z',
        correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
      },
    ]);
  });

  it('reads an UNDELIV receipt as failed with its error code', () => {
    expect(parse(fixture('status-failed.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'SM5AC09A610001006568100005C32EA0',
        status: 'failed',
        providerStatus: 'UNDELIV',
        errorCode: '1',
        errorMessage: 'Unknown subscriber',
        providerTimestamp: '2024-04-05T19:41:30.000Z',
        correlationId: '01HZX3KA0000000000000000AA',
      },
    ]);
  });

  it.each([
    ['ACCEPTD', 'sent'],
    ['ENQUEUED', 'queued'],
    ['DELIVERED', 'delivered'],
    ['REJECTD', 'failed'],
    ['EXPIRED', 'failed'],
  ])('maps the receipt state %s to %s', (word, status) => {
    const body = { ...JSON.parse(fixture('status-delivered.json')), status: word };
    expect(parse(JSON.stringify(body))[0]).toMatchObject({ status, providerStatus: word });
  });

  it('rejects a message without refid or from, and bodies that are neither message nor receipt', () => {
    const body = JSON.parse(fixture('inbound-text.json'));
    expect(() => parse(JSON.stringify({ ...body, refid: '' }))).toThrow(PayloadError);
    expect(() => parse(JSON.stringify({ ...body, from: null }))).toThrow(PayloadError);
    expect(() => parse('{"signature":"x"}')).toThrow(PayloadError);
    expect(() => parse('{"status":"DELIVRD"}')).toThrow(PayloadError);
    expect(() => parse('{not json')).toThrow(PayloadError);
    expect(() => parse('[]')).toThrow(PayloadError);
  });
});

describe('intelepeer verify', () => {
  const verify =
    (body: string | Buffer, credentials: IntelePeerCredentials, headers: Record<string, string> = {}) =>
    () =>
      intelepeerProvider.verify(webhook(body, headers), credentials, account, NOW);

  it('accepts the documented fixture carrying the shared code', () => {
    expect(verify(fixture('inbound-text.json'), signed)).not.toThrow();
    expect(verify(fixture('status-delivered.json'), signed)).not.toThrow();
  });

  it('rejects a changed signature byte, a wrong code and a missing signature', () => {
    const body = fixture('inbound-text.json');
    expect(verify(body.replace('SECRET CODE', 'SECRET CODF'), signed)).toThrow(SignatureError);
    expect(verify(body, { ...signed, signatureCode: 'ANOTHER CODE' })).toThrow(SignatureError);
    const { signature: _signature, ...unsigned } = JSON.parse(body);
    expect(verify(JSON.stringify(unsigned), signed)).toThrow(SignatureError);
    expect(verify('not json at all', signed)).toThrow(SignatureError);
  });

  it('accepts anything when no code is configured (the proxy token guards the URL)', () => {
    expect(verify('{}', open)).not.toThrow();
  });

  it('requires the URL basic credentials when configured, in addition to the code', () => {
    expect(verify(fixture('inbound-text.json'), guarded, hookAuth)).not.toThrow();
    expect(verify(fixture('inbound-text.json'), guarded)).toThrow(SignatureError);
    expect(verify(fixture('inbound-text.json'), guarded, { authorization: basicAuthHeader('tomhanks', 'x') })).toThrow(
      SignatureError,
    );
  });
});

describe('intelepeer simulate', () => {
  it('round-trips an inbound text through verify and parse', () => {
    const spec = intelepeerProvider.simulateInbound(
      {
        url: URL,
        providerMessageId: 'SIMREF1',
        from: '+17708675309',
        to: '+13038675309',
        text: 'hello',
        timestampMs: NOW,
      },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => intelepeerProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(intelepeerProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: 'SIMREF1',
        from: '+17708675309',
        to: '+13038675309',
        text: 'hello',
        media: [],
        parts: [{ type: 'text', text: 'hello' }],
      },
    ]);
  });

  it.each(['queued', 'sent', 'delivered', 'failed'] as const)('round-trips a %s receipt', (status) => {
    const spec = intelepeerProvider.simulateStatus(
      { url: URL, providerMessageId: 'SIMREF2', status, timestampMs: NOW },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => intelepeerProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(intelepeerProvider.parse(req, account)[0]).toMatchObject({
      type: 'status',
      providerMessageId: 'SIMREF2',
      status,
    });
  });
});

describe('intelepeer authorize', () => {
  const auth = intelepeerProvider.authorize?.({ credentials: open, account, baseUrl: 'https://api.intelepeer.com' });

  it('posts the username and password to the authenticate endpoint', () => {
    expect(auth?.request).toEqual({
      method: 'POST',
      url: AUTH_URL,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: 'api-user', password: 'p4ss' }),
    });
  });

  it('reads the token and renews it before the 24 h lifetime ends', () => {
    const token = auth?.parse({ status: 200, headers: {}, body: '{"token":"fFkq123"}' });
    expect(token?.token).toBe('fFkq123');
    expect(token?.expiresInSeconds).toBeGreaterThan(23 * 3600);
    expect(token?.expiresInSeconds).toBeLessThanOrEqual(24 * 3600);
  });

  it('fails with an AppError on 401 or a body without token', () => {
    expect(() => auth?.parse({ status: 401, headers: {}, body: '{"code":401,"error":"Unauthorized"}' })).toThrow(
      AppError,
    );
    expect(() => auth?.parse({ status: 200, headers: {}, body: 'oops' })).toThrow(AppError);
  });

  it('defaults the authenticate URL in the credentials schema', () => {
    const parsed = intelepeerProvider.credentials.safeParse({ username: 'u', password: 'p' });
    expect(parsed.success && parsed.data.authUrl).toBe(AUTH_URL);
    expect(intelepeerProvider.credentials.safeParse({ username: 'u', password: '' }).success).toBe(false);
    expect(intelepeerProvider.secretFields).toEqual(
      expect.arrayContaining(['password', 'signatureCode', 'webhookPassword']),
    );
  });
});

describe('intelepeer send', () => {
  const ctx = { credentials: open, account, baseUrl: 'https://api.intelepeer.com', accessToken: 'fFkq123' };
  const message = {
    to: '+13035550000',
    text: 'Your order is ready',
    correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
    statusCallbackUrl: `${URL}/status`,
  };

  it('posts to /_rest/v4/app/sms/send with the bearer token, guid and dlr', () => {
    const req = intelepeerProvider.buildSend(ctx, message);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('https://api.intelepeer.com/_rest/v4/app/sms/send');
    expect(req.headers['Authorization']).toBe('Bearer fFkq123');
    expect(req.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(req.body ?? '')).toEqual({
      from: '+13038675309',
      to: '+13035550000',
      text: 'Your order is ready',
      guid: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
      dlr: true,
    });
  });

  it('sends media as links and refuses to build a send without a token', () => {
    const req = intelepeerProvider.buildSend(ctx, { ...message, media: [{ url: 'https://cdn.example.com/a.jpg' }] });
    expect(JSON.parse(req.body ?? '').text).toBe('Your order is ready\nhttps://cdn.example.com/a.jpg');
    expect(() => intelepeerProvider.buildSend({ ...ctx, accessToken: undefined }, message)).toThrow(AppError);
  });

  const res = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, headers, body });

  it('reads the refid from the 202 answer', () => {
    expect(
      intelepeerProvider.parseSendResponse(res(202, '{"state":"CREATED","refid":"SM5AC09A610001006568100005C32E9D"}')),
    ).toEqual({
      ok: true,
      providerMessageId: 'SM5AC09A610001006568100005C32E9D',
    });
  });

  it.each([
    [400, 'INVALID_REQUEST', false],
    [401, 'AUTH_FAILED', false],
    [403, 'INVALID_NUMBER', false],
    [404, 'INVALID_REQUEST', false],
    [503, 'PROVIDER_UNAVAILABLE', true],
  ] as const)('maps HTTP %i to %s', (status, code, retryable) => {
    expect(intelepeerProvider.parseSendResponse(res(status, '{"code":0,"error":"x"}'))).toMatchObject({
      ok: false,
      code,
      retryable,
    });
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    expect(intelepeerProvider.parseSendResponse(res(429, '', { 'retry-after': '30' }))).toEqual(
      expect.objectContaining({ ok: false, code: 'RATE_LIMITED', retryable: true, retryAfterMs: 30000 }),
    );
  });

  it('never throws on an odd body', () => {
    for (const body of ['', 'null', '[]', '{"refid":{}}', '<html>']) {
      expect(intelepeerProvider.parseSendResponse(res(202, body))).toMatchObject({ ok: false, code: 'PROVIDER_ERROR' });
    }
  });
});

describe('intelepeer fuzz', () => {
  const check = (body: Buffer) => {
    onlyAppErrors(() => intelepeerProvider.parse(webhook(body), account));
    onlyAppErrors(() => intelepeerProvider.verify(webhook(body, hookAuth), guarded, account, NOW));
  };

  it('parse and verify throw only AppErrors on random bodies', () => {
    const shaped = fc
      .dictionary(
        fc.constantFrom(
          'refid',
          'from',
          'to',
          'message',
          'signature',
          'status',
          'state',
          'RCC_en',
          'errorcode',
          'timestamp',
        ),
        fc.jsonValue(),
      )
      .map((o) => JSON.stringify(o));
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
      fc.string({ unit: 'binary' }).map((s) => Buffer.from(s)),
      shaped.map((s) => Buffer.from(s)),
      fc.dictionary(fc.string(), fc.string()).map((o) => Buffer.from(encodeForm(o))),
    );
    fc.assert(fc.property(body, check), { numRuns: 2000 });
  });

  it.each(FIXTURES)('parse and verify throw only AppErrors on mutations of %s', (name) => {
    fc.assert(fc.property(mutations(fixture(name)), check), { numRuns: 2000 });
  });
});

describe('intelepeer correlation', () => {
  it('reads our reference from the receipt guid, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('intelepeer', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = intelepeerProvider.buildSend(
      { credentials: open, account, baseUrl: 'https://api.intelepeer.com', accessToken: 'tok' },
      {
        to: '+17708675309',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ guid: ref });

    const body = { ...JSON.parse(fixture('status-delivered.json')), guid: ref };
    expect(parse(JSON.stringify(body))).toMatchObject([{ type: 'status', status: 'delivered', correlationId: ref }]);
    delete body.guid;
    expect(parse(JSON.stringify(body))[0]).not.toHaveProperty('correlationId');

    const spec = intelepeerProvider.simulateStatus(
      { url: URL, providerMessageId: 'SIMREFC', status: 'delivered', timestampMs: NOW, correlationId: ref },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => intelepeerProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(intelepeerProvider.parse(req, account)).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'SIMREFC',
        status: 'delivered',
        providerStatus: 'DELIVRD',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
