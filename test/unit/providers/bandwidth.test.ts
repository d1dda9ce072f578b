import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { bandwidthProvider, type BandwidthCredentials } from '../../../shared/providers/bandwidth';
import type { AccountContext, WebhookRequest } from '../../../shared/providers/types';
import { basicAuthHeader } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/bandwidth', name));
const FIXTURES = [
  'inbound-text.json',
  'inbound-media.json',
  'status-delivered.json',
  'status-failed.json',
  'status-sending-and-delivered.json',
];

const credentials: BandwidthCredentials = {
  accountId: '9900000',
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  username: 'api-user',
  password: 'api-password',
};
const withCallbackAuth: BandwidthCredentials = {
  ...credentials,
  callbackUsername: 'bw-callback',
  callbackPassword: 'callback-secret',
};
const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+19195550142', proxyToken: 'p-1' };
const URL_ = 'https://hooks.example.com/w/p-1';
const NOW = Date.UTC(2024, 2, 5, 12, 0, 0);
const CALLBACK_AUTH = { authorization: basicAuthHeader('bw-callback', 'callback-secret') };

function request(rawBody: Buffer | string, headers: Record<string, string> = {}): WebhookRequest {
  return { method: 'POST', url: URL_, headers, rawBody: Buffer.from(rawBody), query: {}, endpoint: 'message' };
}

describe('bandwidth parse', () => {
  it('reads a message-received callback into a message event', () => {
    expect(bandwidthProvider.parse(request(fixture('inbound-text.json')), account)).toEqual([
      {
        type: 'message',
        providerMessageId: '14762070468292kw2fuqty55yp2b2',
        from: '+12345678901',
        to: '+12345678902',
        text: 'Hey, check this out!',
        media: [],
        parts: [{ type: 'text', text: 'Hey, check this out!' }],
        providerTimestamp: '2016-09-14T18:20:16.000Z',
      },
    ]);
  });

  it('keeps MMS media and drops the SMIL presentation part', () => {
    expect(bandwidthProvider.parse(request(fixture('inbound-media.json')), account)).toEqual([
      {
        type: 'message',
        providerMessageId: '1709648529081v4ruxzdiudq3wrbe',
        from: '+19195550187',
        to: '+19195550142',
        text: 'Here is the photo',
        media: [
          {
            url: 'https://messaging.bandwidth.com/api/v2/users/9900000/media/1709648529081v4ruxzdiudq3wrbe/1/IMG_2041.jpg',
          },
          {
            url: 'https://messaging.bandwidth.com/api/v2/users/9900000/media/1709648529081v4ruxzdiudq3wrbe/2/text_0.txt',
          },
        ],
        parts: [
          { type: 'text', text: 'Here is the photo' },
          {
            type: 'media',
            url: 'https://messaging.bandwidth.com/api/v2/users/9900000/media/1709648529081v4ruxzdiudq3wrbe/1/IMG_2041.jpg',
          },
          {
            type: 'media',
            url: 'https://messaging.bandwidth.com/api/v2/users/9900000/media/1709648529081v4ruxzdiudq3wrbe/2/text_0.txt',
          },
        ],
        providerTimestamp: '2024-03-05T14:22:09.081Z',
      },
    ]);
  });

  it('reads message-delivered', () => {
    expect(bandwidthProvider.parse(request(fixture('status-delivered.json')), account)).toEqual([
      {
        type: 'status',
        providerMessageId: '14762070468292kw2fuqty55yp2b2',
        status: 'delivered',
        providerStatus: 'message-delivered',
        providerTimestamp: '2016-09-14T18:20:17.000Z',
        correlationId: '01HQZK6Y8W3N9V2B7C4D5E6F7G',
      },
    ]);
  });

  it('reads message-failed with its numeric errorCode and description', () => {
    expect(bandwidthProvider.parse(request(fixture('status-failed.json')), account)).toEqual([
      {
        type: 'status',
        providerMessageId: '14762070468292kw2fuqty55yp2b2',
        status: 'failed',
        providerStatus: 'message-failed',
        errorCode: '4432',
        errorMessage: 'forbidden to country',
        providerTimestamp: '2016-09-14T18:20:16.000Z',
      },
    ]);
  });

  it('reads every event of a batched callback in order', () => {
    expect(bandwidthProvider.parse(request(fixture('status-sending-and-delivered.json')), account)).toEqual([
      {
        type: 'status',
        providerMessageId: '1709649000412xk3h2cfhxgqbmr7a',
        status: 'sent',
        providerStatus: 'message-sending',
        providerTimestamp: '2024-03-05T14:30:00.412Z',
        correlationId: '01HQZKA4D2E8F0G6H3J5K7M9N1',
      },
      {
        type: 'status',
        providerMessageId: '1709649000412xk3h2cfhxgqbmr7a',
        status: 'delivered',
        providerStatus: 'message-delivered',
        providerTimestamp: '2024-03-05T14:30:03.877Z',
        correlationId: '01HQZKA4D2E8F0G6H3J5K7M9N1',
      },
    ]);
  });

  it('ignores event types it does not handle and an empty array', () => {
    expect(bandwidthProvider.parse(request('[{"type":"message-deleted","message":{"id":"m1"}}]'), account)).toEqual([]);
    expect(bandwidthProvider.parse(request('[]'), account)).toEqual([]);
  });

  it('rejects bodies that are not JSON arrays of events, or events without type, id or sender', () => {
    expect(() => bandwidthProvider.parse(request('not json'), account)).toThrow(PayloadError);
    expect(() => bandwidthProvider.parse(request('"text"'), account)).toThrow('expected a JSON array');
    expect(() => bandwidthProvider.parse(request('[null]'), account)).toThrow('event 0 is not an object');
    expect(() => bandwidthProvider.parse(request('[{"message":{}}]'), account)).toThrow('has no type');
    expect(() => bandwidthProvider.parse(request('[{"type":"message-received","message":{}}]'), account)).toThrow(
      'has no message.id',
    );
    expect(() =>
      bandwidthProvider.parse(request('[{"type":"message-received","message":{"id":"m1"}}]'), account),
    ).toThrow('has no message.from');
  });

  it('answers 200 with an empty body', () => {
    expect(bandwidthProvider.ack(request(''))).toEqual({ statusCode: 200 });
  });
});

