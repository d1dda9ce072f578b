import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { twilioProvider, twilioSignature, type TwilioCredentials } from '../../../shared/providers/twilio';
import type { AccountContext, WebhookRequest } from '../../../shared/providers/types';
import { encodeForm, parseFormPairs } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/twilio', name));
const FIXTURES = [
  'inbound-text.form',
  'inbound-media.form',
  'inbound-whatsapp.form',
  'status-delivered.form',
  'status-failed.form',
  'status-whatsapp-window-closed.form',
  'status-whatsapp-read.form',
];

const credentials: TwilioCredentials = {
  accountSid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
  authToken: 'test-auth-token',
};
const sms: AccountContext = { id: 'acc-sms', channel: 'sms', phone: '+15017122661', proxyToken: 'p-sms' };
const whatsapp: AccountContext = { id: 'acc-wa', channel: 'whatsapp', phone: '+14155238886', proxyToken: 'p-wa' };
const URL_ = 'https://hooks.example.com/w/p-sms';
const NOW = Date.UTC(2024, 2, 5, 12, 0, 0);

function request(rawBody: Buffer | string, headers: Record<string, string> = {}, url = URL_): WebhookRequest {
  return { method: 'POST', url, headers, rawBody: Buffer.from(rawBody), query: {}, endpoint: 'message' };
}

function signedRequest(rawBody: Buffer, token = credentials.authToken, url = URL_): WebhookRequest {
  return request(rawBody, { 'x-twilio-signature': twilioSignature(token, url, parseFormPairs(rawBody)) }, url);
}

describe('twilio parse', () => {
  it('reads an inbound SMS into a message event', () => {
    expect(twilioProvider.parse(request(fixture('inbound-text.form')), sms)).toEqual([
      {
        type: 'message',
        providerMessageId: 'SM1f0e8ae6ade43cb3c0ce4525424e404f',
        from: '+14155552671',
        to: '+15017122661',
        text: 'Hi, is my order ready?',
        media: [],
        parts: [{ type: 'text', text: 'Hi, is my order ready?' }],
      },
    ]);
  });

  it('reads MediaUrlN / MediaContentTypeN into media references in index order', () => {
    const [event] = twilioProvider.parse(request(fixture('inbound-media.form')), sms);
    expect(event).toMatchObject({ type: 'message', text: 'Photos of the damage' });
    expect(event?.type === 'message' && event.media).toEqual([
      {
        url: 'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/MM6a5c2bc9e2f4d01a3f1f4a9b8e2c3d4e/Media/ME0a4bfb4c87e6b2f6c3a2d1e0f9e8d7c6',
        contentType: 'image/jpeg',
      },
      {
        url: 'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/MM6a5c2bc9e2f4d01a3f1f4a9b8e2c3d4e/Media/ME1b5c0c5d98f7c307d4b3e2f1a0f9e8d7',
        contentType: 'application/pdf',
      },
    ]);
  });

  it('strips the whatsapp: prefix and keeps the WhatsApp profile name', () => {
    expect(twilioProvider.parse(request(fixture('inbound-whatsapp.form')), whatsapp)).toEqual([
      {
        type: 'message',
        providerMessageId: 'SM3c1f5e2d4b6a8c0e1f2a3b4c5d6e7f80',
        from: '+393471234567',
        to: '+14155238886',
        text: 'Buongiorno, vorrei informazioni',
        media: [],
        parts: [{ type: 'text', text: 'Buongiorno, vorrei informazioni' }],
        profileName: 'Maria Rossi',
      },
    ]);
  });

  it('reads a delivered status callback', () => {
    expect(twilioProvider.parse(request(fixture('status-delivered.form')), sms)).toEqual([
      {
        type: 'status',
        providerMessageId: 'SM5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a',
        status: 'delivered',
        providerStatus: 'delivered',
      },
    ]);
  });

  it('maps undelivered to failed and keeps the error code and message', () => {
    expect(twilioProvider.parse(request(fixture('status-failed.form')), sms)).toEqual([
      {
        type: 'status',
        providerMessageId: 'SM7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c',
        status: 'failed',
        providerStatus: 'undelivered',
        errorCode: '30003',
        errorMessage: 'Unreachable destination handset',
      },
    ]);
  });

  it('reports the WhatsApp window-closed failure with its channel message', () => {
    const [event] = twilioProvider.parse(request(fixture('status-whatsapp-window-closed.form')), whatsapp);
    expect(event).toEqual({
      type: 'status',
      providerMessageId: 'SM9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e',
      status: 'failed',
      providerStatus: 'failed',
      errorCode: '63016',
      errorMessage: 'Failed to send freeform message because you are outside the allowed window.',
    });
  });

  it('reads a WhatsApp read receipt', () => {
    expect(twilioProvider.parse(request(fixture('status-whatsapp-read.form')), whatsapp)).toEqual([
      {
        type: 'status',
        providerMessageId: 'SMb3d5f7a9c1e3f5a7b9d1f3a5c7e9b1d3',
        status: 'read',
        providerStatus: 'read',
      },
    ]);
  });

  it('reads the parameters from the query string when Twilio is configured to GET', () => {
    const query = Object.fromEntries(parseFormPairs(fixture('inbound-text.form')));
    const req: WebhookRequest = {
      method: 'GET',
      url: `${URL_}?${encodeForm(query)}`,
      headers: {},
      rawBody: Buffer.alloc(0),
      query,
      endpoint: 'message',
    };
    expect(twilioProvider.parse(req, sms)).toMatchObject([
      { type: 'message', providerMessageId: 'SM1f0e8ae6ade43cb3c0ce4525424e404f' },
    ]);
  });

  it('ignores a status word it does not know', () => {
    expect(twilioProvider.parse(request('MessageSid=SM1&MessageStatus=teleported'), sms)).toEqual([]);
  });

  it('rejects a body without MessageSid, or an inbound message without From', () => {
    expect(() => twilioProvider.parse(request('Body=hi&From=%2B14155552671'), sms)).toThrow(PayloadError);
    expect(() => twilioProvider.parse(request('MessageSid=SM1&Body=hi'), sms)).toThrow(PayloadError);
  });

  it('answers with an empty TwiML response', () => {
    expect(twilioProvider.ack(request(''))).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
    });
  });
});

