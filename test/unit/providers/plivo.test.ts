import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import {
  plivoProvider,
  plivoV2Signature,
  plivoV3Base,
  plivoV3Signature,
  type PlivoCredentials,
} from '../../../shared/providers/plivo';
import type { AccountContext, WebhookRequest } from '../../../shared/providers/types';
import { encodeForm, parseFormPairs } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/plivo', name));
const FIXTURES = [
  'inbound-text.form',
  'inbound-mms.form',
  'inbound-whatsapp.form',
  'status-queued.form',
  'status-delivered.form',
  'status-failed.form',
];

const credentials: PlivoCredentials = { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'test-auth-token' };
const sms: AccountContext = { id: 'acc-sms', channel: 'sms', phone: '+14155550199', proxyToken: 'p-sms' };
const whatsapp: AccountContext = { id: 'acc-wa', channel: 'whatsapp', phone: '+14155550199', proxyToken: 'p-wa' };
const URL_ = 'https://hooks.example.com/w/p-sms?region=eu';
const NONCE = '05429567804466091622';
const NOW = Date.UTC(2024, 2, 5, 12, 0, 0);

function request(rawBody: Buffer | string, headers: Record<string, string> = {}, url = URL_): WebhookRequest {
  return { method: 'POST', url, headers, rawBody: Buffer.from(rawBody), query: {}, endpoint: 'message' };
}

function v3Signed(rawBody: Buffer, token = credentials.authToken, url = URL_): WebhookRequest {
  const signature = plivoV3Signature(token, plivoV3Base('POST', url, parseFormPairs(rawBody)), NONCE);
  return request(rawBody, { 'x-plivo-signature-v3': signature, 'x-plivo-signature-v3-nonce': NONCE }, url);
}

describe('plivo parse', () => {
  it('reads an inbound SMS (Text) and adds the + Plivo leaves off', () => {
    expect(plivoProvider.parse(request(fixture('inbound-text.form')), sms)).toEqual([
      {
        type: 'message',
        providerMessageId: '2c5e6b7a-3f1d-11ee-9a3b-0242ac110003',
        from: '+14155552671',
        to: '+14155550199',
        text: 'Is the store open today?',
        media: [],
        parts: [{ type: 'text', text: 'Is the store open today?' }],
      },
    ]);
  });

  it('reads an inbound MMS (Body, MediaN) with its media in index order', () => {
    expect(plivoProvider.parse(request(fixture('inbound-mms.form')), sms)).toEqual([
      {
        type: 'message',
        providerMessageId: '5b7d9f1a-3f1d-11ee-9a3b-0242ac110003',
        from: '+14155552671',
        to: '+14155550199',
        text: 'Receipt attached',
        media: [
          {
            url: 'https://media.plivo.com/Account/MAXXXXXXXXXXXXXXXXXX/Message/5b7d9f1a-3f1d-11ee-9a3b-0242ac110003/Media/9f1e2d3c-3f1d-11ee-9a3b-0242ac110003',
          },
          {
            url: 'https://media.plivo.com/Account/MAXXXXXXXXXXXXXXXXXX/Message/5b7d9f1a-3f1d-11ee-9a3b-0242ac110003/Media/a0b1c2d3-3f1d-11ee-9a3b-0242ac110003',
          },
        ],
        parts: [
          { type: 'text', text: 'Receipt attached' },
          {
            type: 'media',
            url: 'https://media.plivo.com/Account/MAXXXXXXXXXXXXXXXXXX/Message/5b7d9f1a-3f1d-11ee-9a3b-0242ac110003/Media/9f1e2d3c-3f1d-11ee-9a3b-0242ac110003',
          },
          {
            type: 'media',
            url: 'https://media.plivo.com/Account/MAXXXXXXXXXXXXXXXXXX/Message/5b7d9f1a-3f1d-11ee-9a3b-0242ac110003/Media/a0b1c2d3-3f1d-11ee-9a3b-0242ac110003',
          },
        ],
      },
    ]);
  });

  it('reads an inbound WhatsApp text from Body', () => {
    expect(plivoProvider.parse(request(fixture('inbound-whatsapp.form')), whatsapp)).toMatchObject([
      {
        type: 'message',
        providerMessageId: '7e9a1b3c-3f1d-11ee-9a3b-0242ac110003',
        from: '+393471234567',
        text: 'Ciao, posso cambiare la prenotazione?',
      },
    ]);
  });

  it('reads a delivered callback with the delivery report time as UTC', () => {
    expect(plivoProvider.parse(request(fixture('status-delivered.form')), sms)).toEqual([
      {
        type: 'status',
        providerMessageId: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
        status: 'delivered',
        providerStatus: 'delivered',
        providerTimestamp: '2023-08-21T09:14:39.000Z',
      },
    ]);
  });

  it('maps undelivered to failed with its ErrorCode', () => {
    expect(plivoProvider.parse(request(fixture('status-failed.form')), sms)).toEqual([
      {
        type: 'status',
        providerMessageId: 'e4a6c8d0-7f1d-11e1-8ea7-1231380bc196',
        status: 'failed',
        providerStatus: 'undelivered',
        errorCode: '50',
        providerTimestamp: '2023-08-21T09:20:02.000Z',
      },
    ]);
  });

  it('reads a queued callback and drops the 000 no-error code', () => {
    expect(plivoProvider.parse(request(fixture('status-queued.form')), sms)).toEqual([
      {
        type: 'status',
        providerMessageId: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
        status: 'queued',
        providerStatus: 'queued',
        providerTimestamp: '2023-08-21T09:14:36.000Z',
      },
    ]);
  });

  it('reads the parameters from the query string when the application uses GET', () => {
    const query = Object.fromEntries(parseFormPairs(fixture('inbound-text.form')));
    const req: WebhookRequest = {
      method: 'GET',
      url: `https://hooks.example.com/w/p-sms?${encodeForm(query)}`,
      headers: {},
      rawBody: Buffer.alloc(0),
      query,
      endpoint: 'message',
    };
    expect(plivoProvider.parse(req, sms)).toMatchObject([{ type: 'message', text: 'Is the store open today?' }]);
  });

  it('ignores a status it does not handle and rejects bodies without MessageUUID or From', () => {
    expect(plivoProvider.parse(request('MessageUUID=abc&Status=received'), sms)).toEqual([]);
    expect(() => plivoProvider.parse(request('From=14155552671&Text=hi'), sms)).toThrow(PayloadError);
    expect(() => plivoProvider.parse(request('MessageUUID=abc&Text=hi'), sms)).toThrow(PayloadError);
  });

  it('answers with an empty Plivo XML response', () => {
    expect(plivoProvider.ack(request(''))).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/xml' },
      body: '<Response></Response>',
    });
  });
});

