import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { clicksendProvider, type ClickSendCredentials } from '../../../shared/providers/clicksend';
import type { AccountContext, HttpRequestSpec, NormalisedEvent, WebhookRequest } from '../../../shared/providers/types';
import { basicAuthHeader, encodeForm, parseForm } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/clicksend', name), 'utf8');
const FIXTURES = [
  'inbound-text.form',
  'inbound-reply.form',
  'inbound-text.json',
  'status-delivered.form',
  'status-failed.form',
];

const URL = 'https://hooks.example.com/v1/receive/acc-1/tok-123';
const NOW = Date.UTC(2024, 3, 5, 19, 35, 0);
const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+61481074801', proxyToken: 'tok-123' };
const open: ClickSendCredentials = { username: 'api-user', apiKey: 'ABCD-1234' };
const guarded: ClickSendCredentials = { ...open, webhookUsername: 'hook', webhookPassword: 's3cret' };
const hookAuth = { authorization: basicAuthHeader('hook', 's3cret') };

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
  const query = Object.fromEntries(new globalThis.URL(spec.url).searchParams);
  return {
    method: spec.method === 'GET' ? 'GET' : 'POST',
    url: spec.url,
    headers,
    rawBody: Buffer.from(spec.body ?? ''),
    query,
    endpoint: 'message',
  };
}

const parse = (body: string) => clicksendProvider.parse(webhook(body), account);

describe('clicksend parse', () => {
  it('reads an inbound text in the post (form) format', () => {
    expect(parse(fixture('inbound-text.form'))).toEqual<NormalisedEvent[]>([
      {
        type: 'message',
        providerMessageId: '8C1CFC52-6AC1-4EE2-A4B5-0A63A3E6F2D1',
        from: '+61411111111',
        to: '+61481074801',
        text: 'Hi, is my order ready?',
        media: [],
        parts: [{ type: 'text', text: 'Hi, is my order ready?' }],
        providerTimestamp: '2024-04-05T19:34:38.000Z',
      },
    ]);
  });

  it('reads a reply to one of our messages as an inbound message', () => {
    const [event] = parse(fixture('inbound-reply.form'));
    expect(event).toMatchObject({
      type: 'message',
      providerMessageId: '2F0E2A1B-33C4-4A4E-9C3B-7E0B1D9E6A55',
      text: 'Yes please, tomorrow at 10',
    });
  });

  it('reads the json format the same as the form format', () => {
    expect(parse(fixture('inbound-text.json'))).toEqual(parse(fixture('inbound-text.form')));
  });

  it('reads the get format from the query string', () => {
    const req: WebhookRequest = { ...webhook(''), method: 'GET', query: parseForm(fixture('inbound-text.form')) };
    expect(clicksendProvider.parse(req, account)).toEqual(parse(fixture('inbound-text.form')));
  });

  it('falls back to the account number when the webhook does not name the receiving number', () => {
    const fields = parseForm(fixture('inbound-text.form'));
    delete fields['to'];
    delete fields['sms'];
    expect(parse(encodeForm(fields))[0]).toMatchObject({ to: '+61481074801' });
  });

  it('reads a delivered receipt', () => {
    expect(parse(fixture('status-delivered.form'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'BF7AD270-0DE2-418B-B606-71D527D9C1AE',
        status: 'delivered',
        providerStatus: 'Delivered',
        providerTimestamp: '2024-04-05T19:40:04.000Z',
        correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
      },
    ]);
  });

  it('reads a failed receipt with its error code and text', () => {
    expect(parse(fixture('status-failed.form'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'D1E6B8A0-4C52-4F0B-9A7E-2B3C4D5E6F70',
        status: 'failed',
        providerStatus: 'Undelivered',
        errorCode: '301',
        errorMessage: 'Failed: Unknown subscriber.',
        providerTimestamp: '2024-04-05T19:41:30.000Z',
        correlationId: '01HZX3KA0000000000000000AA',
      },
    ]);
  });

  it.each([
    ['Queued', 'queued'],
    ['Scheduled', 'queued'],
    ['Sent', 'sent'],
    ['Expired', 'failed'],
  ])('maps the receipt status %s to %s', (word, status) => {
    const fields = { ...parseForm(fixture('status-delivered.form')), status: word };
    expect(parse(encodeForm(fields))[0]).toMatchObject({ status, providerStatus: word });
  });

  it('rejects a message without message_id or from, and an empty body', () => {
    const fields = parseForm(fixture('inbound-text.form'));
    expect(() => parse(encodeForm({ ...fields, message_id: '' }))).toThrow(PayloadError);
    expect(() => parse(encodeForm({ ...fields, from: '' }))).toThrow(PayloadError);
    expect(() => parse('')).toThrow(PayloadError);
    expect(() => parse('{"a":')).toThrow(PayloadError);
    expect(() => parse('[1,2]')).toThrow(PayloadError);
  });
});