describe('twilio verify', () => {
  // twilio-php tests/Twilio/Unit/Security/RequestValidatorTest.php
  const VECTOR_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const VECTOR_BODY =
    'CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212';
  const vector = { ...credentials, authToken: '12345' };

  it("accepts Twilio's published signature vector", () => {
    const req = request(VECTOR_BODY, { 'x-twilio-signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' }, VECTOR_URL);
    expect(() => twilioProvider.verify(req, vector, sms, NOW)).not.toThrow();
  });

  it("accepts Twilio's vector signed over the URL with an explicit :443", () => {
    const req = request(VECTOR_BODY, { 'x-twilio-signature': 'kvajT1Ptam85bY51eRf/AJRuM3w=' }, VECTOR_URL);
    expect(() => twilioProvider.verify(req, vector, sms, NOW)).not.toThrow();
  });

  it("accepts Twilio's vector for repeated parameter names", () => {
    const req = request(
      'Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234',
      { 'x-twilio-signature': 'IK+Dwps556ElfBT0I3Rgjkr1wJU=' },
      VECTOR_URL,
    );
    expect(() => twilioProvider.verify(req, vector, sms, NOW)).not.toThrow();
  });

  it("accepts Twilio's JSON-body vector (bodySHA256) and rejects a changed body", () => {
    const url = `${VECTOR_URL}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`;
    const headers = { 'x-twilio-signature': 'a9nBmqA0ju/hNViExpshrM61xv4=' };
    expect(() =>
      twilioProvider.verify(request('{"property": "value", "boolean": true}', headers, url), vector, sms, NOW),
    ).not.toThrow();
    expect(() =>
      twilioProvider.verify(request('{"property": "value", "boolean": false}', headers, url), vector, sms, NOW),
    ).toThrow(SignatureError);
  });

  it('accepts a fixture signed with the account token', () => {
    for (const name of FIXTURES)
      expect(() => twilioProvider.verify(signedRequest(fixture(name)), credentials, sms, NOW)).not.toThrow();
  });

  it('rejects the fixture with one byte of the body changed', () => {
    const req = signedRequest(fixture('inbound-text.form'));
    const tampered = Buffer.from(req.rawBody);
    tampered[tampered.indexOf('Hi')] = 'h'.charCodeAt(0);
    expect(() => twilioProvider.verify({ ...req, rawBody: tampered }, credentials, sms, NOW)).toThrow(SignatureError);
  });

  it('rejects a signature made with another token', () => {
    expect(() =>
      twilioProvider.verify(signedRequest(fixture('inbound-text.form'), 'other-token'), credentials, sms, NOW),
    ).toThrow(SignatureError);
  });

  it('rejects a request without X-Twilio-Signature', () => {
    expect(() => twilioProvider.verify(request(fixture('inbound-text.form')), credentials, sms, NOW)).toThrow(
      'missing X-Twilio-Signature',
    );
  });

  it('rejects a signature made for another URL', () => {
    const req = signedRequest(fixture('inbound-text.form'), credentials.authToken, 'https://hooks.example.com/w/other');
    expect(() => twilioProvider.verify({ ...req, url: URL_ }, credentials, sms, NOW)).toThrow(SignatureError);
  });

  it('signs a GET over the URL alone, query included', () => {
    const url = `${URL_}?${fixture('inbound-text.form').toString()}`;
    const headers = { 'x-twilio-signature': twilioSignature(credentials.authToken, url, []) };
    const req: WebhookRequest = {
      method: 'GET',
      url,
      headers,
      rawBody: Buffer.alloc(0),
      query: {},
      endpoint: 'message',
    };
    expect(() => twilioProvider.verify(req, credentials, sms, NOW)).not.toThrow();
    expect(() => twilioProvider.verify({ ...req, url: url.replace('Hi', 'Ho') }, credentials, sms, NOW)).toThrow(
      SignatureError,
    );
  });
});