describe('plivo verify', () => {
  it('builds the V3 base string the way the Plivo SDKs do: sorted query, ".", sorted POST params', () => {
    expect(
      plivoV3Base('POST', 'https://h.example/cb?b=2&a=1&a=0', [
        ['To', '1'],
        ['From', '2'],
        ['From', '0'],
      ]),
    ).toBe('https://h.example/cb?a=0&a=1&b=2.From0From2To1');
    expect(plivoV3Base('POST', 'https://h.example/cb', [['To', '1']])).toBe('https://h.example/cb?To1');
    expect(plivoV3Base('POST', 'https://h.example/cb?x=1', [])).toBe('https://h.example/cb?x=1');
    expect(plivoV3Base('GET', 'https://h.example/cb?To=1&From=2', [])).toBe('https://h.example/cb?From=2&To=1');
  });

  // plivo-node test/utils.js (also plivo-ruby spec/signature_spec.rb, plivo-dotnet TestSignature.cs)
  it.each([
    ['https://answer.url', '12345', 'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=', 'my_auth_token'],
    [
      'https://answer.url:8000',
      '24725744043720739450',
      'LDphWoWimP4QM5AoWI1uwP6WmlWtt5ITPZjXIWYvCNU=',
      'my_auth_token',
    ],
    ['https://answer.url:8080', '123456', 'xeV6S6BPIQJ/rgKCjCm/Fo2ve5zNe1fatQoHyRT8vxQ=', 'my_auth_tokens'],
  ])("accepts Plivo's published V2 vector for %s", (url, nonce, signature, authToken) => {
    expect(plivoV2Signature(authToken, url, nonce)).toBe(signature);
    const req = request('', { 'x-plivo-signature-v2': signature, 'x-plivo-signature-v2-nonce': nonce }, url);
    expect(() => plivoProvider.verify(req, { ...credentials, authToken }, sms, NOW)).not.toThrow();
    expect(() => plivoProvider.verify(req, { ...credentials, authToken: 'my_auth_tokenz' }, sms, NOW)).toThrow(
      SignatureError,
    );
  });

  it('accepts every fixture signed with V3', () => {
    for (const name of FIXTURES)
      expect(() => plivoProvider.verify(v3Signed(fixture(name)), credentials, sms, NOW)).not.toThrow();
  });

  it('accepts any one of several comma-separated V3 signatures (token rotation), and the Ma-V3 header', () => {
    const req = v3Signed(fixture('inbound-text.form'));
    const good = req.headers['x-plivo-signature-v3'] ?? '';
    expect(() =>
      plivoProvider.verify(
        { ...req, headers: { ...req.headers, 'x-plivo-signature-v3': `bm90LWl0, ${good}` } },
        credentials,
        sms,
        NOW,
      ),
    ).not.toThrow();
    const ma = { 'x-plivo-signature-ma-v3': good, 'x-plivo-signature-v3-nonce': NONCE };
    expect(() => plivoProvider.verify({ ...req, headers: ma }, credentials, sms, NOW)).not.toThrow();
  });

  it('rejects the V3-signed fixture with one byte of the body changed', () => {
    const req = v3Signed(fixture('inbound-text.form'));
    const tampered = Buffer.from(req.rawBody);
    tampered[tampered.indexOf('store')] = 'S'.charCodeAt(0);
    expect(() => plivoProvider.verify({ ...req, rawBody: tampered }, credentials, sms, NOW)).toThrow(
      'X-Plivo-Signature-V3 does not match',
    );
  });

  it('rejects a V3 signature made with another token, for another query string, or with another nonce', () => {
    const req = v3Signed(fixture('inbound-text.form'), 'other-token');
    expect(() => plivoProvider.verify(req, credentials, sms, NOW)).toThrow(SignatureError);
    const good = v3Signed(fixture('inbound-text.form'));
    expect(() => plivoProvider.verify({ ...good, url: URL_.replace('eu', 'us') }, credentials, sms, NOW)).toThrow(
      SignatureError,
    );
    expect(() =>
      plivoProvider.verify(
        { ...good, headers: { ...good.headers, 'x-plivo-signature-v3-nonce': '1' } },
        credentials,
        sms,
        NOW,
      ),
    ).toThrow(SignatureError);
  });

  it('falls back to V2 only when no V3 headers are present', () => {
    const spec = plivoProvider.simulateInbound(
      { url: URL_, providerMessageId: 'u1', from: '+14155552671', to: sms.phone, text: 'hi', timestampMs: NOW },
      credentials,
      sms,
    );
    const { 'x-plivo-signature-v3': _v3, 'x-plivo-signature-v3-nonce': _n, ...v2Only } = spec.headers;
    expect(() => plivoProvider.verify(request(spec.body ?? '', v2Only), credentials, sms, NOW)).not.toThrow();
    // A bad V3 is not rescued by a good V2.
    const badV3 = { ...spec.headers, 'x-plivo-signature-v3': 'bm90LWl0' };
    expect(() => plivoProvider.verify(request(spec.body ?? '', badV3), credentials, sms, NOW)).toThrow('V3');
  });

  it('rejects a request without signature headers', () => {
    expect(() => plivoProvider.verify(request(fixture('inbound-text.form')), credentials, sms, NOW)).toThrow(
      'missing X-Plivo-Signature',
    );
    expect(() =>
      plivoProvider.verify(
        request(fixture('inbound-text.form'), { 'x-plivo-signature-v3': 'abc' }),
        credentials,
        sms,
        NOW,
      ),
    ).toThrow(SignatureError);
  });

  it('accepts a V3 signature over non-ASCII text either plainly UTF-8 encoded or double-encoded like the SDKs', () => {
    const body = Buffer.from(encodeForm({ MessageUUID: 'u2', From: '14155552671', Text: 'però più' }));
    expect(() => plivoProvider.verify(v3Signed(body), credentials, sms, NOW)).not.toThrow();
    const base = plivoV3Base('POST', URL_, parseFormPairs(body));
    const sdkStyle = plivoV3Signature(credentials.authToken, Buffer.from(base, 'utf8').toString('latin1'), NONCE);
    expect(() =>
      plivoProvider.verify(
        request(body, { 'x-plivo-signature-v3': sdkStyle, 'x-plivo-signature-v3-nonce': NONCE }),
        credentials,
        sms,
        NOW,
      ),
    ).not.toThrow();
  });
});