describe('clicksend verify', () => {
  it('accepts any request when no webhook credentials are configured (ClickSend signs nothing)', () => {
    expect(() => clicksendProvider.verify(webhook(fixture('inbound-text.form')), open, account, NOW)).not.toThrow();
  });

  it('accepts the configured webhook basic credentials', () => {
    expect(() =>
      clicksendProvider.verify(webhook(fixture('inbound-text.form'), hookAuth), guarded, account, NOW),
    ).not.toThrow();
  });

  it('rejects a missing or wrong Authorization header when credentials are configured', () => {
    expect(() => clicksendProvider.verify(webhook(fixture('inbound-text.form')), guarded, account, NOW)).toThrow(
      SignatureError,
    );
    const wrong = { authorization: basicAuthHeader('hook', 'wrong') };
    expect(() => clicksendProvider.verify(webhook(fixture('inbound-text.form'), wrong), guarded, account, NOW)).toThrow(
      SignatureError,
    );
  });
});

describe('clicksend simulate', () => {
  it('round-trips an inbound text through verify and parse', () => {
    const spec = clicksendProvider.simulateInbound(
      {
        url: URL,
        providerMessageId: 'SIM-1',
        from: '+61411111111',
        to: '+61481074801',
        text: 'hello & bye',
        timestampMs: NOW,
      },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => clicksendProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(clicksendProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: 'SIM-1',
        from: '+61411111111',
        to: '+61481074801',
        text: 'hello & bye',
        media: [],
        parts: [{ type: 'text', text: 'hello & bye' }],
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it.each(['queued', 'sent', 'delivered', 'failed'] as const)('round-trips a %s status', (status) => {
    const spec = clicksendProvider.simulateStatus(
      { url: URL, providerMessageId: 'SIM-2', status, timestampMs: NOW },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => clicksendProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(clicksendProvider.parse(req, account)[0]).toMatchObject({
      type: 'status',
      providerMessageId: 'SIM-2',
      status,
    });
  });
});

describe('clicksend send', () => {
  const ctx = { credentials: open, account, baseUrl: 'https://rest.clicksend.com/' };
  const message = {
    to: '+61411111111',
    text: 'Your order is ready',
    correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
    statusCallbackUrl: `${URL}/status`,
  };

  it('posts the SMS to /v3/sms/send with Basic username:api_key and custom_string', () => {
    const req = clicksendProvider.buildSend(ctx, message);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('https://rest.clicksend.com/v3/sms/send');
    expect(req.headers['Authorization']).toBe(`Basic ${Buffer.from('api-user:ABCD-1234').toString('base64')}`);
    expect(req.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(req.body ?? '')).toEqual({
      messages: [
        {
          source: 'switchboard',
          from: '+61481074801',
          to: '+61411111111',
          body: 'Your order is ready',
          custom_string: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
        },
      ],
    });
  });

  it('posts media to /v3/mms/send with the first file as media_file and the rest as links', () => {
    const req = clicksendProvider.buildSend(ctx, {
      ...message,
      media: [
        { url: 'https://cdn.example.com/a.jpg', contentType: 'image/jpeg' },
        { url: 'https://cdn.example.com/b.pdf' },
      ],
    });
    expect(req.url).toBe('https://rest.clicksend.com/v3/mms/send');
    const body = JSON.parse(req.body ?? '');
    expect(body.media_file).toBe('https://cdn.example.com/a.jpg');
    expect(body.messages[0]).toMatchObject({
      to: '+61411111111',
      custom_string: message.correlationId,
      body: 'Your order is ready\nhttps://cdn.example.com/b.pdf',
    });
  });

  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const sent = (item: Record<string, unknown>, responseCode = 'SUCCESS') => ({
    http_code: 200,
    response_code: responseCode,
    response_msg: 'Messages queued for delivery.',
    data: {
      total_price: 0.07,
      total_count: 1,
      queued_count: 1,
      messages: [
        {
          direction: 'out',
          to: '+61411111111',
          message_id: 'BF7AD270-0DE2-418B-B606-71D527D9C1AE',
          custom_string: 'x',
          ...item,
        },
      ],
    },
  });

  it('reads the message id from a successful send', () => {
    expect(clicksendProvider.parseSendResponse(res(200, sent({ status: 'SUCCESS' })))).toEqual({
      ok: true,
      providerMessageId: 'BF7AD270-0DE2-418B-B606-71D527D9C1AE',
    });
  });

  it('maps a per-message INVALID_RECIPIENT (HTTP 200) to INVALID_NUMBER', () => {
    expect(clicksendProvider.parseSendResponse(res(200, sent({ status: 'INVALID_RECIPIENT' })))).toMatchObject({
      ok: false,
      code: 'INVALID_NUMBER',
      retryable: false,
    });
  });

  it('maps INSUFFICIENT_CREDIT to INSUFFICIENT_FUNDS', () => {
    expect(clicksendProvider.parseSendResponse(res(200, sent({ status: 'INSUFFICIENT_CREDIT' })))).toMatchObject({
      ok: false,
      code: 'INSUFFICIENT_FUNDS',
    });
  });

  it.each([
    [400, 'INVALID_REQUEST', false, { http_code: 400, response_code: 'BAD_REQUEST', response_msg: 'Bad request' }],
    [401, 'AUTH_FAILED', false, { http_code: 401, response_code: 'UNAUTHORIZED', response_msg: 'Unauthorized' }],
    [503, 'PROVIDER_UNAVAILABLE', true, 'Service Unavailable'],
  ] as const)('maps HTTP %i to %s', (status, code, retryable, body) => {
    expect(clicksendProvider.parseSendResponse(res(status, body))).toMatchObject({ ok: false, code, retryable });
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    const outcome = clicksendProvider.parseSendResponse(
      res(429, { response_code: 'TOO_MANY_REQUESTS' }, { 'retry-after': '7' }),
    );
    expect(outcome).toEqual(
      expect.objectContaining({ ok: false, code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7000 }),
    );
  });

  it('never throws on an odd body', () => {
    for (const body of ['', 'null', '[]', '{"data":null}', '{"data":{"messages":"x"}}', '<html>']) {
      expect(clicksendProvider.parseSendResponse(res(200, body))).toMatchObject({ ok: false });
    }
  });
});

describe('clicksend credentials', () => {
  it('requires username and apiKey and keeps the secrets listed', () => {
    expect(clicksendProvider.credentials.safeParse({ username: 'u', apiKey: 'k' }).success).toBe(true);
    expect(clicksendProvider.credentials.safeParse({ username: 'u', apiKey: '' }).success).toBe(false);
    expect(clicksendProvider.secretFields).toEqual(expect.arrayContaining(['apiKey', 'webhookPassword']));
  });
});

/** Byte flips, truncations and (for JSON/form) values swapped for other types, all built on one fixture. */
function mutations(raw: string): fc.Arbitrary<Buffer> {
  const bytes = Buffer.from(raw);
  const flip = fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
    const copy = Buffer.from(bytes);
    copy[i] = (copy[i] ?? 0) ^ x;
    return copy;
  });
  const truncate = fc.nat({ max: bytes.length }).map((n) => bytes.subarray(0, n));
  if (raw.trim().startsWith('{')) {
    const json = JSON.parse(raw) as Record<string, unknown>;
    const keys = Object.keys(json);
    const swap = fc
      .tuple(fc.constantFrom(...keys), fc.jsonValue())
      .map(([k, v]) => Buffer.from(JSON.stringify({ ...json, [k]: v })));
    return fc.oneof(flip, truncate, swap);
  }
  const fields = parseForm(raw);
  const keys = Object.keys(fields);
  const swap = fc
    .tuple(fc.constantFrom(...keys), fc.option(fc.string({ unit: 'binary' })))
    .map(([k, v]) => Buffer.from(encodeForm({ ...fields, [k]: v ?? undefined })));
  return fc.oneof(flip, truncate, swap);
}

describe('clicksend fuzz', () => {
  const check = (body: Buffer) => {
    onlyAppErrors(() => clicksendProvider.parse(webhook(body), account));
    onlyAppErrors(() => clicksendProvider.verify(webhook(body, hookAuth), guarded, account, NOW));
  };

  it('parse and verify throw only AppErrors on random bodies', () => {
    const shaped = fc
      .dictionary(
        fc.constantFrom(
          'from',
          'to',
          'sms',
          'body',
          'message',
          'message_id',
          'status',
          'status_code',
          'timestamp',
          'error_code',
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

describe('clicksend correlation', () => {
  it('reads our reference from custom_string (or its customstring alias) and round-trips it through simulateStatus', () => {
    const ref = correlationRef('clicksend', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = clicksendProvider.buildSend(
      { credentials: open, account, baseUrl: 'https://rest.clicksend.com' },
      {
        to: '+61411111111',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ messages: [{ custom_string: ref }] });

    const fields = parseForm(fixture('status-delivered.form'));
    expect(parse(encodeForm({ ...fields, custom_string: ref, customstring: ref }))).toMatchObject([
      { type: 'status', status: 'delivered', correlationId: ref },
    ]);
    expect(parse(encodeForm({ ...fields, custom_string: undefined, customstring: ref }))).toMatchObject([
      { correlationId: ref },
    ]);
    expect(parse(encodeForm({ ...fields, custom_string: '', customstring: '' }))[0]).not.toHaveProperty(
      'correlationId',
    );

    const spec = clicksendProvider.simulateStatus(
      { url: URL, providerMessageId: 'SIM-C', status: 'delivered', timestampMs: NOW, correlationId: ref },
      guarded,
      account,
    );
    expect(clicksendProvider.parse(fromSpec(spec), account)).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'SIM-C',
        status: 'delivered',
        providerStatus: 'Delivered',
        providerTimestamp: new Date(Math.floor(NOW / 1000) * 1000).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
