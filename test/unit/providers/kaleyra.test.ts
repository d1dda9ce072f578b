import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutations, onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { kaleyraProvider, type KaleyraCredentials } from '../../../shared/providers/kaleyra';
import type { AccountContext, HttpRequestSpec, OutboundMessage, WebhookRequest } from '../../../shared/providers/types';

const fixture = (name: string): Buffer => readFileSync(join(__dirname, '../../fixtures/kaleyra', name));
const FIXTURES = [
  'inbound-text.json',
  'inbound-image.json',
  'status-sent.json',
  'status-delivered.json',
  'status-failed.json',
  'status-not-sent.json',
  'template-status.json',
];

const credentials: KaleyraCredentials = kaleyraProvider.credentials.parse({
  baseUrl: 'https://api.in.kaleyra.io',
  wabaId: '347191652836969',
  accountSid: 'HXAP1692112397IN',
  apiKey: 'A5b05332b18076587504bca8d0eade7f3',
  webhookSecret: 'kal-callback-secret',
});
const open: KaleyraCredentials = kaleyraProvider.credentials.parse({ ...credentials, webhookSecret: undefined });
const account: AccountContext = {
  id: 'acc-kal',
  channel: 'whatsapp',
  phone: '+918041234567',
  proxyToken: 'pt_k4L3yr4',
};
const URL_ = 'https://hooks.example.com/wa/pt_k4L3yr4';
const NOW = Date.parse('2024-08-05T06:10:00Z');