describe('plivo simulate', () => {
  it('builds an inbound MMS that verifies and parses back to the same message', () => {
    const spec = plivoProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'sim-1',
        from: '+14155552671',
        to: sms.phone,
        text: 'see attached',
        media: [{ url: 'https://x.example/a.jpg' }],
        timestampMs: NOW,
      },
      credentials,
      sms,
    );
    const req = request(spec.body ?? '', spec.headers, spec.url);
    expect(() => plivoProvider.verify(req, credentials, sms, NOW)).not.toThrow();
    expect(plivoProvider.parse(req, sms)).toEqual([
      {
        type: 'message',
        providerMessageId: 'sim-1',
        from: '+14155552671',
        to: sms.phone,
        text: 'see attached',
        media: [{ url: 'https://x.example/a.jpg' }],
        parts: [
          { type: 'text', text: 'see attached' },
          { type: 'media', url: 'https://x.example/a.jpg' },
        ],
      },
    ]);
  });

  it('builds a failed status that verifies and parses back with its error code and time', () => {
    const spec = plivoProvider.simulateStatus(
      { url: URL_, providerMessageId: 'sim-2', status: 'failed', errorCode: '50', timestampMs: NOW },
      credentials,
      sms,
    );
    const req = request(spec.body ?? '', spec.headers, spec.url);
    expect(() => plivoProvider.verify(req, credentials, sms, NOW)).not.toThrow();
    expect(plivoProvider.parse(req, sms)).toEqual([
      {
        type: 'status',
        providerMessageId: 'sim-2',
        status: 'failed',
        providerStatus: 'failed',
        errorCode: '50',
        providerTimestamp: new Date(NOW).toISOString(),
      },
    ]);
  });

  it.each(['queued', 'sent', 'delivered', 'read'] as const)('round-trips a %s status', (status) => {
    const spec = plivoProvider.simulateStatus(
      { url: URL_, providerMessageId: 'sim-3', status, timestampMs: NOW },
      credentials,
      whatsapp,
    );
    expect(plivoProvider.parse(request(spec.body ?? ''), whatsapp)).toMatchObject([
      { type: 'status', providerMessageId: 'sim-3', status, providerStatus: status },
    ]);
  });
});

