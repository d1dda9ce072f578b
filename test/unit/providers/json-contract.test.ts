import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AppError, PayloadError, SignatureError } from '../../../shared/errors';
import { connectelProvider } from '../../../shared/providers/connectel';
import { csctelecomProvider } from '../../../shared/providers/csctelecom';
import type { JsonContractCredentials } from '../../../shared/providers/json-contract';
import type {
  AccountContext,
  HttpRequestSpec,
  NormalisedEvent,
  ProviderModule,
  SendContext,
  WebhookRequest,
} from '../../../shared/providers/types';

type Credentials = JsonContractCredentials<string>;

/** Both providers speak the same contract (shared/providers/json-contract.ts); only names and fixtures differ. */
const CASES = [
  {
    type: 'connectel',
    provider: connectelProvider,
    field: 'authToken',
    token: 'tok_live_123',
    baseUrl: 'https://sms.connectel.example/api/v1',
    id: 'cn',
  },
  {
    type: 'csctelecom',
    provider: csctelecomProvider,
    field: 'apiKey',
    token: 'csc_key_123',
    baseUrl: 'https://api.csctelecom.example/api/v1',
    id: 'csc',
  },
] as const;

describe.each(CASES)('$type', (p) => {
  const provider = p.provider as unknown as ProviderModule<Credentials>;

  const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures', p.type, name));
  const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+46812345678', proxyToken: 'proxy-token' };
  const creds = { [p.field]: p.token, baseUrl: p.baseUrl } as Credentials;
  const signed: Credentials = { ...creds, webhookSecret: 'whsec_test' };
  const URL_ = 'https://hooks.example.com/w/proxy-token';
  const NOW = Date.UTC(2026, 2, 2, 9, 15, 30);
  const TS = String(Math.floor(NOW / 1000));

  /** An independent implementation of the contract's signature, so the test does not trust the module's own. */
  const sign = (secret: string, ts: string, body: Buffer) =>
    `sha256=${createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex')}`;

  function webhook(body: Buffer | string, headers: Record<string, string> = {}): WebhookRequest {
    return { method: 'POST', url: URL_, headers, rawBody: Buffer.from(body), query: {}, endpoint: 'message' };
  }

  const signedWebhook = (body: Buffer, secret = 'whsec_test', ts = TS) =>
    webhook(body, { 'x-signature-timestamp': ts, 'x-signature': sign(secret, ts, body) });

  function fromSpec(spec: HttpRequestSpec): WebhookRequest {
    return webhook(
      spec.body ?? '',
      Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k.toLowerCase(), v])),
    );
  }

  describe(`${p.type} credentials`, () => {
    it('requires the auth token and an http(s) base URL; the webhook secret is optional', () => {
      expect(provider.credentials.parse(creds)).toEqual(creds);
      expect(provider.credentials.safeParse({ [p.field]: 'x' }).success).toBe(false);
      expect(provider.credentials.safeParse({ [p.field]: '', baseUrl: creds.baseUrl }).success).toBe(false);
      expect(provider.credentials.safeParse({ [p.field]: 'x', baseUrl: 'not a url' }).success).toBe(false);
      expect(provider.credentials.safeParse({ [p.field]: 'x', baseUrl: 'ftp://x.example' }).success).toBe(false);
      expect(provider.secretFields).toEqual([p.field, 'webhookSecret']);
    });
  });

  describe(`${p.type} parse`, () => {
    it('turns an inbound text into a message event', () => {
      expect(provider.parse(webhook(fixture('inbound-text.json')), account)).toEqual([
        {
          type: 'message',
          providerMessageId: `${p.id}-msg-7f3a9c21`,
          from: '+46701234567',
          to: '+46812345678',
          text: 'Hej, jag vill boka om min tid',
          media: [],
          parts: [{ type: 'text', text: 'Hej, jag vill boka om min tid' }],
          providerTimestamp: '2026-03-02T09:15:27.000Z',
        },
      ]);
    });

    it('keeps media as references and reads an epoch timestamp', () => {
      const [event] = provider.parse(webhook(fixture('inbound-media.json')), account);

      expect(event).toMatchObject({
        type: 'message',
        providerMessageId: `${p.id}-msg-7f3a9c22`,
        text: 'Here is the photo',
        media: [
          { url: `https://media.example-${p.type}.net/m/7f3a9c22/0.jpg`, contentType: 'image/jpeg' },
          { url: `https://media.example-${p.type}.net/m/7f3a9c22/1.pdf` },
        ],
        parts: [
          { type: 'text', text: 'Here is the photo' },
          { type: 'media', url: `https://media.example-${p.type}.net/m/7f3a9c22/0.jpg`, contentType: 'image/jpeg' },
          { type: 'media', url: `https://media.example-${p.type}.net/m/7f3a9c22/1.pdf` },
        ],
        providerTimestamp: new Date(1772442960 * 1000).toISOString(),
      });
    });

    it('turns a delivered status into a status event', () => {
      expect(provider.parse(webhook(fixture('status-delivered.json')), account)).toEqual([
        {
          type: 'status',
          providerMessageId: `${p.id}-out-0001`,
          status: 'delivered',
          providerStatus: 'delivered',
          providerTimestamp: '2026-03-02T09:16:03.000Z',
        },
      ]);
    });

    it('keeps the error code and message of a failed status', () => {
      expect(provider.parse(webhook(fixture('status-failed.json')), account)).toEqual([
        {
          type: 'status',
          providerMessageId: `${p.id}-out-0002`,
          status: 'failed',
          providerStatus: 'failed',
          errorCode: 'UNREACHABLE',
          errorMessage: 'handset unreachable, validity period expired',
          providerTimestamp: '2026-03-02T10:16:03.000Z',
        },
      ]);
    });

    it('parses a batch in order and accepts a plain-string error', () => {
      const events = provider.parse(webhook(fixture('status-batch.json')), account);

      expect(events.map((e) => e.type === 'status' && [e.providerMessageId, e.status])).toEqual([
        [`${p.id}-out-0003`, 'sent'],
        [`${p.id}-out-0003`, 'delivered'],
        [`${p.id}-out-0004`, 'failed'],
      ]);
      expect(events[2]).toMatchObject({ errorMessage: 'number barred' });
    });

    it('ignores status words outside the contract', () => {
      expect(provider.parse(webhook('{"id":"x","status":"buffered"}'), account)).toEqual([]);
    });

    it('rejects bodies that are not JSON, lack the id or sender, or have no known shape', () => {
      expect(() => provider.parse(webhook('id=1&from=2'), account)).toThrow(PayloadError);
      expect(() => provider.parse(webhook('{"from":"+46701234567","text":"hi"}'), account)).toThrow(
        'body.id is missing',
      );
      expect(() => provider.parse(webhook('{"id":"1","from":""}'), account)).toThrow('body.from is missing');
      expect(() => provider.parse(webhook('{"status":"sent"}'), account)).toThrow('body.id is missing');
      expect(() => provider.parse(webhook('{"id":"1","from":"+4670","text":{}}'), account)).toThrow(
        'body.text must be a string',
      );
      expect(() => provider.parse(webhook('{"id":"1","from":"+4670","media":[{}]}'), account)).toThrow(
        'body.media[0].url is missing',
      );
      expect(() => provider.parse(webhook('{"hello":"world"}'), account)).toThrow(/neither a message/);
      expect(() => provider.parse(webhook('[1]'), account)).toThrow('body[0] must be a JSON object');
      expect(() => provider.parse(webhook('null'), account)).toThrow(PayloadError);
    });

    it('answers 200 with an empty JSON object', () => {
      expect(provider.ack(webhook(''))).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    });
  });

  describe(`${p.type} verify`, () => {
    const body = fixture('inbound-text.json');

    it('accepts anything when no webhook secret is configured', () => {
      expect(() => provider.verify(webhook(body), creds, account, NOW)).not.toThrow();
    });

    it('accepts a body signed with the secret within 300 s', () => {
      expect(() => provider.verify(signedWebhook(body), signed, account, NOW)).not.toThrow();
      expect(() => provider.verify(signedWebhook(body), signed, account, NOW + 299_000)).not.toThrow();
    });

    it('rejects a changed byte, a wrong secret, a missing header and a stale or malformed timestamp', () => {
      const tampered = signedWebhook(body);
      tampered.rawBody = Buffer.from(body);
      tampered.rawBody[10] = (tampered.rawBody[10] ?? 0) ^ 1;

      expect(() => provider.verify(tampered, signed, account, NOW)).toThrow(SignatureError);
      expect(() => provider.verify(signedWebhook(body, 'other'), signed, account, NOW)).toThrow(SignatureError);
      expect(() => provider.verify(webhook(body, { 'x-signature-timestamp': TS }), signed, account, NOW)).toThrow(
        SignatureError,
      );
      expect(() => provider.verify(signedWebhook(body), signed, account, NOW + 301_000)).toThrow(
        'stale or invalid signature timestamp',
      );
      expect(() => provider.verify(signedWebhook(body, 'whsec_test', '1e9'), signed, account, NOW)).toThrow(
        SignatureError,
      );
    });
  });

  describe(`${p.type} simulate`, () => {
    it('builds a signed inbound message that verifies and parses back', () => {
      const input = {
        url: URL_,
        providerMessageId: 'sim-1',
        from: '+46701234567',
        to: '+46812345678',
        text: 'hej',
        media: [{ url: 'https://x.example/a.png', contentType: 'image/png' }],
        timestampMs: NOW,
      };
      const req = fromSpec(provider.simulateInbound(input, signed, account));

      expect(() => provider.verify(req, signed, account, NOW)).not.toThrow();
      expect(provider.parse(req, account)).toEqual([
        {
          type: 'message',
          providerMessageId: 'sim-1',
          from: '+46701234567',
          to: '+46812345678',
          text: 'hej',
          media: input.media,
          parts: [
            { type: 'text', text: 'hej' },
            { type: 'media', url: 'https://x.example/a.png', contentType: 'image/png' },
          ],
          providerTimestamp: '2026-03-02T09:15:30.000Z',
        },
      ]);
    });

    it('builds signed statuses that verify and parse back, unsigned without a secret', () => {
      const failed = fromSpec(
        provider.simulateStatus(
          { url: URL_, providerMessageId: `${p.id}-out-9`, status: 'failed', errorCode: 'E42', timestampMs: NOW },
          signed,
          account,
        ),
      );
      const read = provider.simulateStatus(
        { url: URL_, providerMessageId: `${p.id}-out-9`, status: 'read', timestampMs: NOW },
        creds,
        account,
      );

      expect(() => provider.verify(failed, signed, account, NOW)).not.toThrow();
      expect(provider.parse(failed, account)).toEqual([
        {
          type: 'status',
          providerMessageId: `${p.id}-out-9`,
          status: 'failed',
          providerStatus: 'failed',
          errorCode: 'E42',
          providerTimestamp: '2026-03-02T09:15:30.000Z',
        },
      ]);
      expect(read.headers).toEqual({ 'content-type': 'application/json' });
      expect(provider.parse(fromSpec(read), account)).toMatchObject([{ status: 'read' }]);
    });
  });

  describe(`${p.type} send`, () => {
    const ctx = (baseUrl: string): SendContext<Credentials> => ({ credentials: creds, account, baseUrl });
    const message = {
      to: '+46701234567',
      text: 'Din tid är bokad',
      correlationId: '01JBX7Y8Z9ABCDEFGHJKMNPQRS',
      statusCallbackUrl: `${URL_}/status`,
    };

    it('posts JSON to {baseUrl}/messages with the bearer token, idempotency key, reference and status callback', () => {
      const spec = provider.buildSend(ctx(''), {
        ...message,
        media: [{ url: 'https://cdn.example.com/a.jpg', contentType: 'image/jpeg' }],
      });

      expect(spec).toMatchObject({
        method: 'POST',
        url: `${p.baseUrl}/messages`,
        headers: {
          authorization: `Bearer ${p.token}`,
          'content-type': 'application/json',
          'idempotency-key': message.correlationId,
        },
      });
      expect(JSON.parse(spec.body ?? '')).toEqual({
        from: '+46812345678',
        to: '+46701234567',
        text: 'Din tid är bokad',
        media: [{ url: 'https://cdn.example.com/a.jpg', contentType: 'image/jpeg' }],
        reference: message.correlationId,
        statusCallbackUrl: `${URL_}/status`,
      });
    });

    it('prefers a configured base URL override and omits empty media', () => {
      const spec = provider.buildSend(ctx('https://mock.local/'), message);

      expect(spec.url).toBe('https://mock.local/messages');
      expect(JSON.parse(spec.body ?? '')).not.toHaveProperty('media');
    });

    const res = (body: string, status = 200, headers: Record<string, string> = {}) => ({ status, headers, body });

    it('reads the message id from a success reply', () => {
      expect(provider.parseSendResponse(res(fixture('send-success.json').toString(), 201))).toEqual({
        ok: true,
        providerMessageId: `${p.id}-out-0001`,
      });
    });

    it('maps the contract error codes and HTTP statuses', () => {
      expect(provider.parseSendResponse(res(fixture('send-error-invalid-number.json').toString(), 400))).toEqual({
        ok: false,
        code: 'INVALID_NUMBER',
        retryable: false,
        detail: 'HTTP 400: +4670 is not a valid mobile number',
      });
      expect(provider.parseSendResponse(res(fixture('send-error-not-opted-in.json').toString(), 403))).toMatchObject({
        code: 'AUTH_FAILED',
      });
      expect(provider.parseSendResponse(res(fixture('send-error-not-opted-in.json').toString(), 422))).toMatchObject({
        code: 'NOT_OPTED_IN',
        retryable: false,
      });
      expect(provider.parseSendResponse(res('{"error":{"code":"WINDOW_CLOSED"}}', 422))).toMatchObject({
        code: 'WINDOW_CLOSED',
        retryable: false,
      });
      expect(provider.parseSendResponse(res('{"error":{"code":"SOMETHING_NEW"}}', 400))).toMatchObject({
        code: 'INVALID_REQUEST',
        retryable: false,
      });
      expect(provider.parseSendResponse(res('{"error":{"code":"AUTH_FAILED"}}', 401))).toMatchObject({
        code: 'AUTH_FAILED',
        retryable: false,
      });
      expect(provider.parseSendResponse(res('', 429, { 'retry-after': '12' }))).toMatchObject({
        code: 'RATE_LIMITED',
        retryable: true,
        retryAfterMs: 12000,
      });
      expect(provider.parseSendResponse(res('<html>bad gateway</html>', 503))).toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
        retryable: true,
      });
    });

    it('does not throw on a success without id or an odd body', () => {
      expect(provider.parseSendResponse(res('{}', 200))).toMatchObject({
        ok: false,
        code: 'PROVIDER_ERROR',
        retryable: false,
      });
      expect(provider.parseSendResponse(res('not json', 200))).toMatchObject({ ok: false, code: 'PROVIDER_ERROR' });
    });
  });

  describe(`${p.type} fuzz`, () => {
    function wellFormed(events: NormalisedEvent[]): void {
      for (const e of events) {
        expect(typeof e.providerMessageId).toBe('string');
        if (e.type === 'message')
          expect([typeof e.from, typeof e.to, typeof e.text, Array.isArray(e.media)]).toEqual([
            'string',
            'string',
            'string',
            true,
          ]);
        else expect(['queued', 'sent', 'delivered', 'read', 'failed']).toContain(e.status);
      }
    }

    function survives(body: Buffer, headers: Record<string, string>): void {
      for (const c of [creds, signed]) {
        const req = webhook(body, headers);
        try {
          provider.verify(req, c, account, NOW);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
        }
        try {
          wellFormed(provider.parse(req, account));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
        }
      }
    }

    const headers = fc.record(
      { 'x-signature': fc.string(), 'x-signature-timestamp': fc.oneof(fc.constant(TS), fc.string()) },
      { requiredKeys: [] },
    );

    it('never throws anything but AppError on random bodies', () => {
      const bodies = fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
        fc.string().map((s) => Buffer.from(s)),
        fc.json().map((s) => Buffer.from(s)),
      );
      fc.assert(
        fc.property(bodies, headers, (body, h) => survives(body, h)),
        { numRuns: 2000 },
      );
    });

    /** Every path to a value in a JSON document, so a mutation can swap any one for another JSON type. */
    function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
      if (typeof value !== 'object' || value === null) return [prefix];
      const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
      return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
    }

    function replaced(doc: unknown, path: (string | number)[], next: unknown): unknown {
      if (path.length === 0) return next;
      const copy = structuredClone(doc) as Record<string | number, unknown>;
      let cur = copy;
      for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
      cur[path[path.length - 1] as string | number] = next;
      return copy;
    }

    const FIXTURES = [
      'inbound-text.json',
      'inbound-media.json',
      'status-delivered.json',
      'status-failed.json',
      'status-batch.json',
    ];

    it.each(FIXTURES)('never throws anything but AppError on mutations of %s', (name) => {
      const base = fixture(name);
      const doc: unknown = JSON.parse(base.toString());
      const all = paths(doc);
      const mutation = fc.oneof(
        fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const b = Buffer.from(base);
          b[i % b.length] = (b[i % b.length] ?? 0) ^ x;
          return b;
        }),
        fc.nat().map((n) => base.subarray(0, n % (base.length + 1))),
        fc
          .tuple(fc.nat(), fc.jsonValue())
          .map(([i, v]) => Buffer.from(JSON.stringify(replaced(doc, all[i % all.length] ?? [], v)))),
      );
      fc.assert(
        fc.property(mutation, fc.boolean(), (body, signIt) =>
          survives(body, signIt ? { 'x-signature-timestamp': TS, 'x-signature': sign('whsec_test', TS, body) } : {}),
        ),
        { numRuns: 2000 },
      );
    });

    it('never throws on random send responses', () => {
      const bodies = fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify({ error: v, id: v })),
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 100, max: 599 }),
          bodies,
          fc.dictionary(fc.constantFrom('retry-after'), fc.string()),
          (status, body, h) => {
            expect(typeof provider.parseSendResponse({ status, headers: h, body }).ok).toBe('boolean');
          },
        ),
        { numRuns: 2000 },
      );
    });
  });
});