function request(
  rawBody: Buffer,
  headers: Record<string, string> = { 'x-kaleyra-secret': 'kal-callback-secret' },
): WebhookRequest {
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

describe('kaleyra credentials', () => {
  it('requires the SID and API key, defaults the secret header and keeps the secret optional', () => {
    expect(credentials.webhookSecretHeader).toBe('x-kaleyra-secret');
    expect(open.webhookSecret).toBeUndefined();
    expect(kaleyraProvider.credentials.safeParse({ ...credentials, apiKey: '' }).success).toBe(false);
    expect(kaleyraProvider.credentials.safeParse({ ...credentials, baseUrl: 'not a url' }).success).toBe(false);
    expect(kaleyraProvider.secretFields).toEqual(['apiKey', 'webhookSecret']);
  });
});

describe('kaleyra verify', () => {
  const raw = fixture('inbound-text.json');

  it('accepts the shared secret header configured in the callback profile', () => {
    expect(() => kaleyraProvider.verify(request(raw), credentials, account, NOW)).not.toThrow();
  });

  it('rejects a wrong secret and a missing header', () => {
    expect(() =>
      kaleyraProvider.verify(request(raw, { 'x-kaleyra-secret': 'guess' }), credentials, account, NOW),
    ).toThrow(SignatureError);
    expect(() => kaleyraProvider.verify(request(raw, {}), credentials, account, NOW)).toThrow(SignatureError);
  });

  it('accepts any body when no secret is configured (Kaleyra signs nothing; the proxy token guards the URL)', () => {
    const tampered = Buffer.from(raw);
    tampered[tampered.indexOf('shipped')] = 'S'.charCodeAt(0);
    expect(() => kaleyraProvider.verify(request(tampered, {}), open, account, NOW)).not.toThrow();
  });

  it('honours a custom header name', () => {
    const custom = kaleyraProvider.credentials.parse({ ...credentials, webhookSecretHeader: 'X-Callback-Token' });
    expect(() =>
      kaleyraProvider.verify(request(raw, { 'x-callback-token': 'kal-callback-secret' }), custom, account, NOW),
    ).not.toThrow();
  });
});

describe('kaleyra parse', () => {
  const parse = (name: string) => kaleyraProvider.parse(request(fixture(name)), account);

  it('parses an inbound text from the v2 envelope', () => {
    expect(parse('inbound-text.json')).toEqual([
      {
        type: 'message',
        providerMessageId: 'wamid.HBgMOTE5NzQwNzc2NTA1FQIAEhggQTY0RDQ3NzY0RTlFNTFGMjBBNkQ1QzQxRTM1NkQA',
        from: '+919740776505',
        to: '+918041234567',
        text: 'Is my order shipped?',
        media: [],
        parts: [{ type: 'text', text: 'Is my order shipped?' }],
        providerTimestamp: '2024-08-05T05:11:00.000Z',
        profileName: 'Samuel',
      },
    ]);
  });

  it('points inbound media at the copy Kaleyra stores (extra_info.media_url)', () => {
    expect(parse('inbound-image.json')).toMatchObject([
      {
        type: 'message',
        from: '+919740776505',
        text: '📎 image',
        media: [
          {
            url: 'https://kaleyra-whatsapp-media.s3.ap-south-1.amazonaws.com/HXAP1692112397IN/462198706542391.jpeg',
            contentType: 'image/jpeg',
            id: '462198706542391',
          },
        ],
        parts: [
          {
            type: 'media',
            kind: 'image',
            url: 'https://kaleyra-whatsapp-media.s3.ap-south-1.amazonaws.com/HXAP1692112397IN/462198706542391.jpeg',
            contentType: 'image/jpeg',
            id: '462198706542391',
          },
        ],
      },
    ]);
  });

  it('parses sent, delivered, failed and not-sent statuses', () => {
    expect(parse('status-sent.json')).toEqual([
      {
        type: 'status',
        providerMessageId: 'wamid.HBgMOTE5NDA3MDA4MzAxFQIAERgSMEYxMEM1QjQ3QjI5RkQ2N0YA',
        status: 'sent',
        providerStatus: 'sent',
        providerTimestamp: '2024-08-05T05:11:05.000Z',
        correlationId: '01J4M0S5X1B2C3D4E5F6G7H8J9',
      },
    ]);
    expect(parse('status-delivered.json')).toMatchObject([
      { status: 'delivered', providerTimestamp: '2024-08-05T05:11:11.000Z' },
    ]);
    expect(parse('status-failed.json')).toMatchObject([
      {
        providerMessageId: 'wamid.HBgMOTE5NDA3MDA4MzAxFQIAERgSNjQxNTQ1NEVCOEJEMUE0QjlEAA==',
        status: 'failed',
        errorCode: '131047',
        errorMessage: expect.stringContaining('more than 24 hours'),
      },
    ]);
    expect(parse('status-not-sent.json')).toMatchObject([
      {
        status: 'failed',
        providerStatus: 'not-sent',
        errorCode: 'WAV2101',
        errorMessage: 'Account daily limit reached.',
      },
    ]);
  });

  it('returns no events for a template status callback', () => {
    expect(parse('template-status.json')).toEqual([]);
  });

  it('throws PayloadError for a body without meta_object or a message without from', () => {
    expect(() => kaleyraProvider.parse(request(Buffer.from('{"extra_info":{}}')), account)).toThrow(PayloadError);
    const body = JSON.parse(fixture('inbound-text.json').toString());
    delete body.meta_object.value.messages[0].from;
    delete body.meta_object.value.contacts;
    expect(() => kaleyraProvider.parse(request(Buffer.from(JSON.stringify(body))), account)).toThrow(PayloadError);
  });
});

describe('kaleyra simulate', () => {
  it('builds an inbound with the secret header that verifies and parses back', () => {
    const spec = kaleyraProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'wamid.SIMK1',
        from: '+919740776505',
        to: account.phone,
        text: 'नमस्ते',
        timestampMs: NOW,
      },
      credentials,
      account,
    );
    const req = fromSpec(spec);
    expect(() => kaleyraProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(kaleyraProvider.parse(req, account)).toMatchObject([
      { type: 'message', providerMessageId: 'wamid.SIMK1', from: '+919740776505', to: '+918041234567', text: 'नमस्ते' },
    ]);
  });

  it('builds a delivered status that parses back', () => {
    const spec = kaleyraProvider.simulateStatus(
      { url: URL_, providerMessageId: 'wamid.OUTK1', status: 'delivered', timestampMs: NOW },
      credentials,
      account,
    );
    const req = fromSpec(spec);
    expect(() => kaleyraProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(kaleyraProvider.parse(req, account)).toMatchObject([
      { type: 'status', providerMessageId: 'wamid.OUTK1', status: 'delivered' },
    ]);
  });
});

describe('kaleyra send', () => {
  const ctx = { credentials, account, baseUrl: 'https://api.in.kaleyra.io' };
  const base: OutboundMessage = {
    to: '+919740776505',
    correlationId: '01J4M0S5X1B2C3D4E5F6G7H8J9',
    statusCallbackUrl: `${URL_}/status`,
  };

  it('posts the Meta message object as messaging_object with the api-key header and ref', () => {
    const spec = kaleyraProvider.buildSend(ctx, { ...base, text: 'Shipped today.' });
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe('https://api.in.kaleyra.io/v2/HXAP1692112397IN/whatsapp/%2B918041234567/messages');
    expect(spec.headers).toEqual({
      'api-key': 'A5b05332b18076587504bca8d0eade7f3',
      'content-type': 'application/json',
    });
    expect(JSON.parse(spec.body!)).toEqual({
      messaging_object: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '+919740776505',
        type: 'text',
        text: { preview_url: false, body: 'Shipped today.' },
      },
      extra_info: { ref: '01J4M0S5X1B2C3D4E5F6G7H8J9' },
    });
  });

  it('sends a template in Meta template format', () => {
    const spec = kaleyraProvider.buildSend(ctx, {
      ...base,
      template: { name: 'order_update', language: 'en', parameters: ['4521'] },
    });
    expect(JSON.parse(spec.body!).messaging_object).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: '4521' }] }],
      },
    });
  });

  it('reads the message id of an accepted send', () => {
    const body = JSON.stringify({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+919740776505', wa_id: '919740776505' }],
      messages: [{ id: 'wamid.HBgMOTE5NzQwNzc2NTA1FQIAERgSQkI0RjM0QjVBQ0E0NkFFOTNBAA==' }],
    });
    expect(kaleyraProvider.parseSendResponse({ status: 200, headers: {}, body })).toEqual({
      ok: true,
      providerMessageId: 'wamid.HBgMOTE5NzQwNzc2NTA1FQIAERgSQkI0RjM0QjVBQ0E0NkFFOTNBAA==',
    });
  });

  it.each([
    ['400 incorrect payload', 400, { code: 'WA400', message: 'Incorrect Payload.' }, 'INVALID_REQUEST', false],
    ['401 wrong SID or key', 401, { code: 'RBC001', message: 'Incorrect SID or API Key.' }, 'AUTH_FAILED', false],
    ['503 outage', 503, { code: 'WA500', message: 'Internal Server Error.' }, 'PROVIDER_UNAVAILABLE', true],
    ['insufficient balance', 400, { code: 'E110', message: 'Insufficient Balance.' }, 'INSUFFICIENT_FUNDS', false],
    [
      'passed-through window closed',
      400,
      { code: 'WA400', error: { code: 131047, message: 'Re-engagement message' } },
      'WINDOW_CLOSED',
      false,
    ],
    [
      'passed-through undeliverable',
      400,
      { error: { code: 131026, message: 'Message Undeliverable' } },
      'INVALID_NUMBER',
      false,
    ],
  ])('maps a %s response to its error code', (_label, status, body, code, retryable) => {
    expect(kaleyraProvider.parseSendResponse({ status, headers: {}, body: JSON.stringify(body) })).toMatchObject({
      ok: false,
      code,
      retryable,
    });
  });

  it('maps 429 to RATE_LIMITED with Retry-After and never throws on an odd body', () => {
    expect(
      kaleyraProvider.parseSendResponse({ status: 429, headers: { 'retry-after': '12' }, body: '' }),
    ).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 12000,
    });
    expect(kaleyraProvider.parseSendResponse({ status: 200, headers: {}, body: '[]' })).toMatchObject({
      ok: false,
      code: 'PROVIDER_ERROR',
    });
  });
});