describe('plivo send', () => {
  const ctx = { credentials, account: sms, baseUrl: 'https://api.plivo.com' };
  const message = {
    to: '+14155552671',
    text: 'Your table is ready',
    correlationId: 'corr-1',
    statusCallbackUrl: 'https://hooks.example.com/w/p-sms/status',
  };

  it('posts JSON to the Message endpoint with basic auth and the status URL', () => {
    const spec = plivoProvider.buildSend(ctx, message);
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe('https://api.plivo.com/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/');
    expect(spec.headers.authorization).toBe(
      `Basic ${Buffer.from('MAXXXXXXXXXXXXXXXXXX:test-auth-token').toString('base64')}`,
    );
    expect(spec.headers['content-type']).toBe('application/json');
    expect(JSON.parse(spec.body ?? '')).toEqual({
      src: '14155550199',
      dst: '14155552671',
      type: 'sms',
      text: 'Your table is ready',
      url: 'https://hooks.example.com/w/p-sms/status',
      method: 'POST',
    });
  });

  it('sends media as an MMS with media_urls', () => {
    const spec = plivoProvider.buildSend(ctx, { ...message, media: [{ url: 'https://x.example/a.jpg' }] });
    expect(JSON.parse(spec.body ?? '')).toMatchObject({ type: 'mms', media_urls: ['https://x.example/a.jpg'] });
  });

  it('sends a WhatsApp template with body parameters', () => {
    const spec = plivoProvider.buildSend(
      { ...ctx, account: whatsapp },
      { ...message, text: undefined, template: { name: 'order_ready', language: 'en_US', parameters: ['Ana', '#42'] } },
    );
    expect(JSON.parse(spec.body ?? '')).toEqual({
      src: '14155550199',
      dst: '14155552671',
      type: 'whatsapp',
      template: {
        name: 'order_ready',
        language: 'en_US',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '#42' },
            ],
          },
        ],
      },
      url: 'https://hooks.example.com/w/p-sms/status',
      method: 'POST',
    });
  });

  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('takes the first message_uuid from a 202', () => {
    const body = {
      api_id: 'db342550-7f1d-11e1-8ea7-1231380bc196',
      message: 'message(s) queued',
      message_uuid: ['db3ce55a-7f1d-11e1-8ea7-1231380bc196'],
    };
    expect(plivoProvider.parseSendResponse(res(202, body))).toEqual({
      ok: true,
      providerMessageId: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
    });
  });

  it.each([
    [
      'an invalid destination',
      res(400, { api_id: 'df5d4304-66af-11eb-91d8-0242ac110004', error: '19332631167 is not a valid phone number' }),
      'INVALID_NUMBER',
      false,
    ],
    [
      'a number that cannot take MMS',
      res(400, {
        api_id: 'fd0ad4ee-66ae-11eb-8d40-0242ac110004',
        error: '19003356789 is not an MMS enabled phone number',
      }),
      'INVALID_NUMBER',
      false,
    ],
    ['another 400', res(400, { api_id: 'a1', error: 'invalid_parameter' }), 'INVALID_REQUEST', false],
    ['a 401', res(401, { api_id: 'a2', error: 'authentication_failed' }), 'AUTH_FAILED', false],
    ['a 500', res(500, 'Internal Server Error'), 'PROVIDER_UNAVAILABLE', true],
  ])('classifies %s', (_label, response, code, retryable) => {
    expect(plivoProvider.parseSendResponse(response)).toMatchObject({ ok: false, code, retryable });
  });

  it('reads Retry-After on a 429', () => {
    expect(
      plivoProvider.parseSendResponse(res(429, { api_id: 'a3', error: 'rate_limit_exceeded' }, { 'retry-after': '3' })),
    ).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 3000,
    });
  });

  it('does not throw on an odd body', () => {
    expect(plivoProvider.parseSendResponse(res(202, '[]'))).toMatchObject({ ok: false, code: 'PROVIDER_ERROR' });
    expect(plivoProvider.parseSendResponse(res(400, { error: { nested: true } }))).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
  });
});

