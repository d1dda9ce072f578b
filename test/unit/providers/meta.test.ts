import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { mutations, onlyAppErrors } from '../../support/fuzz';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { metaProvider, type MetaCredentials } from '../../../shared/providers/meta';
import type { AccountContext, HttpRequestSpec, OutboundMessage, WebhookRequest } from '../../../shared/providers/types';

const fixture = (name: string): Buffer => readFileSync(join(__dirname, '../../fixtures/meta', name));
const FIXTURES = [
  'inbound-text.json',
  'inbound-image.json',
  'inbound-button-reply.json',
  'status-sent.json',
  'status-delivered.json',
  'status-failed.json',
  'other-number.json',
  'template-status-update.json',
];

const credentials: MetaCredentials = metaProvider.credentials.parse({
  wabaId: '102290129340398',
  accessToken: 'EAAGtesttoken',
  appId: '1234567890',
  appSecret: 'test-app-secret',
  phoneNumberId: '106540352242922',
});
const account: AccountContext = {
  id: 'acc-meta',
  channel: 'whatsapp',
  phone: '+15550783881',
  proxyToken: 'pt_7Qm2xLw9',
};
const URL_ = 'https://hooks.example.com/wa/pt_7Qm2xLw9';
const NOW = Date.parse('2025-06-20T00:00:00Z');

const sign = (body: Buffer, secret = credentials.appSecret): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function request(
  rawBody: Buffer,
  headers: Record<string, string> = { 'x-hub-signature-256': sign(rawBody) },
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

const get = (query: Record<string, string>): WebhookRequest => ({
  method: 'GET',
  url: `${URL_}?${new URLSearchParams(query)}`,
  headers: {},
  rawBody: Buffer.alloc(0),
  query,
  endpoint: 'message',
});

describe('meta credentials', () => {
  it('defaults the Graph API version and rejects an empty app secret', () => {
    expect(credentials.apiVersion).toBe('v25.0');
    expect(metaProvider.credentials.safeParse({ ...credentials, appSecret: '' }).success).toBe(false);
    expect(metaProvider.secretFields).toEqual(['accessToken', 'appSecret']);
  });
});

describe('meta handshake', () => {
  it('echoes hub.challenge when the verify token is the proxy token', () => {
    const answer = metaProvider.handshake!(
      get({ 'hub.mode': 'subscribe', 'hub.verify_token': account.proxyToken, 'hub.challenge': '1158201444' }),
      credentials,
      account,
    );
    expect(answer).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: '1158201444' });
  });

  it('echoes no challenge that is markup, empty or longer than 128 characters, even with the right verify token', () => {
    for (const challenge of ['<script>alert(1)</script>', '', 'x'.repeat(129)]) {
      const answer = metaProvider.handshake!(get({ 'hub.mode': 'subscribe', 'hub.verify_token': account.proxyToken, 'hub.challenge': challenge }), credentials, account);
      expect(answer).toMatchObject({ statusCode: 400, headers: { 'content-type': 'text/plain' } });
      expect(answer!.body).not.toContain(challenge || 'never');
    }
  });

  it('answers 403 to a wrong verify token or mode', () => {
    const wrongToken = get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1' });
    const wrongMode = get({ 'hub.mode': 'unsubscribe', 'hub.verify_token': account.proxyToken, 'hub.challenge': '1' });
    expect(metaProvider.handshake!(wrongToken, credentials, account)?.statusCode).toBe(403);
    expect(metaProvider.handshake!(wrongMode, credentials, account)?.statusCode).toBe(403);
  });

  it('is not a handshake for a POST or a GET without hub.mode', () => {
    expect(metaProvider.handshake!(request(fixture('inbound-text.json')), credentials, account)).toBeUndefined();
    expect(metaProvider.handshake!(get({}), credentials, account)).toBeUndefined();
  });
});