describe('kaleyra fuzz', () => {
  const exercise = (rawBody: Buffer, headers: Record<string, string>): void => {
    const req = request(rawBody, headers);
    onlyAppErrors(() => kaleyraProvider.verify(req, credentials, account, NOW));
    onlyAppErrors(() => kaleyraProvider.parse(req, account));
  };

  it('never throws anything but AppError on random bodies', () => {
    const body = fc.oneof(
      fc.json().map((s) => Buffer.from(s)),
      fc.string().map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    );
    fc.assert(
      fc.property(body, fc.option(fc.string()), (raw, secret) =>
        exercise(raw, secret === null ? {} : { 'x-kaleyra-secret': secret }),
      ),
      { numRuns: 2000 },
    );
  });

  it.each(FIXTURES)('never throws anything but AppError on mutations of %s', (name) => {
    const raw = fixture(name);
    fc.assert(
      fc.property(mutations(raw.toString()), (mutated) =>
        exercise(mutated, { 'x-kaleyra-secret': 'kal-callback-secret' }),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('kaleyra correlation', () => {
  it('reads our reference from extra_info.ref, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('kaleyra', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = kaleyraProvider.buildSend(
      { credentials, account, baseUrl: 'https://api.in.kaleyra.io' },
      {
        to: '+919740776505',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL_}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ extra_info: { ref } });

    const body = JSON.parse(fixture('status-delivered.json').toString());
    body.extra_info.ref = ref;
    expect(kaleyraProvider.parse(request(Buffer.from(JSON.stringify(body))), account)).toMatchObject([
      { type: 'status', status: 'delivered', correlationId: ref },
    ]);
    // Meta's field is not what Kaleyra's send sets: it is not read here.
    body.extra_info.ref = '';
    body.meta_object.value.statuses[0].biz_opaque_callback_data = ref;
    expect(kaleyraProvider.parse(request(Buffer.from(JSON.stringify(body))), account)[0]).not.toHaveProperty(
      'correlationId',
    );

    const spec = kaleyraProvider.simulateStatus(
      { url: URL_, providerMessageId: 'wamid.OUTKC', status: 'delivered', timestampMs: NOW, correlationId: ref },
      credentials,
      account,
    );
    expect(spec.body).not.toContain('biz_opaque_callback_data');
    const req = fromSpec(spec);
    expect(() => kaleyraProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(kaleyraProvider.parse(req, account)).toEqual([
      {
        type: 'status',
        providerMessageId: 'wamid.OUTKC',
        status: 'delivered',
        providerStatus: 'delivered',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
