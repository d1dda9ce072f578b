import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutations, onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { clickatellProvider, type ClickatellCredentials } from '../../../shared/providers/clickatell';
import type { AccountContext, HttpRequestSpec, NormalisedEvent, WebhookRequest } from '../../../shared/providers/types';
import { basicAuthHeader } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/clickatell', name), 'utf8');
const FIXTURES = [
  'inbound-text.json',
  'inbound-media.json',
  'inbound-media-inline.json',
  'status-delivered.json',
  'status-failed.json',
  'status-legacy-rest.json',
];

const URL = 'https://hooks.example.com/v1/receive/acc-1/tok-123';
const NOW = Date.UTC(2024, 3, 5, 19, 35, 0);
const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+27831234567', proxyToken: 'tok-123' };
const open: ClickatellCredentials = { apiKey: 'k3yFromTheIntegration==' };
const guarded: ClickatellCredentials = { ...open, webhookUsername: 'hook', webhookPassword: 's3cret' };
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
    endpoint: 'message',
  };
}

const parse = (body: string) => clickatellProvider.parse(webhook(body), account);
const T = new Date(1506607698000).toISOString();

describe('clickatell parse', () => {
  it('reads an inbound text from event.moText', () => {
    expect(parse(fixture('inbound-text.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'message',
        providerMessageId: '3a89680503414383af44dcd0e4e5f184',
        from: '+27821234567',
        to: '+27831234567',
        text: 'Text Content of the reply message',
        media: [],
        parts: [{ type: 'text', text: 'Text Content of the reply message' }],
        providerTimestamp: T,
      },
    ]);
  });

  it('reads inbound media from event.moMedia files as download links, with the caption as text', () => {
    const [event] = parse(fixture('inbound-media.json'));
    expect(event).toEqual({
      type: 'message',
      providerMessageId: '7ed16cedd7ca7c4d252c7ec854dec3cb',
      from: '+27821234567',
      to: '+27831234567',
      text: 'caption text here',
      media: [
        {
          url: expect.stringMatching(/^https:\/\/platform\.clickatell\.com\/v1\/media\?fileId=/),
          contentType: 'image/jpeg',
        },
      ],
      parts: [
        { type: 'text', text: 'caption text here' },
        {
          type: 'media',
          url: expect.stringMatching(/^https:\/\/platform\.clickatell\.com\/v1\/media\?fileId=/),
          contentType: 'image/jpeg',
        },
      ],
      providerTimestamp: T,
    });
  });

  it('keeps inline base64 media as a data URL', () => {
    const [event] = parse(fixture('inbound-media-inline.json'));
    expect(event).toMatchObject({
      type: 'message',
      text: 'receipt',
      media: [{ url: expect.stringMatching(/^data:image\/png;base64,iVBOR/), contentType: 'image/png' }],
      parts: [
        { type: 'text', text: 'receipt' },
        { type: 'media', url: expect.stringMatching(/^data:image\/png;base64,iVBOR/), contentType: 'image/png' },
      ],
    });
  });

  it('reads a DEVICE_ACK status update as delivered', () => {
    expect(parse(fixture('status-delivered.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: '77fb29998253415fa5d66971d519d362',
        status: 'delivered',
        providerStatus: 'DEVICE_ACK',
        providerTimestamp: new Date(1506607705000).toISOString(),
        correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
      },
    ]);
  });

  it('reads a DELIVERY_FAILURE status update as failed with its code', () => {
    expect(parse(fixture('status-failed.json'))).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: '9a1b2c3d4e5f60718293a4b5c6d7e8f9',
        status: 'failed',
        providerStatus: 'DELIVERY_FAILURE',
        errorCode: '23',
        errorMessage: 'DELIVERY_FAILURE',
        providerTimestamp: new Date(1506607790000).toISOString(),
        correlationId: '01HZX3KA0000000000000000AA',
      },
    ]);
  });

  it('reads the older flat REST status callback', () => {
    expect(parse(fixture('status-legacy-rest.json'))).toEqual([
      expect.objectContaining({
        type: 'status',
        providerMessageId: '77fb29998253415fa5d66971d519d362',
        status: 'delivered',
        providerStatus: 'RECEIVED_BY_RECIPIENT',
      }),
    ]);
  });

  it.each([
    [2, 'QUEUED', 'queued'],
    [4, 'SENT_TO_SUPPLIER', 'sent'],
    [6, 'READ', 'read'],
    [20, 'EXPIRED', 'failed'],
    [131, 'WHATSAPP_RE_ENGAGEMENT_REQUIRED', 'failed'],
  ])('maps status code %i (%s) to %s', (statusCode, word, status) => {
    const body = JSON.parse(fixture('status-delivered.json'));
    body.event.messageStatusUpdate[0] = { ...body.event.messageStatusUpdate[0], statusCode, status: word };
    expect(parse(JSON.stringify(body))[0]).toMatchObject({ status, providerStatus: word });
  });

  it('ignores UNKNOWN statuses and event types it does not handle', () => {
    const body = JSON.parse(fixture('status-delivered.json'));
    body.event.messageStatusUpdate[0] = { ...body.event.messageStatusUpdate[0], statusCode: 1, status: 'UNKNOWN' };
    expect(parse(JSON.stringify(body))).toEqual([]);
    expect(
      parse(JSON.stringify({ integrationId: 'x', event: { moLocation: [{ messageId: 'm', from: '1' }] } })),
    ).toEqual([]);
  });

  it('rejects bodies that are not callbacks and messages without id or from', () => {
    const body = JSON.parse(fixture('inbound-text.json'));
    const without = (key: string) => {
      const copy = structuredClone(body);
      delete copy.event.moText[0][key];
      return JSON.stringify(copy);
    };
    expect(() => parse(without('messageId'))).toThrow(PayloadError);
    expect(() => parse(without('from'))).toThrow(PayloadError);
    expect(() => parse('not json')).toThrow(PayloadError);
    expect(() => parse('[]')).toThrow(PayloadError);
    expect(() => parse('{"event":[]}')).toThrow(PayloadError);
    expect(() => parse('{"hello":"world"}')).toThrow(PayloadError);
  });
});