describe('meta verify', () => {
  const raw = fixture('inbound-text.json');

  it('accepts a body signed with the app secret', () => {
    expect(() => metaProvider.verify(request(raw), credentials, account, NOW)).not.toThrow();
  });

  it('rejects a body with one byte changed', () => {
    const tampered = Buffer.from(raw);
    tampered[tampered.indexOf('color')] = 'k'.charCodeAt(0);
    expect(() =>
      metaProvider.verify(request(tampered, { 'x-hub-signature-256': sign(raw) }), credentials, account, NOW),
    ).toThrow(SignatureError);
  });

  it('rejects a signature made with another secret', () => {
    const req = request(raw, { 'x-hub-signature-256': sign(raw, 'other-secret') });
    expect(() => metaProvider.verify(req, credentials, account, NOW)).toThrow(SignatureError);
  });

  it('rejects a request without X-Hub-Signature-256', () => {
    expect(() => metaProvider.verify(request(raw, {}), credentials, account, NOW)).toThrow(SignatureError);
  });
});

describe('meta parse', () => {
  const parse = (name: string) => metaProvider.parse(request(fixture(name)), account);

  it('parses an inbound text', () => {
    expect(parse('inbound-text.json')).toEqual([
      {
        type: 'message',
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        from: '+16505551234',
        to: '+15550783881',
        text: 'Does it come in another color?',
        media: [],
        parts: [{ type: 'text', text: 'Does it come in another color?' }],
        providerTimestamp: '2025-06-08T20:59:43.000Z',
        profileName: 'Sheena Nelson',
      },
    ]);
  });

  it('parses an inbound image as a media reference with its caption', () => {
    const [event] = parse('inbound-image.json');
    expect(event).toMatchObject({
      type: 'message',
      from: '+16505551234',
      text: 'Can you confirm this is the blue one?',
      media: [
        {
          id: '1003383421387256',
          contentType: 'image/jpeg',
          url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1750090702&hash=ATta4Zz2n5Zaa6D-ttQmDw',
        },
      ],
      parts: [
        {
          type: 'media',
          kind: 'image',
          caption: 'Can you confirm this is the blue one?',
          id: '1003383421387256',
          contentType: 'image/jpeg',
          url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1750090702&hash=ATta4Zz2n5Zaa6D-ttQmDw',
        },
      ],
      providerTimestamp: '2025-06-16T16:18:22.000Z',
    });
  });

  it('uses the button title as the text of an interactive reply', () => {
    expect(parse('inbound-button-reply.json')).toMatchObject([
      { type: 'message', text: 'Cancel order', from: '+16505551235' },
    ]);
  });

  it('parses sent, delivered and failed statuses', () => {
    expect(parse('status-sent.json')).toEqual([
      {
        type: 'status',
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        status: 'sent',
        providerStatus: 'sent',
        providerTimestamp: '2025-06-18T16:22:53.000Z',
        correlationId: '01JXK9Q3ZC6Y8W5M2R4T7N1B0D',
      },
    ]);
    expect(parse('status-delivered.json')).toMatchObject([
      { status: 'delivered', providerTimestamp: '2025-06-18T16:22:55.000Z' },
    ]);
    expect(parse('status-failed.json')).toEqual([
      {
        type: 'status',
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGNkI0NTQzQjQ0OUI4QzE2RjUA',
        status: 'failed',
        providerStatus: 'failed',
        errorCode: '131047',
        errorMessage:
          'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        providerTimestamp: '2025-06-19T16:23:41.000Z',
      },
    ]);
  });

  it('ignores changes for another business number and non-message fields', () => {
    expect(parse('other-number.json')).toEqual([]);
    expect(parse('template-status-update.json')).toEqual([]);
  });

  it('throws PayloadError for a message without an id or a non-JSON body', () => {
    const body = JSON.parse(fixture('inbound-text.json').toString());
    delete body.entry[0].changes[0].value.messages[0].id;
    expect(() => metaProvider.parse(request(Buffer.from(JSON.stringify(body))), account)).toThrow(PayloadError);
    expect(() => metaProvider.parse(request(Buffer.from('not json')), account)).toThrow(PayloadError);
  });
});

