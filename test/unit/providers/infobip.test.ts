import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutations, onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { infobipProvider, type InfobipCredentials } from '../../../shared/providers/infobip';
import type { AccountContext, HttpRequestSpec, NormalisedEvent, WebhookRequest } from '../../../shared/providers/types';
import { basicAuthHeader } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/infobip', name), 'utf8');
const FIXTURES = [
  'inbound-text.json',
  'inbound-batch.json',
  'status-delivered.json',
  'status-failed.json',
  'status-mixed.json',
];

const URL = 'https://hooks.example.com/v1/receive/acc-1/tok-123';
const NOW = Date.UTC(2024, 3, 5, 19, 35, 0);
const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+385921004026', proxyToken: 'tok-123' };
const open: InfobipCredentials = { username: 'xcally', password: 'p4ss', baseUrl: 'https://xk4q9.api.infobip.com' };
const guarded: InfobipCredentials = { ...open, webhookUsername: 'hook', webhookPassword: 's3cret' };
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
  return {
    method: 'POST',
    url: spec.url,
    headers,
    rawBody: Buffer.from(spec.body ?? ''),
    query: {},
    endpoint: 'status',
  };
}

const parse = (body: string) => infobipProvider.parse(webhook(body), account);

describe('infobip parse', () => {
  it('reads an inbound MO message (MO_JSON_2), keeping the full text with its keyword', () => {
    expect(parse(fixture('inbound-text.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'message',
        providerMessageId: '817790313235066447',
        from: '+385916242493',
        to: '+385921004026',
        text: 'QUIZ Correct answer is Paris',
        media: [],
        parts: [{ type: 'text', text: 'QUIZ Correct answer is Paris' }],
        providerTimestamp: '2019-11-09T16:00:00.000Z',
      },
    ]);
  });

  it('reads every message of a batch', () => {
    const events = parse(fixture('inbound-batch.json'));
    expect(events.map((e) => [e.providerMessageId, e.type === 'message' ? e.from : ''])).toEqual([
      ['817790313235066447', '+385916242493'],
      ['817790313235066448', '+385916242494'],
    ]);
  });

  it('reads a DELIVERED_TO_HANDSET report as delivered', () => {
    expect(parse(fixture('status-delivered.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
        status: 'delivered',
        providerStatus: 'DELIVERED_TO_HANDSET',
        providerTimestamp: '2019-11-09T16:00:05.000Z',
        correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
      },
    ]);
  });

  it('reads an UNDELIVERABLE report as failed with the error name and description', () => {
    expect(parse(fixture('status-failed.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: '01HZX3KA0000000000000000AA',
        status: 'failed',
        providerStatus: 'UNDELIVERABLE_NOT_DELIVERED',
        errorCode: 'EC_UNKNOWN_SUBSCRIBER',
        errorMessage: 'Unknown Subscriber',
        providerTimestamp: '2019-11-09T16:10:00.000Z',
        correlationId: '01HZX3KA0000000000000000AA',
      },
    ]);
  });

  it('reads DELIVERED_TO_OPERATOR as sent and a rejection (error NO_ERROR) as failed with the status name', () => {
    expect(parse(fixture('status-mixed.json'))).toEqual([
      expect.objectContaining({
        providerMessageId: '01HZX3KB0000000000000000BB',
        status: 'sent',
        providerStatus: 'DELIVERED_TO_OPERATOR',
      }),
      expect.objectContaining({
        providerMessageId: '01HZX3KC0000000000000000CC',
        status: 'failed',
        errorCode: 'REJECTED_NOT_ENOUGH_CREDITS',
        errorMessage: 'Not enough credits',
      }),
    ]);
  });

  it.each([
    [1, 'PENDING', 26, 'PENDING_ACCEPTED', 'queued'],
    [1, 'PENDING', 7, 'PENDING_ENROUTE', 'sent'],
    [4, 'EXPIRED', 15, 'EXPIRED_EXPIRED', 'failed'],
  ])('maps group %i %s / %i %s to %s', (groupId, groupName, id, name, status) => {
    const body = JSON.parse(fixture('status-delivered.json'));
    body.results[0].status = { groupId, groupName, id, name, description: '' };
    expect(parse(JSON.stringify(body))[0]).toMatchObject({ status, providerStatus: name });
  });

  it('returns nothing for an empty batch and rejects other bodies', () => {
    expect(parse('{"results":[]}')).toEqual([]);
    expect(() => parse('{"results":{}}')).toThrow(PayloadError);
    expect(() => parse('{"foo":1}')).toThrow(PayloadError);
    expect(() => parse('{"results":[7]}')).toThrow(PayloadError);
    expect(() => parse('{"results":[{"from":"385916242493","text":"x"}]}')).toThrow(PayloadError);
    expect(() => parse('{"results":[{"messageId":"1","text":"x"}]}')).toThrow(PayloadError);
    expect(() => parse('{"results":[{"status":{"groupId":3}}]}')).toThrow(PayloadError);
    expect(() => parse('<xml/>')).toThrow(PayloadError);
  });
});