describe('plivo credentials', () => {
  it('requires authId and authToken and marks the token secret', () => {
    expect(plivoProvider.credentials.safeParse(credentials).success).toBe(true);
    expect(plivoProvider.credentials.safeParse({ authId: 'MA1' }).success).toBe(false);
    expect(plivoProvider.secretFields).toEqual(['authToken']);
  });
});

describe('plivo fuzz', () => {
  const check = (rawBody: Buffer, headers: Record<string, string>, url = URL_) => {
    const req = request(rawBody, headers, url);
    onlyAppErrors(() => plivoProvider.parse(req, sms));
    onlyAppErrors(() => plivoProvider.verify(req, credentials, sms, NOW));
  };

  it('parse and verify only ever throw AppErrors on random bodies, headers and URLs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.string().map((s) => Buffer.from(s)),
        ),
        fc.string(),
        fc.string(),
        fc.oneof(fc.constant(URL_), fc.string()),
        (body, sig, nonce, url) => {
          check(body, { 'x-plivo-signature-v3': sig, 'x-plivo-signature-v3-nonce': nonce }, url);
          check(body, { 'x-plivo-signature-v2': sig, 'x-plivo-signature-v2-nonce': nonce }, url);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each(FIXTURES)('parse and verify only ever throw AppErrors on mutations of %s', (name) => {
    const raw = fixture(name);
    const pairs = parseFormPairs(raw);
    const mutated = fc.oneof(
      fc.tuple(fc.nat(raw.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const copy = Buffer.from(raw);
        copy[i] = (copy[i] ?? 0) ^ x;
        return copy;
      }),
      fc.nat(raw.length).map((n) => raw.subarray(0, n)),
      fc
        .tuple(fc.nat(pairs.length - 1), fc.string())
        .map(([i, value]) =>
          Buffer.from(encodeForm(Object.fromEntries(pairs.map(([k, v], j) => [k, j === i ? value : v])))),
        ),
      fc.nat(pairs.length - 1).map((i) => Buffer.from(encodeForm(Object.fromEntries(pairs.filter((_, j) => j !== i))))),
    );
    const headers = v3Signed(raw).headers;
    fc.assert(
      fc.property(mutated, (body) => check(body, headers)),
      { numRuns: 2000 },
    );
  });
});