describe('meta simulate', () => {
  it('builds an inbound that verifies and parses back, non-ASCII text escaped as Meta signs it', () => {
    const spec = metaProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'wamid.SIM1',
        from: '+16505551234',
        to: account.phone,
        text: 'Grüße äöå',
        timestampMs: NOW,
      },
      credentials,
      account,
    );
    expect(spec.body).toContain('Gr\\u00fc\\u00dfe');
    const req = fromSpec(spec);
    expect(() => metaProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(metaProvider.parse(req, account)).toMatchObject([
      { type: 'message', providerMessageId: 'wamid.SIM1', from: '+16505551234', to: '+15550783881', text: 'Grüße äöå' },
    ]);
  });

  it('builds inbound media and failed statuses that round-trip', () => {
    const media = metaProvider.simulateInbound(
      {
        url: URL_,
        providerMessageId: 'wamid.SIM2',
        from: '+16505551234',
        to: account.phone,
        text: 'look',
        media: [{ url: 'https://cdn.example.com/a.png', contentType: 'image/png' }],
        timestampMs: NOW,
      },
      credentials,
      account,
    );
    expect(metaProvider.parse(fromSpec(media), account)[0]).toMatchObject({
      text: 'look',
      media: [{ url: 'https://cdn.example.com/a.png', contentType: 'image/png' }],
      parts: [
        {
          type: 'media',
          kind: 'image',
          caption: 'look',
          url: 'https://cdn.example.com/a.png',
          contentType: 'image/png',
        },
      ],
    });
    const status = metaProvider.simulateStatus(
      { url: URL_, providerMessageId: 'wamid.OUT1', status: 'failed', errorCode: '131047', timestampMs: NOW },
      credentials,
      account,
    );
    const req = fromSpec(status);
    expect(() => metaProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(metaProvider.parse(req, account)).toMatchObject([
      { type: 'status', providerMessageId: 'wamid.OUT1', status: 'failed', errorCode: '131047' },
    ]);
  });
});

describe('meta send', () => {
  const ctx = { credentials, account, baseUrl: 'https://graph.facebook.com' };
  const base: OutboundMessage = {
    to: '+16505551234',
    correlationId: '01JXK9Q3ZC6Y8W5M2R4T7N1B0D',
    statusCallbackUrl: `${URL_}/status`,
  };

  it('posts a text to /{version}/{phoneNumberId}/messages with a bearer token and the correlation id', () => {
    const spec = metaProvider.buildSend(ctx, { ...base, text: 'Yes, in blue too.' });
    expect(spec.method).toBe('POST');
    expect(spec.url).toBe('https://graph.facebook.com/v25.0/106540352242922/messages');
    expect(spec.headers).toEqual({ authorization: 'Bearer EAAGtesttoken', 'content-type': 'application/json' });
    expect(JSON.parse(spec.body!)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+16505551234',
      type: 'text',
      text: { preview_url: false, body: 'Yes, in blue too.' },
      biz_opaque_callback_data: '01JXK9Q3ZC6Y8W5M2R4T7N1B0D',
    });
  });

  it('sends media by link with the text as caption', () => {
    const spec = metaProvider.buildSend(ctx, {
      ...base,
      text: 'Invoice',
      media: [{ url: 'https://cdn.example.com/inv.pdf', contentType: 'application/pdf' }],
    });
    expect(JSON.parse(spec.body!)).toMatchObject({
      type: 'document',
      document: { link: 'https://cdn.example.com/inv.pdf', caption: 'Invoice' },
    });
  });

  it('sends a template with body parameters', () => {
    const spec = metaProvider.buildSend(ctx, {
      ...base,
      template: { name: 'order_update', language: 'en_US', parameters: ['Jane', '#1234'] },
    });
    expect(JSON.parse(spec.body!)).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Jane' },
              { type: 'text', text: '#1234' },
            ],
          },
        ],
      },
    });
  });

  const graphError = (code: number, message: string, details?: string) =>
    JSON.stringify({
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(details && { error_data: { messaging_product: 'whatsapp', details } }),
        fbtrace_id: 'AbC123',
      },
    });

  it('reads the wamid of an accepted send', () => {
    const body = JSON.stringify({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+16505551234', wa_id: '16505551234' }],
      messages: [{ id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA', message_status: 'accepted' }],
    });
    expect(metaProvider.parseSendResponse({ status: 200, headers: {}, body })).toEqual({
      ok: true,
      providerMessageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    });
  });

  it.each([
    ['400 invalid parameter', 400, graphError(100, '(#100) Invalid parameter'), 'INVALID_REQUEST', false],
    [
      '401 expired token',
      401,
      graphError(190, 'Error validating access token: Session has expired'),
      'AUTH_FAILED',
      false,
    ],
    ['503 html page', 503, '<html>Service Unavailable</html>', 'PROVIDER_UNAVAILABLE', true],
    [
      '131047 re-engagement',
      400,
      graphError(
        131047,
        '(#131047) Re-engagement message',
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      ),
      'WINDOW_CLOSED',
      false,
    ],
    ['131026 undeliverable', 400, graphError(131026, '(#131026) Message Undeliverable'), 'INVALID_NUMBER', false],
    [
      '132001 unknown template',
      400,
      graphError(132001, '(#132001) Template name does not exist in the translation'),
      'TEMPLATE_ERROR',
      false,
    ],
    ['200 without a message id', 200, 'odd', 'PROVIDER_ERROR', false],
  ])('maps a %s response to its error code', (_label, status, body, code, retryable) => {
    expect(metaProvider.parseSendResponse({ status, headers: {}, body })).toMatchObject({ ok: false, code, retryable });
  });

  it('maps 429 to RATE_LIMITED with Retry-After', () => {
    const outcome = metaProvider.parseSendResponse({
      status: 429,
      headers: { 'Retry-After': '30' },
      body: graphError(130429, 'Rate limit hit'),
    });
    expect(outcome).toEqual({
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 30000,
      detail: '130429: Rate limit hit',
    });
  });
});