describe('bandwidth verify', () => {
  it('accepts any callback when no callback credentials are configured (the proxy token guards the URL)', () => {
    expect(() =>
      bandwidthProvider.verify(request(fixture('inbound-text.json')), credentials, account, NOW),
    ).not.toThrow();
  });

  it('accepts every fixture carrying the configured basic credentials', () => {
    for (const name of FIXTURES)
      expect(() =>
        bandwidthProvider.verify(request(fixture(name), CALLBACK_AUTH), withCallbackAuth, account, NOW),
      ).not.toThrow();
  });

  it('rejects a missing, wrong-password or wrong-user Authorization header', () => {
    const body = fixture('inbound-text.json');
    expect(() => bandwidthProvider.verify(request(body), withCallbackAuth, account, NOW)).toThrow(SignatureError);
    expect(() =>
      bandwidthProvider.verify(
        request(body, { authorization: basicAuthHeader('bw-callback', 'wrong') }),
        withCallbackAuth,
        account,
        NOW,
      ),
    ).toThrow(SignatureError);
    expect(() =>
      bandwidthProvider.verify(
        request(body, { authorization: basicAuthHeader('someone', 'callback-secret') }),
        withCallbackAuth,
        account,
        NOW,
      ),
    ).toThrow(SignatureError);
  });

  it('checks credentials, not the body: a changed body with good credentials passes (Bandwidth signs nothing)', () => {
    const tampered = Buffer.from(fixture('inbound-text.json'));
    tampered[tampered.indexOf('Hey')] = 'h'.charCodeAt(0);
    expect(() =>
      bandwidthProvider.verify(request(tampered, CALLBACK_AUTH), withCallbackAuth, account, NOW),
    ).not.toThrow();
  });
});

