import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutations, onlyAppErrors } from '../../support/fuzz';
import { AppError, PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { sinchProvider, type SinchCredentials } from '../../../shared/providers/sinch';
import type { AccountContext, HttpRequestSpec, OutboundMessage, WebhookRequest } from '../../../shared/providers/types';

const fixture = (name: string): Buffer => readFileSync(join(__dirname, '../../fixtures/sinch', name));
const FIXTURES = [
  'inbound-text.json',
  'inbound-media.json',
  'inbound-media-card.json',
  'status-delivered.json',
  'status-read.json',
  'status-failed.json',
  'contact-create-sdk-vector.json',
];

const credentials: SinchCredentials = sinchProvider.credentials.parse({
  baseUrl: 'https://eu.conversation.api.sinch.com',
  projectId: 'c36f3d3d-1513-4edd-ae42-11995557ff61',
  appId: '01E8RCZPK7HFV70FFDWFFK0EXK',
  keyId: '5f1a3b7c-2d4e-4f60-8a9b-0c1d2e3f4a5b',
  keySecret: 'Xy7~kP2mQ9',
  webhookSecret: 'sinch-webhook-secret',
});
const account: AccountContext = { id: 'acc-sinch', channel: 'whatsapp', phone: '+46701234567', proxyToken: 'pt_s1nch' };
const URL_ = 'https://hooks.example.com/wa/pt_s1nch';
const NOW = Date.parse('2020-11-17T16:01:10Z');
const NONCE = '01EQBF0C1XN8A3FQ2KZ5J7M9PW';

function signedHeaders(
  body: Buffer,
  secret = credentials.webhookSecret,
  timestamp = String(Math.floor(NOW / 1000)),
): Record<string, string> {
  const signature = createHmac('sha256', secret)
    .update(Buffer.concat([body, Buffer.from(`.${NONCE}.${timestamp}`)]))
    .digest('base64');
  return {
    'x-sinch-webhook-signature': signature,
    'x-sinch-webhook-signature-nonce': NONCE,
    'x-sinch-webhook-signature-timestamp': timestamp,
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
  };
}

function request(rawBody: Buffer, headers: Record<string, string> = signedHeaders(rawBody)): WebhookRequest {
  return { method: 'POST', url: URL_, headers, rawBody, query: {}, endpoint: 'message' };
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

describe('sinch credentials', () => {
  it('defaults the token endpoint and requires the webhook secret', () => {
    expect(credentials.authUrl).toBe('https://auth.sinch.com/oauth2/token');
    expect(sinchProvider.credentials.safeParse({ ...credentials, webhookSecret: '' }).success).toBe(false);
    expect(sinchProvider.secretFields).toEqual(['keySecret', 'webhookSecret']);
  });
});

describe('sinch verify', () => {
  const raw = fixture('status-failed.json');

  it("matches the Sinch .NET SDK's own test vector", () => {
    const vector = fixture('contact-create-sdk-vector.json');
    const req = request(vector, {
      'x-sinch-webhook-signature-nonce': '01FJA8B4A7BM43YGWSG9GBV067',
      'x-sinch-webhook-signature-timestamp': '1634579353',
      'x-sinch-webhook-signature': '6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE=',
    });
    const vectorCredentials = { ...credentials, webhookSecret: 'foo_secret1234' };
    expect(() => sinchProvider.verify(req, vectorCredentials, account, 1634579353_000 + 5_000)).not.toThrow();
    expect(sinchProvider.parse(req, account)).toEqual([]);
  });

  it('accepts a body signed with the webhook secret', () => {
    expect(() => sinchProvider.verify(request(raw), credentials, account, NOW)).not.toThrow();
  });

  it('accepts HmacSHA512 when Sinch announces it', () => {
    const timestamp = String(Math.floor(NOW / 1000));
    const signature = createHmac('sha512', credentials.webhookSecret)
      .update(`${raw.toString()}.${NONCE}.${timestamp}`)
      .digest('base64');
    const headers = {
      ...signedHeaders(raw),
      'x-sinch-webhook-signature': signature,
      'x-sinch-webhook-signature-algorithm': 'HmacSHA512',
    };
    expect(() => sinchProvider.verify(request(raw, headers), credentials, account, NOW)).not.toThrow();
  });

  it('rejects one changed byte, a wrong secret, a missing header and an unknown algorithm', () => {
    const tampered = Buffer.from(raw);
    tampered[tampered.indexOf('FAILED')] = 'f'.charCodeAt(0);
    const { 'x-sinch-webhook-signature': _dropped, ...unsigned } = signedHeaders(raw);
    const cases: Record<string, string>[] = [
      signedHeaders(raw, 'other-secret'),
      unsigned,
      { ...signedHeaders(raw), 'x-sinch-webhook-signature-algorithm': 'HmacMD5' },
    ];
    expect(() => sinchProvider.verify(request(tampered, signedHeaders(raw)), credentials, account, NOW)).toThrow(
      SignatureError,
    );
    for (const headers of cases)
      expect(() => sinchProvider.verify(request(raw, headers), credentials, account, NOW)).toThrow(SignatureError);
  });

  it('rejects a timestamp more than 300 s from now, either way', () => {
    expect(() => sinchProvider.verify(request(raw), credentials, account, NOW + 301_000)).toThrow(/300 s/);
    expect(() => sinchProvider.verify(request(raw), credentials, account, NOW - 301_000)).toThrow(SignatureError);
    expect(() => sinchProvider.verify(request(raw), credentials, account, NOW + 299_000)).not.toThrow();
  });
});

describe('sinch parse', () => {
  const parse = (name: string) => sinchProvider.parse(request(fixture(name)), account);

  it('parses an inbound text; the business number is the account number', () => {
    expect(parse('inbound-text.json')).toEqual([
      {
        type: 'message',
        providerMessageId: '01EBDTPPG3Q3EH14H7DY8X09MG',
        from: '+46712312312',
        to: '+46701234567',
        text: 'Hi from contact',
        media: [],
        parts: [{ type: 'text', text: 'Hi from contact' }],
        providerTimestamp: '2020-06-22T10:55:38.000Z',
      },
    ]);
  });

  it('parses media and media card messages as media references', () => {
    const url =
      'https://1vxc0v12qhrm1e72gq1mmxkf-wpengine.netdna-ssl.com/wp-content/uploads/2019/05/Sinch-logo-Events.png';
    expect(parse('inbound-media.json')).toMatchObject([
      {
        providerMessageId: '01EKJ1534NWK5R02TGWEJN13HA',
        text: '📎 media',
        media: [{ url }],
        parts: [{ type: 'media', url }],
      },
    ]);
    expect(parse('inbound-media-card.json')).toMatchObject([
      {
        text: 'caption text',
        media: [{ url }],
        parts: [{ type: 'media', url, caption: 'caption text' }],
        providerTimestamp: '2020-10-01T12:10:53.991Z',
      },
    ]);
  });

  it('parses delivered, read and failed delivery reports', () => {
    expect(parse('status-delivered.json')).toEqual([
      {
        type: 'status',
        providerMessageId: '01EQBC1A3BEK731GY4YXEN0C2R',
        status: 'delivered',
        providerStatus: 'DELIVERED',
        providerTimestamp: '2020-11-17T15:09:13.267Z',
      },
    ]);
    expect(parse('status-read.json')).toMatchObject([
      { status: 'read', providerTimestamp: '2020-06-22T11:05:53.910Z' },
    ]);
    expect(parse('status-failed.json')).toEqual([
      {
        type: 'status',
        providerMessageId: '01EQBF0BT63J7S1FEKJZ0Z08VD',
        status: 'failed',
        providerStatus: 'FAILED',
        errorCode: 'OUTSIDE_ALLOWED_SENDING_WINDOW',
        errorMessage:
          'The underlying channel reported: Message failed to send because more than 24 hours have passed since the customer last replied to this number',
        providerTimestamp: '2020-11-17T16:01:07.000Z',
      },
    ]);
  });

  it('ignores other triggers and other channels', () => {
    expect(parse('contact-create-sdk-vector.json')).toEqual([]);
    const sms = JSON.parse(fixture('inbound-text.json').toString());
    sms.message.channel_identity.channel = 'SMS';
    expect(sinchProvider.parse(request(Buffer.from(JSON.stringify(sms))), account)).toEqual([]);
  });

  it('throws PayloadError for a message without channel identity or a non-object body', () => {
    const body = JSON.parse(fixture('inbound-text.json').toString());
    delete body.message.channel_identity;
    expect(() => sinchProvider.parse(request(Buffer.from(JSON.stringify(body))), account)).toThrow(PayloadError);
    expect(() => sinchProvider.parse(request(Buffer.from('[1,2]')), account)).toThrow(PayloadError);
  });
});

describe('sinch simulate', () => {
  it('builds a signed inbound that verifies and parses back', () => {
    const spec = sinchProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: '01JSIMINBOUND0000000000000',
        from: '+46712312312',
        to: account.phone,
        text: 'Hej då',
        timestampMs: NOW,
      },
      credentials,
      account,
    );
    const req = fromSpec(spec);
    expect(() => sinchProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(sinchProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: '01JSIMINBOUND0000000000000',
        from: '+46712312312',
        to: '+46701234567',
        text: 'Hej då',
        media: [],
        parts: [{ type: 'text', text: 'Hej då' }],
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it('builds a signed failed report that keeps its reason code', () => {
    const spec = sinchProvider.simulateStatus(
      {
        url: URL_,
        providerMessageId: '01JSIMOUT',
        status: 'failed',
        errorCode: 'RECIPIENT_NOT_OPTED_IN',
        timestampMs: NOW,
      },
      credentials,
      account,
    );
    const req = fromSpec(spec);
    expect(() => sinchProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(sinchProvider.parse(req, account)).toMatchObject([
      { type: 'status', providerMessageId: '01JSIMOUT', status: 'failed', errorCode: 'RECIPIENT_NOT_OPTED_IN' },
    ]);
  });
});

describe('sinch authorize and send', () => {
  const ctx = { credentials, account, baseUrl: 'https://eu.conversation.api.sinch.com' };
  const base: OutboundMessage = {
    to: '+46712312312',
    correlationId: '01JXQ2W8E4R6T8Y0U2I4O6P8A0',
    statusCallbackUrl: `${URL_}/status`,
  };

  it('asks for a client-credentials token with the key id and secret', () => {
    const { request: req, parse } = sinchProvider.authorize!(ctx);
    expect(req).toEqual({
      method: 'POST',
      url: 'https://auth.sinch.com/oauth2/token',
      headers: {
        authorization: `Basic ${Buffer.from('5f1a3b7c-2d4e-4f60-8a9b-0c1d2e3f4a5b:Xy7~kP2mQ9').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const ok = {
      status: 200,
      headers: {},
      body: '{"access_token":"eyJhbGciOi.test","expires_in":3599,"scope":"","token_type":"bearer"}',
    };
    expect(parse(ok)).toEqual({ token: 'eyJhbGciOi.test', expiresInSeconds: 3599 });
    expect(() => parse({ status: 401, headers: {}, body: '{"error":"invalid_client"}' })).toThrow(AppError);
  });

  it('posts to messages:send with the bearer token, callback_url and correlation_id', () => {
    const spec = sinchProvider.buildSend({ ...ctx, accessToken: 'tok123' }, { ...base, text: 'Hello' });
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe(
      'https://eu.conversation.api.sinch.com/v1/projects/c36f3d3d-1513-4edd-ae42-11995557ff61/messages:send',
    );
    expect(spec.headers).toEqual({ authorization: 'Bearer tok123', 'content-type': 'application/json' });
    expect(JSON.parse(spec.body!)).toEqual({
      app_id: '01E8RCZPK7HFV70FFDWFFK0EXK',
      recipient: { identified_by: { channel_identities: [{ channel: 'WHATSAPP', identity: '+46712312312' }] } },
      message: { text_message: { text: 'Hello' } },
      channel_priority_order: ['WHATSAPP'],
      callback_url: `${URL_}/status`,
      correlation_id: '01JXQ2W8E4R6T8Y0U2I4O6P8A0',
    });
  });

  it('sends a WhatsApp channel template and media cards', () => {
    const template = sinchProvider.buildSend(ctx, {
      ...base,
      template: { name: 'order_update', language: 'en', parameters: ['Jane', '4521'] },
    });
    expect(JSON.parse(template.body!).message).toEqual({
      template_message: {
        channel_template: {
          WHATSAPP: {
            template_id: 'order_update',
            language_code: 'en',
            parameters: { 'body[1]text': 'Jane', 'body[2]text': '4521' },
          },
        },
      },
    });
    expect(template.headers.authorization).toMatch(/^Basic /); // no token yet: Sinch's Basic fallback
    const card = sinchProvider.buildSend(ctx, {
      ...base,
      text: 'Receipt',
      media: [{ url: 'https://cdn.example.com/r.png' }],
    });
    expect(JSON.parse(card.body!).message).toEqual({
      media_card_message: { url: 'https://cdn.example.com/r.png', caption: 'Receipt' },
    });
  });

  it('reads the message_id of an accepted send', () => {
    const body = '{"message_id":"01FXT6Q8ZB1F0N9C7PVH2DRK5A","accepted_time":"2022-03-15T10:24:51.731Z"}';
    expect(sinchProvider.parseSendResponse({ status: 200, headers: {}, body })).toEqual({
      ok: true,
      providerMessageId: '01FXT6Q8ZB1F0N9C7PVH2DRK5A',
    });
  });

  const rpcError = (code: number, status: string, message: string, details: unknown[] = []) =>
    JSON.stringify({ error: { code, message, status, details } });

  it.each([
    [
      '400 invalid argument',
      400,
      rpcError(400, 'INVALID_ARGUMENT', 'Invalid argument: message'),
      'INVALID_REQUEST',
      false,
    ],
    [
      '401 unauthenticated',
      401,
      rpcError(401, 'UNAUTHENTICATED', 'Request had invalid credentials.'),
      'AUTH_FAILED',
      false,
    ],
    [
      '503 unavailable',
      503,
      rpcError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
      'PROVIDER_UNAVAILABLE',
      true,
    ],
    [
      'window closed',
      400,
      rpcError(
        400,
        'FAILED_PRECONDITION',
        'OUTSIDE_ALLOWED_SENDING_WINDOW: more than 24 hours since the customer last replied',
      ),
      'WINDOW_CLOSED',
      false,
    ],
    [
      'invalid identity',
      400,
      rpcError(400, 'INVALID_ARGUMENT', 'Invalid recipient', [{ reason: 'RECIPIENT_INVALID_CHANNEL_IDENTITY' }]),
      'INVALID_NUMBER',
      false,
    ],
    ['plain-text 502', 502, 'Bad Gateway', 'PROVIDER_UNAVAILABLE', true],
  ])('maps a %s response to its error code', (_label, status, body, code, retryable) => {
    expect(sinchProvider.parseSendResponse({ status, headers: {}, body })).toMatchObject({
      ok: false,
      code,
      retryable,
    });
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    const res = {
      status: 429,
      headers: { 'Retry-After': '7' },
      body: rpcError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'),
    };
    expect(sinchProvider.parseSendResponse(res)).toEqual({
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 7000,
      detail: 'RESOURCE_EXHAUSTED: Quota exceeded',
    });
  });
});

describe('sinch fuzz', () => {
  const exercise = (rawBody: Buffer, headers: Record<string, string>): void => {
    const req = request(rawBody, headers);
    onlyAppErrors(() => sinchProvider.verify(req, credentials, account, NOW));
    onlyAppErrors(() => sinchProvider.parse(req, account));
  };

  it('never throws anything but AppError on random bodies and headers', () => {
    const body = fc.oneof(
      fc.json().map((s) => Buffer.from(s)),
      fc.string().map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    );
    const headers = fc.dictionary(
      fc.constantFrom(
        'x-sinch-webhook-signature',
        'x-sinch-webhook-signature-nonce',
        'x-sinch-webhook-signature-timestamp',
        'x-sinch-webhook-signature-algorithm',
      ),
      fc.string(),
    );
    fc.assert(fc.property(body, headers, exercise), { numRuns: 2000 });
  });

  it.each(FIXTURES)('never throws anything but AppError on mutations of %s', (name) => {
    const raw = fixture(name);
    fc.assert(
      fc.property(mutations(raw.toString()), (mutated) => exercise(mutated, signedHeaders(mutated))),
      { numRuns: 2000 },
    );
  });
});

describe('sinch correlation', () => {
  it('reads our reference from the callback correlation_id, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('sinch', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = sinchProvider.buildSend(
      { credentials, account, baseUrl: 'https://eu.conversation.api.sinch.com', accessToken: 'tok' },
      {
        to: '+46709876543',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL_}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ correlation_id: ref });

    // Sinch echoes the send's correlation_id at the top of the MESSAGE_DELIVERY callback, beside the report.
    const body = { ...JSON.parse(fixture('status-delivered.json').toString()), correlation_id: ref };
    expect(sinchProvider.parse(request(Buffer.from(JSON.stringify(body))), account)).toMatchObject([
      { type: 'status', status: 'delivered', correlationId: ref },
    ]);
    expect(sinchProvider.parse(request(fixture('status-delivered.json')), account)[0]).not.toHaveProperty(
      'correlationId',
    );

    const spec = sinchProvider.simulateStatus(
      { url: URL_, providerMessageId: '01JSIMOUTC', status: 'delivered', timestampMs: NOW, correlationId: ref },
      credentials,
      account,
    );
    const req = fromSpec(spec);
    expect(() => sinchProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(sinchProvider.parse(req, account)).toEqual([
      {
        type: 'status',
        providerMessageId: '01JSIMOUTC',
        status: 'delivered',
        providerStatus: 'DELIVERED',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