describe('clickatell verify', () => {
  it('accepts any request when no webhook credentials are configured (One API signs nothing)', () => {
    expect(() => clickatellProvider.verify(webhook(fixture('inbound-text.json')), open, account, NOW)).not.toThrow();
  });

  it('requires the configured webhook basic credentials', () => {
    expect(() =>
      clickatellProvider.verify(webhook(fixture('inbound-text.json'), hookAuth), guarded, account, NOW),
    ).not.toThrow();
    expect(() => clickatellProvider.verify(webhook(fixture('inbound-text.json')), guarded, account, NOW)).toThrow(
      SignatureError,
    );
    const wrong = { authorization: basicAuthHeader('hook', 's3creT') };
    expect(() =>
      clickatellProvider.verify(webhook(fixture('inbound-text.json'), wrong), guarded, account, NOW),
    ).toThrow(SignatureError);
  });
});

describe('clickatell simulate', () => {
  it('round-trips an inbound text through verify and parse', () => {
    const spec = clickatellProvider.simulateInbound(
      {
        url: URL,
        providerMessageId: 'sim-1',
        from: '+27821234567',
        to: '+27831234567',
        text: 'hello',
        timestampMs: NOW,
      },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => clickatellProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(clickatellProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: 'sim-1',
        from: '+27821234567',
        to: '+27831234567',
        text: 'hello',
        media: [],
        parts: [{ type: 'text', text: 'hello' }],
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it('round-trips inbound media', () => {
    const media = [{ url: 'https://cdn.example.com/a.jpg', contentType: 'image/jpeg' }];
    const spec = clickatellProvider.simulateInbound(
      {
        url: URL,
        providerMessageId: 'sim-2',
        from: '+27821234567',
        to: '+27831234567',
        text: 'look',
        media,
        timestampMs: NOW,
      },
      open,
      account,
    );
    expect(clickatellProvider.parse(fromSpec(spec), account)[0]).toMatchObject({ text: 'look', media });
  });

  it.each(['queued', 'sent', 'delivered', 'read', 'failed'] as const)('round-trips a %s status', (status) => {
    const spec = clickatellProvider.simulateStatus(
      { url: URL, providerMessageId: 'sim-3', status, timestampMs: NOW },
      guarded,
      account,
    );
    const req = fromSpec(spec);
    expect(() => clickatellProvider.verify(req, guarded, account, NOW)).not.toThrow();
    expect(clickatellProvider.parse(req, account)[0]).toMatchObject({
      type: 'status',
      providerMessageId: 'sim-3',
      status,
    });
  });
});

describe('clickatell send', () => {
  const ctx = { credentials: open, account, baseUrl: 'https://platform.clickatell.com' };
  const message = {
    to: '+27821234567',
    text: 'Your order is ready',
    correlationId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
    statusCallbackUrl: `${URL}/status`,
  };

  it('posts to /v1/message with the raw API key and clientMessageId', () => {
    const req = clickatellProvider.buildSend(ctx, message);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('https://platform.clickatell.com/v1/message');
    expect(req.headers['Authorization']).toBe('k3yFromTheIntegration==');
    expect(req.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(req.body ?? '')).toEqual({
      messages: [
        {
          channel: 'sms',
          to: '27821234567',
          from: '27831234567',
          content: 'Your order is ready',
          clientMessageId: '01HZX3K9Q7M2V5N8B4C6D1E0FA',
        },
      ],
    });
  });

  it('sends media as links in the content', () => {
    const req = clickatellProvider.buildSend(ctx, { ...message, media: [{ url: 'https://cdn.example.com/a.jpg' }] });
    expect(JSON.parse(req.body ?? '').messages[0].content).toBe('Your order is ready\nhttps://cdn.example.com/a.jpg');
  });

  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const rejected = (code: number, description: string) => ({
    messages: [
      {
        apiMessageId: null,
        accepted: false,
        to: '27821234567',
        error: { code, description, documentation: 'https://docs.clickatell.com' },
      },
    ],
    error: null,
  });

  it('reads apiMessageId from an accepted send', () => {
    const body = {
      messages: [{ apiMessageId: '77fb29998253415fa5d66971d519d362', accepted: true, to: '27821234567', error: null }],
      error: null,
    };
    expect(clickatellProvider.parseSendResponse(res(202, body))).toEqual({
      ok: true,
      providerMessageId: '77fb29998253415fa5d66971d519d362',
    });
  });

  it.each([
    [400, 25, 'Invalid recipient address', 'INVALID_NUMBER', false],
    [400, 26, 'Recipient opted out', 'NOT_OPTED_IN', false],
    [402, 20, 'Insufficient account balance', 'INSUFFICIENT_FUNDS', false],
    [400, 43, 'Rate limit', 'RATE_LIMITED', true],
    [400, 23, 'Invalid or missing parameter: to', 'INVALID_REQUEST', false],
    [401, 1, 'Invalid or missing Integration API Key', 'AUTH_FAILED', false],
    [503, 19, 'Internal error, please retry', 'PROVIDER_UNAVAILABLE', true],
    [400, 131, 'Re-engagement required', 'WINDOW_CLOSED', false],
  ] as const)('maps HTTP %i with error %i (%s) to %s', (status, code, description, expected, retryable) => {
    expect(clickatellProvider.parseSendResponse(res(status, rejected(code, description)))).toMatchObject({
      ok: false,
      code: expected,
      retryable,
    });
  });

  it('maps a global 401 error and a bare 503', () => {
    const global = {
      messages: [],
      error: { code: 1, description: 'Invalid or missing Integration API Key', documentation: '' },
    };
    expect(clickatellProvider.parseSendResponse(res(401, global))).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
    expect(clickatellProvider.parseSendResponse(res(503, 'Service Unavailable'))).toMatchObject({
      ok: false,
      code: 'PROVIDER_UNAVAILABLE',
      retryable: true,
    });
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    expect(clickatellProvider.parseSendResponse(res(429, '', { 'retry-after': '3' }))).toEqual(
      expect.objectContaining({ ok: false, code: 'RATE_LIMITED', retryable: true, retryAfterMs: 3000 }),
    );
  });

  it('never throws on an odd body', () => {
    for (const body of ['', 'null', '[]', '{"messages":null}', '{"messages":[null]}', '{"error":"x"}']) {
      expect(clickatellProvider.parseSendResponse(res(202, body))).toMatchObject({ ok: false });
    }
  });
});

describe('clickatell fuzz', () => {
  const check = (body: Buffer) => {
    onlyAppErrors(() => clickatellProvider.parse(webhook(body), account));
    onlyAppErrors(() => clickatellProvider.verify(webhook(body, hookAuth), guarded, account, NOW));
  };

  it('parse and verify throw only AppErrors on random bodies', () => {
    const item = fc.dictionary(
      fc.constantFrom(
        'messageId',
        'from',
        'to',
        'content',
        'caption',
        'files',
        'status',
        'statusCode',
        'timestamp',
        'contentType',
      ),
      fc.jsonValue(),
    );
    const shaped = fc
      .record({
        event: fc.dictionary(
          fc.constantFrom('moText', 'moMedia', 'messageStatusUpdate', 'moLocation'),
          fc.oneof(fc.array(item), fc.jsonValue()),
        ),
      })
      .map((o) => JSON.stringify(o));
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
      fc.string({ unit: 'binary' }).map((s) => Buffer.from(s)),
      shaped.map((s) => Buffer.from(s)),
      item.map((o) => Buffer.from(JSON.stringify(o))),
    );
    fc.assert(fc.property(body, check), { numRuns: 2000 });
  });

  it.each(FIXTURES)('parse and verify throw only AppErrors on mutations of %s', (name) => {
    fc.assert(fc.property(mutations(fixture(name)), check), { numRuns: 2000 });
  });
});

describe('clickatell correlation', () => {
  it('reads our reference from clientMessageId, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('clickatell', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = clickatellProvider.buildSend(
      { credentials: open, account, baseUrl: 'https://platform.clickatell.com' },
      {
        to: '+27821234567',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ messages: [{ clientMessageId: ref }] });

    const body = JSON.parse(fixture('status-delivered.json'));
    body.event.messageStatusUpdate[0].clientMessageId = ref;
    expect(parse(JSON.stringify(body))).toMatchObject([{ type: 'status', status: 'delivered', correlationId: ref }]);
    const legacy = { ...JSON.parse(fixture('status-legacy-rest.json')), clientMessageId: ref };
    expect(parse(JSON.stringify(legacy))).toMatchObject([{ correlationId: ref }]);
    body.event.messageStatusUpdate[0].clientMessageId = null;
    expect(parse(JSON.stringify(body))[0]).not.toHaveProperty('correlationId');

    const spec = clickatellProvider.simulateStatus(
      { url: URL, providerMessageId: 'sim-c', status: 'delivered', timestampMs: NOW, correlationId: ref },
      guarded,
      account,
    );
    expect(clickatellProvider.parse(fromSpec(spec), account)).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: 'sim-c',
        status: 'delivered',
        providerStatus: 'DEVICE_ACK',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