describe('meta fuzz', () => {
  const exercise = (rawBody: Buffer, headers: Record<string, string>): void => {
    const req = request(rawBody, headers);
    onlyAppErrors(() => metaProvider.verify(req, credentials, account, NOW));
    onlyAppErrors(() => metaProvider.parse(req, account));
  };

  it('never throws anything but AppError on random bodies', () => {
    const body = fc.oneof(
      fc.json().map((s) => Buffer.from(s)),
      fc.string().map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    );
    fc.assert(
      fc.property(body, fc.option(fc.string()), (raw, sig) =>
        exercise(raw, sig === null ? {} : { 'x-hub-signature-256': sig }),
      ),
      { numRuns: 2000 },
    );
  });

  it.each(FIXTURES)('never throws anything but AppError on mutations of %s', (name) => {
    const raw = fixture(name);
    fc.assert(
      fc.property(mutations(raw.toString()), (mutated) => exercise(mutated, { 'x-hub-signature-256': sign(mutated) })),
      { numRuns: 2000 },
    );
  });
});

describe('meta correlation', () => {
  it('reads our reference from biz_opaque_callback_data, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('meta', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = metaProvider.buildSend(
      { credentials, account, baseUrl: 'https://graph.facebook.com' },
      {
        to: '+16505551234',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL_}/status`,
      },
    );
    expect(JSON.parse(sent.body ?? '')).toMatchObject({ biz_opaque_callback_data: ref });

    const body = JSON.parse(fixture('status-delivered.json').toString());
    body.entry[0].changes[0].value.statuses[0].biz_opaque_callback_data = ref;
    expect(metaProvider.parse(request(Buffer.from(JSON.stringify(body))), account)).toMatchObject([
      { type: 'status', status: 'delivered', correlationId: ref },
    ]);
    expect(metaProvider.parse(request(fixture('status-failed.json')), account)[0]).not.toHaveProperty('correlationId');

    const spec = metaProvider.simulateStatus(
      { url: URL_, providerMessageId: 'wamid.OUTC', status: 'read', timestampMs: NOW, correlationId: ref },
      credentials,
      account,
    );
    const req = fromSpec(spec);
    expect(() => metaProvider.verify(req, credentials, account, NOW)).not.toThrow();
    expect(metaProvider.parse(req, account)).toEqual([
      {
        type: 'status',
        providerMessageId: 'wamid.OUTC',
        status: 'read',
        providerStatus: 'read',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