describe('twilio simulate', () => {
  it('builds an inbound SMS with media that verifies and parses back to the same message', () => {
    const spec = twilioProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'SMsim1',
        from: '+14155552671',
        to: sms.phone,
        text: 'ciao & più',
        media: [{ url: 'https://x.example/a.jpg', contentType: 'image/jpeg' }],
        timestampMs: NOW,
      },
      credentials,
      sms,
    );
    const req = request(spec.body ?? '', spec.headers, spec.url);
    expect(spec.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(() => twilioProvider.verify(req, credentials, sms, NOW)).not.toThrow();
    expect(twilioProvider.parse(req, sms)).toEqual([
      {
        type: 'message',
        providerMessageId: 'SMsim1',
        from: '+14155552671',
        to: sms.phone,
        text: 'ciao & più',
        media: [{ url: 'https://x.example/a.jpg', contentType: 'image/jpeg' }],
        parts: [
          { type: 'text', text: 'ciao & più' },
          { type: 'media', url: 'https://x.example/a.jpg', contentType: 'image/jpeg' },
        ],
      },
    ]);
  });

  it('builds WhatsApp addresses for a WhatsApp account', () => {
    const spec = twilioProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'SMsim2',
        from: '+393471234567',
        to: whatsapp.phone,
        text: 'hi',
        timestampMs: NOW,
      },
      credentials,
      whatsapp,
    );
    expect(Object.fromEntries(parseFormPairs(spec.body ?? ''))).toMatchObject({
      From: 'whatsapp:+393471234567',
      To: 'whatsapp:+14155238886',
      WaId: '393471234567',
    });
    expect(twilioProvider.parse(request(spec.body ?? ''), whatsapp)).toMatchObject([
      { from: '+393471234567', to: '+14155238886' },
    ]);
  });

  it('builds a failed status callback that verifies and parses back with its error code', () => {
    const spec = twilioProvider.simulateStatus(
      { url: URL_, providerMessageId: 'SMsim3', status: 'failed', errorCode: '63016', timestampMs: NOW },
      credentials,
      whatsapp,
    );
    const req = request(spec.body ?? '', spec.headers, spec.url);
    expect(() => twilioProvider.verify(req, credentials, whatsapp, NOW)).not.toThrow();
    expect(twilioProvider.parse(req, whatsapp)).toEqual([
      { type: 'status', providerMessageId: 'SMsim3', status: 'failed', providerStatus: 'failed', errorCode: '63016' },
    ]);
  });

  it.each(['queued', 'sent', 'delivered', 'read'] as const)('round-trips a %s status', (status) => {
    const spec = twilioProvider.simulateStatus(
      { url: URL_, providerMessageId: 'SMsim4', status, timestampMs: NOW },
      credentials,
      sms,
    );
    expect(twilioProvider.parse(request(spec.body ?? ''), sms)).toEqual([
      { type: 'status', providerMessageId: 'SMsim4', status, providerStatus: status },
    ]);
  });
});