describe('infobip verify', () => {
  it('accepts any request when no webhook credentials are configured (number forwarding signs nothing)', () => {
    expect(() => infobipProvider.verify(webhook(fixture('inbound-text.json')), open, account, NOW)).not.toThrow();
  });

  it('requires the configured webhook basic credentials', () => {
    expect(() =>
      infobipProvider.verify(webhook(fixture('inbound-text.json'), hookAuth), guarded, account, NOW),
    ).not.toThrow();
    expect(() => infobipProvider.verify(webhook(fixture('inbound-text.json')), guarded, account, NOW)).toThrow(
      SignatureError,
    );
    const wrong = { authorization: basicAuthHeader('hook', 'other') };
    expect(() => infobipProvider.verify(webhook(fixture('inbound-text.json'), wrong), guarded, account, NOW)).toThrow(
      SignatureError,
    );
  });
});

describe('infobip simulate', () => {
  it('round-trips an inbound text through verify and parse', () => {
    const spec = infobipProvider.simulateInbound(
      {
        url: URL,
        providerMessageId: 'sim-1',
        from: '+385916242493',
        to: '+385921004026',
        text: 'hello',
        timestampMs: NOW,
      },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => infobipProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(infobipProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: 'sim-1',
        from: '+385916242493',
        to: '+385921004026',
        text: 'hello',
        media: [],
        parts: [{ type: 'text', text: 'hello' }],
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it.each(['queued', 'sent', 'delivered', 'failed'] as const)('round-trips a %s report', (status) => {
    const spec = infobipProvider.simulateStatus(
      { url: URL, providerMessageId: 'sim-2', status, timestampMs: NOW },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => infobipProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(infobipProvider.parse(req, account)[0]).toMatchObject({
      type: 'status',
      providerMessageId: 'sim-2',
      status,
      providerTimestamp: new Date(NOW).toISOString(),
    });
  });
});

describe('infobip send', () => {
  const ctx = { credentials: open, account, baseUrl: 'https://xk4q9.api.infobip.com' };
  const message = {
    to: '+385916242493',
    text: 'Your order is ready',
    correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
    statusCallbackUrl: `${URL}/status`,
  };

  it('posts to /sms/3/messages with Basic username:password, our id as messageId and callbackData, and the report URL', () => {
    const req = infobipProvider.buildSend(ctx, message);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('https://xk4q9.api.infobip.com/sms/3/messages');
    expect(req.headers['Authorization']).toBe(`Basic ${Buffer.from('xcally:p4ss').toString('base64')}`);
    expect(req.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(req.body ?? '')).toEqual({
      messages: [
        {
          sender: '385921004026',
          destinations: [{ to: '385916242493', messageId: '01HZX3K9Q7M2V5N8B4C6D1E0FA' }],
          content: { text: 'Your order is ready' },
          webhooks: {
            delivery: { url: `${URL}/status` },
            contentType: 'application/json',
            callbackData: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
          },
        },
      ],
    });
  });

  it('uses App <apiKey> when an API key is configured', () => {
    const req = infobipProvider.buildSend({ ...ctx, credentials: { ...open, apiKey: '0123abcd' } }, message);
    expect(req.headers['Authorization']).toBe('App 0123abcd');
  });

  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const accepted = (status: Record<string, unknown>) => ({
    bulkId: '2034072219640523073',
    messages: [{ messageId: '01HZX3K9Q7M2V5N8B4C6D1E0FA', status, destination: '385916242493' }],
  });

  it('reads the message id from an accepted send', () => {
    const body = accepted({
      groupId: 1,
      groupName: 'PENDING',
      id: 26,
      name: 'PENDING_ACCEPTED',
      description: 'Message sent to next instance',
    });
    expect(infobipProvider.parseSendResponse(res(200, body))).toEqual({
      ok: true,
      providerMessageId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
    });
  });

  it.each([
    ['REJECTED_DESTINATION', 'INVALID_NUMBER'],
    ['REJECTED_PREFIX_MISSING', 'INVALID_NUMBER'],
    ['REJECTED_NOT_ENOUGH_CREDITS', 'INSUFFICIENT_FUNDS'],
    ['REJECTED_DND', 'NOT_OPTED_IN'],
    ['REJECTED_SENDER', 'INVALID_REQUEST'],
  ])('maps a %s rejection (HTTP 200) to %s', (name, code) => {
    const body = accepted({ groupId: 5, groupName: 'REJECTED', id: 14, name, description: '' });
    expect(infobipProvider.parseSendResponse(res(200, body))).toMatchObject({ ok: false, code, retryable: false });
  });

  it('maps a 400 naming the destination to INVALID_NUMBER and other 400s to INVALID_REQUEST', () => {
    const bad = (property: string) => ({
      errorCode: 'E400',
      description: 'Request cannot be processed.',
      action: 'Check the syntax, violations and adjust the request.',
      violations: [{ property, violation: 'Invalid value' }],
      resources: [],
    });
    expect(infobipProvider.parseSendResponse(res(400, bad('messages[0].destinations[0].to')))).toMatchObject({
      ok: false,
      code: 'INVALID_NUMBER',
    });
    expect(infobipProvider.parseSendResponse(res(400, bad('messages[0].content.text')))).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
      retryable: false,
    });
  });

  it.each([
    [401, 'AUTH_FAILED', false],
    [403, 'AUTH_FAILED', false],
    [503, 'PROVIDER_UNAVAILABLE', true],
  ] as const)('maps HTTP %i to %s', (status, code, retryable) => {
    const body = { requestError: { serviceException: { messageId: 'UNAUTHORIZED', text: 'Invalid login details' } } };
    expect(infobipProvider.parseSendResponse(res(status, body))).toMatchObject({ ok: false, code, retryable });
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    expect(infobipProvider.parseSendResponse(res(429, '{}', { 'retry-after': '12' }))).toEqual(
      expect.objectContaining({ ok: false, code: 'RATE_LIMITED', retryable: true, retryAfterMs: 12000 }),
    );
  });

  it('never throws on an odd body', () => {
    for (const body of ['', 'null', '[]', '{"messages":null}', '{"messages":[null]}', '{"messages":[{"status":7}]}']) {
      expect(infobipProvider.parseSendResponse(res(200, body))).toMatchObject({ ok: false });
    }
  });
});

describe('infobip credentials', () => {
  it('requires username, password and a base URL', () => {
    expect(infobipProvider.credentials.safeParse(open).success).toBe(true);
    expect(infobipProvider.credentials.safeParse({ ...open, baseUrl: 'not a url' }).success).toBe(false);
    expect(infobipProvider.credentials.safeParse({ ...open, password: '' }).success).toBe(false);
    expect(infobipProvider.secretFields).toEqual(expect.arrayContaining(['password', 'apiKey', 'webhookPassword']));
  });
});

describe('infobip fuzz', () => {
  const check = (body: Buffer) => {
    onlyAppErrors(() => infobipProvider.parse(webhook(body), account));
    onlyAppErrors(() => infobipProvider.verify(webhook(body, hookAuth), guarded, account, NOW));
  };

  it('parse and verify throw only AppErrors on random bodies', () => {
    const item = fc.dictionary(
      fc.constantFrom(
        'messageId',
        'from',
        'to',
        'text',
        'cleanText',
        'receivedAt',
        'doneAt',
        'sentAt',
        'status',
        'error',
      ),
      fc.oneof(
        fc.jsonValue(),
        fc.dictionary(fc.constantFrom('groupId', 'groupName', 'id', 'name', 'description'), fc.jsonValue()),
      ),
    );
    const shaped = fc.record({ results: fc.oneof(fc.array(item), fc.jsonValue()) }).map((o) => JSON.stringify(o));
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
      fc.string({ unit: 'binary' }).map((s) => Buffer.from(s)),
      shaped.map((s) => Buffer.from(s)),
    );
    fc.assert(fc.property(body, check), { numRuns: 2000 });
  });

  it.each(FIXTURES)('parse and verify throw only AppErrors on mutations of %s', (name) => {
    fc.assert(fc.property(mutations(fixture(name)), check), { numRuns: 2000 });
  });
});

describe('infobip correlation', () => {
  it('reads our reference from callbackData only, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('infobip', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = infobipProvider.buildSend(
      { credentials: open, account, baseUrl: open.baseUrl },
      {
        to: '+385916242493',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ messages: [{ webhooks: { callbackData: ref } }] });

    const body = JSON.parse(fixture('status-delivered.json'));
    body.results[0].callbackData = ref;
    body.results[0].messageId = 'another-id';
    expect(parse(JSON.stringify(body))).toMatchObject([
      { type: 'status', providerMessageId: 'another-id', status: 'delivered', correlationId: ref },
    ]);
    // No fallback to messageId: that is the provider id we record, not a separate echo.
    body.results[0].callbackData = null;
    expect(parse(JSON.stringify(body))[0]).not.toHaveProperty('correlationId');

    const spec = infobipProvider.simulateStatus(
      { url: URL, providerMessageId: 'sim-c', status: 'delivered', timestampMs: NOW, correlationId: ref },
      guarded,
      account,
    );
    expect(infobipProvider.parse(fromSpec(spec), account)).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'sim-c',
        status: 'delivered',
        providerStatus: 'DELIVERED_TO_HANDSET',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
