import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError, ValidationError } from '../../../shared/errors';
import { telnyxProvider, type TelnyxCredentials } from '../../../shared/providers/telnyx';
import type { AccountContext, WebhookRequest } from '../../../shared/providers/types';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/telnyx', name));
const FIXTURES = [
  'inbound-text.json',
  'inbound-media.json',
  'status-sent.json',
  'status-delivered.json',
  'status-failed.json',
];

const keys = generateKeyPairSync('ed25519');
const spki = keys.publicKey.export({ format: 'der', type: 'spki' });
const rawPublicKey = spki.subarray(12).toString('base64');
const privateKeyPem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const otherKeys = generateKeyPairSync('ed25519');

const credentials: TelnyxCredentials = { apiKey: 'KEY0123456789ABCDEF', publicKey: rawPublicKey };
const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+18445550001', proxyToken: 'p-1' };
const URL_ = 'https://hooks.example.com/w/p-1';
const NOW = Date.UTC(2024, 2, 5, 12, 0, 0);
const TS = String(NOW / 1000);

function request(rawBody: Buffer | string, headers: Record<string, string> = {}): WebhookRequest {
  return { method: 'POST', url: URL_, headers, rawBody: Buffer.from(rawBody), query: {}, endpoint: 'message' };
}

function signedRequest(rawBody: Buffer, timestamp = TS, privateKey = keys.privateKey): WebhookRequest {
  const signature = sign(null, Buffer.concat([Buffer.from(`${timestamp}|`), rawBody]), privateKey).toString('base64');
  return request(rawBody, { 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': timestamp });
}

describe('telnyx parse', () => {
  it('reads message.received into a message event', () => {
    expect(telnyxProvider.parse(request(fixture('inbound-text.json')), account)).toEqual([
      {
        type: 'message',
        providerMessageId: '7ee4241c-f127-47e5-9c34-3aac291f8058',
        from: '+18665550001',
        to: '+18445550001',
        text: 'Hello, World!',
        media: [],
        parts: [{ type: 'text', text: 'Hello, World!' }],
        providerTimestamp: '2019-01-23T18:10:02.574Z',
      },
    ]);
  });

  it('reads MMS media with their content types', () => {
    expect(telnyxProvider.parse(request(fixture('inbound-media.json')), account)).toEqual([
      {
        type: 'message',
        providerMessageId: '40385f64-5717-4562-b3fc-2c963f66afa6',
        from: '+13125550172',
        to: '+18445550001',
        text: '📎 image',
        media: [
          {
            url: 'https://media.telnyx.com/mms/40385f64-5717-4562-b3fc-2c963f66afa6/IMG_0412.jpg',
            contentType: 'image/jpeg',
          },
        ],
        parts: [
          {
            type: 'media',
            url: 'https://media.telnyx.com/mms/40385f64-5717-4562-b3fc-2c963f66afa6/IMG_0412.jpg',
            contentType: 'image/jpeg',
          },
        ],
        providerTimestamp: '2024-03-05T09:41:26.981Z',
      },
    ]);
  });

  it('reads message.sent as sent', () => {
    expect(telnyxProvider.parse(request(fixture('status-sent.json')), account)).toEqual([
      {
        type: 'status',
        providerMessageId: 'ac012348-dd2d-48cf-9fd0-9b8a8d9c4f9a',
        status: 'sent',
        providerStatus: 'sent',
        providerTimestamp: '2019-12-09T21:32:13.031Z',
      },
    ]);
  });

  it('reads message.finalized with the recipient status delivered', () => {
    expect(telnyxProvider.parse(request(fixture('status-delivered.json')), account)).toEqual([
      {
        type: 'status',
        providerMessageId: 'ac012348-dd2d-48cf-9fd0-9b8a8d9c4f9a',
        status: 'delivered',
        providerStatus: 'delivered',
        providerTimestamp: '2019-12-09T21:32:14.148Z',
      },
    ]);
  });

  it('maps delivery_failed to failed with the first error', () => {
    expect(telnyxProvider.parse(request(fixture('status-failed.json')), account)).toEqual([
      {
        type: 'status',
        providerMessageId: 'b0c1d2e3-f4a5-4b6c-8d7e-9f0a1b2c3d4e',
        status: 'failed',
        providerStatus: 'delivery_failed',
        errorCode: '40012',
        errorMessage: 'The destination phone number is invalid or not SMS-capable.',
        providerTimestamp: '2024-03-05T10:02:51.306Z',
      },
    ]);
  });

  it('ignores event types it does not handle', () => {
    const body = JSON.stringify({ data: { event_type: 'number_order.complete', id: 'e1', payload: { id: 'o1' } } });
    expect(telnyxProvider.parse(request(body), account)).toEqual([]);
  });

  it('rejects bodies that are not JSON, lack event_type, or lack the message id or sender', () => {
    expect(() => telnyxProvider.parse(request('{"data":'), account)).toThrow(PayloadError);
    expect(() => telnyxProvider.parse(request('[]'), account)).toThrow('data.event_type is missing');
    expect(() =>
      telnyxProvider.parse(request('{"data":{"event_type":"message.received","payload":{}}}'), account),
    ).toThrow('data.payload.id is missing');
    expect(() =>
      telnyxProvider.parse(request('{"data":{"event_type":"message.received","payload":{"id":"m1"}}}'), account),
    ).toThrow('from.phone_number');
  });

  it('answers 200 with an empty body', () => {
    expect(telnyxProvider.ack(request(''))).toEqual({ statusCode: 200 });
  });
});

describe('telnyx verify', () => {
  it('accepts every fixture signed over "timestamp|raw body"', () => {
    for (const name of FIXTURES)
      expect(() => telnyxProvider.verify(signedRequest(fixture(name)), credentials, account, NOW)).not.toThrow();
  });

  it('accepts a public key given in SPKI form', () => {
    const spkiCredentials = { ...credentials, publicKey: spki.toString('base64') };
    expect(() =>
      telnyxProvider.verify(signedRequest(fixture('inbound-text.json')), spkiCredentials, account, NOW),
    ).not.toThrow();
  });

  it('rejects the fixture with one byte of the body changed', () => {
    const req = signedRequest(fixture('inbound-text.json'));
    const tampered = Buffer.from(req.rawBody);
    tampered[tampered.indexOf('Hello')] = 'J'.charCodeAt(0);
    expect(() => telnyxProvider.verify({ ...req, rawBody: tampered }, credentials, account, NOW)).toThrow(
      'does not match',
    );
  });

  it('rejects a signature made with another key', () => {
    expect(() =>
      telnyxProvider.verify(
        signedRequest(fixture('inbound-text.json'), TS, otherKeys.privateKey),
        credentials,
        account,
        NOW,
      ),
    ).toThrow(SignatureError);
  });

  it('rejects missing headers', () => {
    const req = signedRequest(fixture('inbound-text.json'));
    expect(() => telnyxProvider.verify({ ...req, headers: {} }, credentials, account, NOW)).toThrow('missing');
    expect(() =>
      telnyxProvider.verify({ ...req, headers: { 'telnyx-timestamp': TS } }, credentials, account, NOW),
    ).toThrow('missing');
  });

  it('rejects a timestamp more than 300 s away, even when correctly signed', () => {
    const stale = signedRequest(fixture('inbound-text.json'), String(NOW / 1000 - 301));
    expect(() => telnyxProvider.verify(stale, credentials, account, NOW)).toThrow('300 s');
    const future = signedRequest(fixture('inbound-text.json'), String(NOW / 1000 + 301));
    expect(() => telnyxProvider.verify(future, credentials, account, NOW)).toThrow('300 s');
    const edge = signedRequest(fixture('inbound-text.json'), String(NOW / 1000 - 300));
    expect(() => telnyxProvider.verify(edge, credentials, account, NOW)).not.toThrow();
  });

  it('rejects a re-dated signature: the timestamp is part of what is signed', () => {
    const req = signedRequest(fixture('inbound-text.json'), String(NOW / 1000 - 1000));
    expect(() =>
      telnyxProvider.verify({ ...req, headers: { ...req.headers, 'telnyx-timestamp': TS } }, credentials, account, NOW),
    ).toThrow('does not match');
  });

  it('rejects a malformed timestamp or signature', () => {
    const req = signedRequest(fixture('inbound-text.json'));
    expect(() =>
      telnyxProvider.verify(
        { ...req, headers: { ...req.headers, 'telnyx-timestamp': '1.5e9' } },
        credentials,
        account,
        NOW,
      ),
    ).toThrow('Unix time');
    expect(() =>
      telnyxProvider.verify(
        { ...req, headers: { ...req.headers, 'telnyx-signature-ed25519': 'c2hvcnQ=' } },
        credentials,
        account,
        NOW,
      ),
    ).toThrow('not an Ed25519 signature');
  });
});

describe('telnyx simulate', () => {
  const signing = { privateKeyPem };

  it('builds a signed message.received that verifies and parses back to the same message', () => {
    const spec = telnyxProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'sim-1',
        from: '+13125550172',
        to: account.phone,
        text: 'hello ☎',
        media: [{ url: 'https://x.example/a.png', contentType: 'image/png' }],
        timestampMs: NOW,
      },
      credentials,
      account,
      signing,
    );
    const req = { ...request(spec.body ?? '', spec.headers), url: spec.url };
    expect(() => telnyxProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(telnyxProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: 'sim-1',
        from: '+13125550172',
        to: account.phone,
        text: 'hello ☎',
        media: [{ url: 'https://x.example/a.png', contentType: 'image/png' }],
        parts: [
          { type: 'text', text: 'hello ☎' },
          { type: 'media', url: 'https://x.example/a.png', contentType: 'image/png' },
        ],
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it('builds a failed message.finalized that parses back with its error code', () => {
    const spec = telnyxProvider.simulateStatus(
      { url: URL_, providerMessageId: 'sim-2', status: 'failed', errorCode: '40012', timestampMs: NOW },
      credentials,
      account,
      signing,
    );
    const req = request(spec.body ?? '', spec.headers);
    expect(() => telnyxProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(telnyxProvider.parse(req, account)).toMatchObject([
      {
        type: 'status',
        providerMessageId: 'sim-2',
        status: 'failed',
        providerStatus: 'delivery_failed',
        errorCode: '40012',
      },
    ]);
  });

  it.each(['queued', 'sent', 'delivered'] as const)('round-trips a %s status', (status) => {
    const spec = telnyxProvider.simulateStatus(
      { url: URL_, providerMessageId: 'sim-3', status, timestampMs: NOW },
      credentials,
      account,
      signing,
    );
    expect(telnyxProvider.parse(request(spec.body ?? ''), account)).toMatchObject([
      { type: 'status', status, providerStatus: status },
    ]);
  });

  it('needs the private key in signing.privateKeyPem', () => {
    const input = {
      url: URL_,
      providerMessageId: 'sim-4',
      from: '+13125550172',
      to: account.phone,
      text: 'x',
      timestampMs: NOW,
    };
    expect(() => telnyxProvider.simulateInbound(input, credentials, account)).toThrow(ValidationError);
    expect(() => telnyxProvider.simulateInbound(input, credentials, account, { privateKeyPem: 'nope' })).toThrow(
      ValidationError,
    );
  });
});

describe('telnyx send', () => {
  const ctx = { credentials, account, baseUrl: 'https://api.telnyx.com/v2' };
  const message = {
    to: '+13125550172',
    text: 'Your order shipped',
    correlationId: 'corr-1',
    statusCallbackUrl: 'https://hooks.example.com/w/p-1/status',
  };

  it('posts JSON to /messages with the API key as bearer and the per-message webhook_url', () => {
    const spec = telnyxProvider.buildSend(ctx, message);
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe('https://api.telnyx.com/v2/messages');
    expect(spec.headers.authorization).toBe('Bearer KEY0123456789ABCDEF');
    expect(spec.headers['content-type']).toBe('application/json');
    expect(JSON.parse(spec.body ?? '')).toEqual({
      from: '+18445550001',
      to: '+13125550172',
      text: 'Your order shipped',
      webhook_url: 'https://hooks.example.com/w/p-1/status',
    });
  });

  it('adds media_urls and the messaging profile when configured', () => {
    const spec = telnyxProvider.buildSend(
      { ...ctx, credentials: { ...credentials, messagingProfileId: 'prof-1' } },
      { ...message, media: [{ url: 'https://x.example/a.jpg' }] },
    );
    expect(JSON.parse(spec.body ?? '')).toMatchObject({
      messaging_profile_id: 'prof-1',
      media_urls: ['https://x.example/a.jpg'],
    });
  });

  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const telnyxError = (status: number, code: string, title: string, detail: string) =>
    res(status, { errors: [{ code, title, detail }] });

  it('takes data.id from a successful send', () => {
    const body = {
      data: {
        record_type: 'message',
        direction: 'outbound',
        id: '40385f64-5717-4562-b3fc-2c963f66afa6',
        type: 'SMS',
        from: { phone_number: '+18445550001', carrier: 'TELNYX LLC', line_type: 'VoIP' },
        to: [{ phone_number: '+13125550172', status: 'queued', carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' }],
        text: 'Your order shipped',
        parts: 1,
        errors: [],
      },
    };
    expect(telnyxProvider.parseSendResponse(res(200, body))).toEqual({
      ok: true,
      providerMessageId: '40385f64-5717-4562-b3fc-2c963f66afa6',
    });
  });

  it.each([
    [
      'an invalid phone number (10002)',
      telnyxError(400, '10002', 'Invalid phone number', 'The phone number provided in the request is invalid.'),
      'INVALID_NUMBER',
      false,
    ],
    [
      'a STOP block (40300)',
      telnyxError(
        409,
        '40300',
        'Blocked due to STOP message',
        'Messages cannot be sent due to an existing block rule.',
      ),
      'NOT_OPTED_IN',
      false,
    ],
    [
      'another 422',
      telnyxError(422, '10004', 'Missing required parameter', 'The "to" parameter is required.'),
      'INVALID_REQUEST',
      false,
    ],
    [
      'a 401',
      telnyxError(
        401,
        '10009',
        'Authentication failed',
        'The required authentication headers were either invalid or not included in the request.',
      ),
      'AUTH_FAILED',
      false,
    ],
    ['a 503', res(503, ''), 'PROVIDER_UNAVAILABLE', true],
  ])('classifies %s', (_label, response, code, retryable) => {
    expect(telnyxProvider.parseSendResponse(response)).toMatchObject({ ok: false, code, retryable });
  });

  it('reads Retry-After on a 429', () => {
    expect(
      telnyxProvider.parseSendResponse({
        ...telnyxError(429, '10011', 'Too many requests', 'Rate limit exceeded'),
        headers: { 'retry-after': '2' },
      }),
    ).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 2000,
    });
  });

  it('does not throw on an odd body', () => {
    expect(telnyxProvider.parseSendResponse(res(200, '{"data":null}'))).toMatchObject({
      ok: false,
      code: 'PROVIDER_ERROR',
    });
    expect(telnyxProvider.parseSendResponse(res(400, '{"errors":"nope"}'))).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
  });
});

describe('telnyx credentials', () => {
  it('requires the API key and an Ed25519 public key, and marks the API key secret', () => {
    expect(telnyxProvider.credentials.safeParse(credentials).success).toBe(true);
    expect(telnyxProvider.credentials.safeParse({ ...credentials, publicKey: 'bm90IGEga2V5' }).success).toBe(false);
    expect(telnyxProvider.credentials.safeParse({ publicKey: rawPublicKey }).success).toBe(false);
    expect(telnyxProvider.secretFields).toEqual(['apiKey']);
  });
});

describe('telnyx fuzz', () => {
  const check = (req: WebhookRequest) => {
    onlyAppErrors(() => telnyxProvider.parse(req, account));
    onlyAppErrors(() => telnyxProvider.verify(req, credentials, account, NOW));
  };

  it('parse and verify only ever throw AppErrors on random bodies and headers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.json().map((s) => Buffer.from(s)),
        ),
        fc.oneof(fc.string(), fc.base64String({ minLength: 88, maxLength: 88 })),
        fc.oneof(fc.constant(TS), fc.string()),
        (body, sig, ts) => check(request(body, { 'telnyx-signature-ed25519': sig, 'telnyx-timestamp': ts })),
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
      fc.property(mutated, (body) => check(signedRequest(body))),
      { numRuns: 2000 },
    );
  });
});