describe('bandwidth simulate', () => {
  it('builds an inbound MMS array that verifies and parses back to the same message', () => {
    const spec = bandwidthProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'sim-1',
        from: '+19195550187',
        to: account.phone,
        text: 'hi there',
        media: [{ url: 'https://x.example/a.jpg' }],
        timestampMs: NOW,
      },
      withCallbackAuth,
      account,
    );
    expect(spec.headers).toEqual({ 'content-type': 'application/json', ...CALLBACK_AUTH });
    const req = request(spec.body ?? '', spec.headers);
    expect(() => bandwidthProvider.verify(req, withCallbackAuth, account, NOW)).not.toThrow();
    expect(bandwidthProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: 'sim-1',
        from: '+19195550187',
        to: account.phone,
        text: 'hi there',
        media: [{ url: 'https://x.example/a.jpg' }],
        parts: [
          { type: 'text', text: 'hi there' },
          { type: 'media', url: 'https://x.example/a.jpg' },
        ],
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it('builds a message-failed that parses back with its error code', () => {
    const spec = bandwidthProvider.simulateStatus(
      { url: URL_, providerMessageId: 'sim-2', status: 'failed', errorCode: '4720', timestampMs: NOW },
      credentials,
      account,
    );
    expect(spec.headers).toEqual({ 'content-type': 'application/json' });
    expect(bandwidthProvider.parse(request(spec.body ?? ''), account)).toEqual([
      {
        type: 'status',
        providerMessageId: 'sim-2',
        status: 'failed',
        providerStatus: 'message-failed',
        errorCode: '4720',
        errorMessage: 'invalid-destination-address',
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it.each([
    ['delivered', 'message-delivered'],
    ['read', 'message-read'],
    ['sent', 'message-sending'],
  ] as const)('round-trips a %s status', (status, type) => {
    const spec = bandwidthProvider.simulateStatus(
      { url: URL_, providerMessageId: 'sim-3', status, timestampMs: NOW },
      credentials,
      account,
    );
    expect(bandwidthProvider.parse(request(spec.body ?? ''), account)).toMatchObject([
      { type: 'status', status, providerStatus: type },
    ]);
  });
});

describe('bandwidth send', () => {
  const ctx = { credentials, account, baseUrl: 'https://messaging.bandwidth.com/api/v2' };
  const message = {
    to: '+19195550187',
    text: 'Your ride is here',
    correlationId: '01HQZK6Y8W3N9V2B7C4D5E6F7G',
    statusCallbackUrl: 'https://hooks.example.com/w/p-1/status',
  };

  it('posts JSON to /users/{accountId}/messages with basic API credentials and the correlation id as tag', () => {
    const spec = bandwidthProvider.buildSend(ctx, message);
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe('https://messaging.bandwidth.com/api/v2/users/9900000/messages');
    expect(spec.headers.authorization).toBe(`Basic ${Buffer.from('api-user:api-password').toString('base64')}`);
    expect(spec.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(spec.body ?? '')).toEqual({
      applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
      to: ['+19195550187'],
      from: '+19195550142',
      text: 'Your ride is here',
      tag: '01HQZK6Y8W3N9V2B7C4D5E6F7G',
    });
  });

  it('sends media URLs in media', () => {
    const spec = bandwidthProvider.buildSend(ctx, { ...message, media: [{ url: 'https://x.example/a.jpg' }] });
    expect(JSON.parse(spec.body ?? '')).toMatchObject({ media: ['https://x.example/a.jpg'] });
  });

  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('takes the id from a 202 message object', () => {
    const body = {
      id: '1589228074636lm4k2je7j7jklbn2',
      owner: '+19195550142',
      applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
      time: '2020-05-11T20:14:34.636Z',
      segmentCount: 1,
      direction: 'out',
      to: ['+19195550187'],
      from: '+19195550142',
      text: 'Your ride is here',
      tag: '01HQZK6Y8W3N9V2B7C4D5E6F7G',
    };
    expect(bandwidthProvider.parseSendResponse(res(202, body))).toEqual({
      ok: true,
      providerMessageId: '1589228074636lm4k2je7j7jklbn2',
    });
  });

  it.each([
    [
      'a validation error on "to"',
      res(400, {
        type: 'request-validation',
        description: 'Your request could not be accepted.',
        fieldErrors: [
          { fieldName: 'to', description: "'+1invalid' must be replaced with a valid E164 formatted telephone number" },
        ],
      }),
      'INVALID_NUMBER',
      false,
    ],
    [
      'another validation error',
      res(400, { type: 'request-validation', description: 'Your request could not be accepted' }),
      'INVALID_REQUEST',
      false,
    ],
    ['a 401', res(401, { type: 'unauthorized', description: 'Authentication Failed' }), 'AUTH_FAILED', false],
    ['a 403', res(403, { type: 'forbidden', description: 'Access Denied' }), 'AUTH_FAILED', false],
    ['a 503', res(503, 'upstream connect error'), 'PROVIDER_UNAVAILABLE', true],
  ])('classifies %s', (_label, response, code, retryable) => {
    expect(bandwidthProvider.parseSendResponse(response)).toMatchObject({ ok: false, code, retryable });
  });

  it('reads Retry-After on a 429 queue-full error', () => {
    const response = res(
      429,
      {
        type: 'max-message-queue-size-exceeded',
        description: 'The SMS queue for your account is full and cannot accept more messages right now.',
      },
      { 'retry-after': '10' },
    );
    expect(bandwidthProvider.parseSendResponse(response)).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 10000,
    });
  });

  it('does not throw on an odd body', () => {
    expect(bandwidthProvider.parseSendResponse(res(202, 'null'))).toMatchObject({ ok: false, code: 'PROVIDER_ERROR' });
    expect(bandwidthProvider.parseSendResponse(res(400, { fieldErrors: 'to' }))).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
  });
});

describe('bandwidth credentials', () => {
  it('requires the account, application and API credentials; callback credentials are optional and secret', () => {
    expect(bandwidthProvider.credentials.safeParse(credentials).success).toBe(true);
    expect(bandwidthProvider.credentials.safeParse(withCallbackAuth).success).toBe(true);
    expect(bandwidthProvider.credentials.safeParse({ ...credentials, applicationId: '' }).success).toBe(false);
    expect(bandwidthProvider.secretFields).toEqual(['password', 'callbackPassword']);
  });
});

describe('bandwidth fuzz', () => {
  const check = (rawBody: Buffer, headers: Record<string, string>) => {
    const req = request(rawBody, headers);
    onlyAppErrors(() => bandwidthProvider.parse(req, account));
    onlyAppErrors(() => bandwidthProvider.verify(req, withCallbackAuth, account, NOW));
  };

  it('parse and verify only ever throw AppErrors on random bodies and headers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.json().map((s) => Buffer.from(s)),
        ),
        fc.string(),
        (body, auth) => check(body, { authorization: auth }),
      ),
      { numRuns: 2000 },
    );
  });

  /** Every path into the JSON document, so one value can be swapped for another JSON type. */
  function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (value === null || typeof value !== 'object') return [prefix];
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
  }

  function replaced(doc: unknown, path: (string | number)[], replacement: unknown): unknown {
    if (path.length === 0) return replacement;
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    let cur = copy;
    for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
    cur[path[path.length - 1] as string | number] = replacement;
    return copy;
  }

  it.each(FIXTURES)('parse and verify only ever throw AppErrors on mutations of %s', (name) => {
    const raw = fixture(name);
    const doc: unknown = JSON.parse(raw.toString());
    const all = paths(doc);
    const mutated = fc.oneof(
      fc.tuple(fc.nat(raw.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const copy = Buffer.from(raw);
        copy[i] = (copy[i] ?? 0) ^ x;
        return copy;
      }),
      fc.nat(raw.length).map((n) => raw.subarray(0, n)),
      fc
        .tuple(fc.nat(all.length - 1), fc.jsonValue())
        .map(([i, v]) => Buffer.from(JSON.stringify(replaced(doc, all[i] ?? [], v)))),
    );
    fc.assert(
      fc.property(mutated, (body) => check(body, CALLBACK_AUTH)),
      { numRuns: 2000 },
    );
  });
});

describe('bandwidth correlation', () => {
  it('reads our reference from message.tag, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('bandwidth', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = bandwidthProvider.buildSend(
      { credentials, account, baseUrl: 'https://messaging.bandwidth.com/api/v2' },
      {
        to: '+19195550187',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL_}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ tag: ref });

    const body = JSON.parse(fixture('status-delivered.json').toString());
    body[0].message.tag = ref;
    expect(bandwidthProvider.parse(request(JSON.stringify(body)), account)).toMatchObject([
      { type: 'status', status: 'delivered', correlationId: ref },
    ]);
    delete body[0].message.tag;
    expect(bandwidthProvider.parse(request(JSON.stringify(body)), account)[0]).not.toHaveProperty('correlationId');

    const spec = bandwidthProvider.simulateStatus(
      { url: URL_, providerMessageId: 'sim-c', status: 'delivered', timestampMs: NOW, correlationId: ref },
      credentials,
      account,
    );
    expect(bandwidthProvider.parse(request(spec.body ?? ''), account)).toEqual([
      {
        type: 'status',
        providerMessageId: 'sim-c',
        status: 'delivered',
        providerStatus: 'message-delivered',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