describe('twilio send', () => {
  const ctx = { credentials, account: sms, baseUrl: 'https://api.twilio.com' };
  const message = {
    to: '+14155552671',
    text: 'Your order is ready',
    correlationId: 'corr-1',
    statusCallbackUrl: 'https://hooks.example.com/w/p-sms/status',
  };

  it('posts a form to Messages.json with basic auth', () => {
    const spec = twilioProvider.buildSend(ctx, message);
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe(
      'https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json',
    );
    expect(spec.headers.authorization).toBe(
      `Basic ${Buffer.from('ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:test-auth-token').toString('base64')}`,
    );
    expect(spec.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(parseFormPairs(spec.body ?? '')).toEqual([
      ['To', '+14155552671'],
      ['From', '+15017122661'],
      ['Body', 'Your order is ready'],
      ['StatusCallback', 'https://hooks.example.com/w/p-sms/status'],
    ]);
  });

  it('repeats MediaUrl per attachment and uses the Messaging Service when configured', () => {
    const spec = twilioProvider.buildSend(
      { ...ctx, credentials: { ...credentials, messagingServiceSid: 'MG9752274e9e519418a7406176694466fa' } },
      { ...message, media: [{ url: 'https://x.example/a.jpg' }, { url: 'https://x.example/b.pdf' }] },
    );
    const pairs = parseFormPairs(spec.body ?? '');
    expect(pairs.filter(([k]) => k === 'MediaUrl').map(([, v]) => v)).toEqual([
      'https://x.example/a.jpg',
      'https://x.example/b.pdf',
    ]);
    expect(pairs).toContainEqual(['MessagingServiceSid', 'MG9752274e9e519418a7406176694466fa']);
    expect(pairs.map(([k]) => k)).not.toContain('From');
  });

  it('sends a WhatsApp template as ContentSid + ContentVariables, without Body', () => {
    const spec = twilioProvider.buildSend(
      { ...ctx, account: whatsapp },
      {
        ...message,
        text: undefined,
        template: { name: 'HXb5b62575e6e4ff6129ad7c8efe1f983e', language: 'it', parameters: ['Maria', '12:30'] },
      },
    );
    const fields = Object.fromEntries(parseFormPairs(spec.body ?? ''));
    expect(fields).toEqual({
      To: 'whatsapp:+14155552671',
      From: 'whatsapp:+14155238886',
      ContentSid: 'HXb5b62575e6e4ff6129ad7c8efe1f983e',
      ContentVariables: '{"1":"Maria","2":"12:30"}',
      StatusCallback: 'https://hooks.example.com/w/p-sms/status',
    });
  });

  const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const twilioError = (status: number, code: number, text: string) =>
    res(status, { code, message: text, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  it('takes the sid from a 201 Message resource', () => {
    const body = {
      account_sid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
      api_version: '2010-04-01',
      body: 'Your order is ready',
      date_created: 'Thu, 24 Aug 2023 05:01:45 +0000',
      date_sent: null,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: '+15017122661',
      num_media: '0',
      num_segments: '1',
      sid: 'SM1e3b2a7d58c44f3f8c2b7e9a0d1f4c6b',
      status: 'queued',
      to: '+14155552671',
      uri: '/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/SM1e3b2a7d58c44f3f8c2b7e9a0d1f4c6b.json',
    };
    expect(twilioProvider.parseSendResponse(res(201, body))).toEqual({
      ok: true,
      providerMessageId: 'SM1e3b2a7d58c44f3f8c2b7e9a0d1f4c6b',
    });
  });

  it.each([
    [
      'an invalid To number (21211)',
      twilioError(400, 21211, "Invalid 'To' Phone Number: +1415555XXXX"),
      'INVALID_NUMBER',
      false,
    ],
    [
      'a closed WhatsApp window (63016)',
      twilioError(400, 63016, 'Failed to send freeform message because you are outside the allowed window.'),
      'WINDOW_CLOSED',
      false,
    ],
    [
      'an unsubscribed recipient (21610)',
      twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
      'NOT_OPTED_IN',
      false,
    ],
    ['another 400 (21602)', twilioError(400, 21602, 'Message body is required.'), 'INVALID_REQUEST', false],
    ['a 401', twilioError(401, 20003, 'Authenticate'), 'AUTH_FAILED', false],
    ['a 503 with an HTML body', res(503, '<html>Service Unavailable</html>'), 'PROVIDER_UNAVAILABLE', true],
  ])('classifies %s', (_label, response, code, retryable) => {
    expect(twilioProvider.parseSendResponse(response)).toMatchObject({ ok: false, code, retryable });
  });

  it('reads Retry-After on a 429', () => {
    const outcome = twilioProvider.parseSendResponse(twilioError(429, 20429, 'Too Many Requests'));
    expect(outcome).toMatchObject({ ok: false, code: 'RATE_LIMITED', retryable: true });
    const withHeader = twilioProvider.parseSendResponse({
      ...twilioError(429, 20429, 'Too Many Requests'),
      headers: { 'retry-after': '5' },
    });
    expect(withHeader).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 5000 });
  });

  it('reads Retry-After on a 5xx too', () => {
    const outcome = twilioProvider.parseSendResponse({
      ...twilioError(503, 20503, 'Service Unavailable'),
      headers: { 'retry-after': '7' },
    });
    expect(outcome).toMatchObject({ ok: false, code: 'PROVIDER_UNAVAILABLE', retryable: true, retryAfterMs: 7000 });
  });

  it('does not throw on an odd success body', () => {
    expect(twilioProvider.parseSendResponse(res(201, 'not json'))).toMatchObject({ ok: false, code: 'PROVIDER_ERROR' });
  });
});

describe('twilio credentials', () => {
  it('requires accountSid and authToken and marks the token secret', () => {
    expect(twilioProvider.credentials.safeParse(credentials).success).toBe(true);
    expect(twilioProvider.credentials.safeParse({ accountSid: 'AC1', authToken: '' }).success).toBe(false);
    expect(twilioProvider.secretFields).toEqual(['authToken']);
  });
});

describe('twilio fuzz', () => {
  const check = (rawBody: Buffer, headers: Record<string, string>) => {
    const req = request(rawBody, headers);
    onlyAppErrors(() => twilioProvider.parse(req, sms));
    onlyAppErrors(() => twilioProvider.verify(req, credentials, sms, NOW));
  };

  it('parse and verify only ever throw AppErrors on random bodies', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.string().map((s) => Buffer.from(s)),
        ),
        fc.string(),
        (body, sig) => check(body, { 'x-twilio-signature': sig }),
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
    const valid = signedRequest(raw).headers;
    fc.assert(
      fc.property(mutated, (body) => check(body, valid)),
      { numRuns: 2000 },
    );
  });

  it('verify only ever throws AppErrors on junk URLs', () => {
    fc.assert(
      fc.property(fc.string(), (url) => {
        onlyAppErrors(() =>
          twilioProvider.verify({ ...signedRequest(fixture('inbound-text.form')), url }, credentials, sms, NOW),
        );
      }),
      { numRuns: 500 },
    );
  });
});
