import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AppError, PayloadError, SignatureError, ValidationError } from '../../../shared/errors';
import { correlationRef } from '../../../shared/outbound/correlation';
import { inboundId, skebbyProvider, userReference, type SkebbyCredentials } from '../../../shared/providers/skebby';
import type {
  AccountContext,
  HttpRequestSpec,
  NormalisedEvent,
  SendContext,
  WebhookRequest,
} from '../../../shared/providers/types';
import { basicAuthHeader, parseFormPairs } from '../../../shared/providers/util';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/skebby', name));
const account: AccountContext = { id: 'acc-1', channel: 'sms', phone: '+393401234567', proxyToken: 'proxy-token' };
const creds: SkebbyCredentials = { method: 'classic_plus', username: 'username', password: 'password' };
const withAuth: SkebbyCredentials = { ...creds, webhookUsername: 'hook', webhookPassword: 's3cret' };
const URL_ = 'https://hooks.example.com/w/proxy-token';
const NOW = Date.UTC(2013, 10, 11, 10, 51, 14);

function webhook(body: Buffer | string, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    method: 'POST',
    url: URL_,
    headers: {},
    rawBody: Buffer.from(body),
    query: {},
    endpoint: 'message',
    ...extra,
  };
}

function fromSpec(spec: HttpRequestSpec): WebhookRequest {
  const url = new URL(spec.url);
  return {
    method: spec.method === 'GET' ? 'GET' : 'POST',
    url: spec.url,
    headers: Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k.toLowerCase(), v])),
    rawBody: Buffer.from(spec.body ?? ''),
    query: Object.fromEntries(url.searchParams),
    endpoint: 'message',
  };
}

describe('skebby credentials', () => {
  it('defaults the method to classic and requires username and password', () => {
    expect(skebbyProvider.credentials.parse({ username: 'u', password: 'p' })).toEqual({
      method: 'classic',
      username: 'u',
      password: 'p',
    });
    expect(skebbyProvider.credentials.safeParse({ username: 'u' }).success).toBe(false);
    expect(skebbyProvider.credentials.safeParse({ username: '', password: 'p' }).success).toBe(false);
    expect(skebbyProvider.credentials.safeParse({ username: 'u', password: 'p', method: 'premium' }).success).toBe(
      false,
    );
  });

  it('marks the password and the webhook password secret', () => {
    expect(skebbyProvider.secretFields).toEqual(['password', 'webhookPassword']);
  });
});

describe('skebby parse', () => {
  it('turns a forwarded SMS into a message event with a content-derived id', () => {
    const [event] = skebbyProvider.parse(webhook(fixture('inbound-text.form')), account);

    expect(event).toEqual({
      type: 'message',
      providerMessageId: inboundId(
        '393471234567',
        '393401234567',
        '1384167074',
        "Buongiorno, vorrei spostare l'appuntamento a domani",
      ),
      from: '+393471234567',
      to: '+393401234567',
      text: "Buongiorno, vorrei spostare l'appuntamento a domani",
      media: [],
      parts: [{ type: 'text', text: "Buongiorno, vorrei spostare l'appuntamento a domani" }],
      providerTimestamp: '2013-11-11T10:51:14.000Z',
    });
    expect(event?.providerMessageId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives a redelivered SMS the same id and a different SMS another', () => {
    const first = skebbyProvider.parse(webhook(fixture('inbound-text.form')), account)[0];
    const again = skebbyProvider.parse(webhook(fixture('inbound-text.form')), account)[0];
    const other = skebbyProvider.parse(
      webhook(fixture('inbound-text.form').toString().replace('domani', 'oggi')),
      account,
    )[0];

    expect(again?.providerMessageId).toBe(first?.providerMessageId);
    expect(other?.providerMessageId).not.toBe(first?.providerMessageId);
  });

  it('decodes a Latin-1 text when Skebby says the encoding is ISO-8859-1', () => {
    const [event] = skebbyProvider.parse(webhook(fixture('inbound-latin1.form')), account);

    expect(event).toMatchObject({
      type: 'message',
      text: 'Perchè non arriva?',
      providerTimestamp: '2013-11-11T10:52:30.000Z',
    });
  });

  it('falls back to date and time when there is no timestamp, and to our number when there is no receiver', () => {
    const [event] = skebbyProvider.parse(
      webhook('sender=393471234567&text=ciao&date=2013-11-11&time=10%3A51%3A14'),
      account,
    );

    expect(event).toMatchObject({ from: '+393471234567', to: '+393401234567', text: 'ciao' });
    expect(event?.type === 'message' && event.providerTimestamp).toMatch(/^2013-11-1[01]T/);
  });

  it('turns a Classic+ DELIVERED report into a delivered status for the dispatch id', () => {
    const events = skebbyProvider.parse(webhook(fixture('status-delivered.form')), account);

    expect(events).toEqual([
      {
        type: 'status',
        providerMessageId: '666',
        status: 'delivered',
        providerStatus: 'DELIVERED',
        providerTimestamp: '2012-02-19T17:51:01.000Z',
        correlationId: '12345',
      },
    ]);
  });

  it('turns an UNDELIVERABLE report into a failed status with the error code and its meaning', () => {
    const events = skebbyProvider.parse(webhook(fixture('status-failed.form')), account);

    expect(events).toEqual([
      {
        type: 'status',
        providerMessageId: '444',
        status: 'failed',
        providerStatus: 'UNDELIVERABLE',
        errorCode: '502',
        errorMessage: 'phone memory full',
        providerTimestamp: '2005-08-15T15:51:01.000Z',
        correlationId: '12345',
      },
    ]);
  });

  it("maps Skebby's REJECTD spelling to failed", () => {
    const [event] = skebbyProvider.parse(webhook(fixture('status-rejected.form')), account);

    expect(event).toMatchObject({
      status: 'failed',
      providerStatus: 'REJECTD',
      errorCode: '202',
      errorMessage: 'message rejected by the operator',
    });
  });

  it('reads a report sent as GET from the query string', () => {
    const query = Object.fromEntries(new URLSearchParams(fixture('status-delivered.form').toString()));
    const events = skebbyProvider.parse(webhook('', { method: 'GET', query, endpoint: 'status' }), account);

    expect(events).toMatchObject([{ type: 'status', providerMessageId: '666', status: 'delivered' }]);
  });

  it('ignores a report with a status word it does not know', () => {
    expect(
      skebbyProvider.parse(webhook('method=notify&skebby_dispatch_id=1&status=QUEUED_SOMEWHERE'), account),
    ).toEqual([]);
  });

  it('rejects bodies lacking the sender or the dispatch id, or of no known shape', () => {
    expect(() => skebbyProvider.parse(webhook('receiver=393401234567&text=hi'), account)).toThrow(PayloadError);
    expect(() => skebbyProvider.parse(webhook('method=notify&status=DELIVERED'), account)).toThrow(PayloadError);
    expect(() => skebbyProvider.parse(webhook('hello=world'), account)).toThrow(/neither an inbound SMS/);
    expect(() => skebbyProvider.parse(webhook(''), account)).toThrow(PayloadError);
  });

  it('answers 200 with an empty body', () => {
    expect(skebbyProvider.ack(webhook(''))).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain' },
      body: '',
    });
  });
});

describe('skebby verify', () => {
  it('accepts any request when no webhook credentials are configured (Skebby signs nothing)', () => {
    expect(() => skebbyProvider.verify(webhook(fixture('inbound-text.form')), creds, account, NOW)).not.toThrow();
  });

  it('accepts the configured basic-auth credentials', () => {
    const req = webhook(fixture('inbound-text.form'), {
      headers: { authorization: basicAuthHeader('hook', 's3cret') },
    });

    expect(() => skebbyProvider.verify(req, withAuth, account, NOW)).not.toThrow();
  });

  it('rejects a wrong password, a missing header and half-configured credentials', () => {
    const wrong = webhook('', { headers: { authorization: basicAuthHeader('hook', 'guess') } });
    const missing = webhook('');
    const onlyUser: SkebbyCredentials = { ...creds, webhookUsername: 'hook' };

    expect(() => skebbyProvider.verify(wrong, withAuth, account, NOW)).toThrow(SignatureError);
    expect(() => skebbyProvider.verify(missing, withAuth, account, NOW)).toThrow(SignatureError);
    expect(() => skebbyProvider.verify(missing, onlyUser, account, NOW)).toThrow(SignatureError);
  });
});

describe('skebby simulate', () => {
  const inbound = {
    url: URL_,
    providerMessageId: 'ignored',
    from: '+393471234567',
    to: '+393401234567',
    text: 'Ciao è tutto ok?',
    timestampMs: NOW,
  };

  it('builds an inbound SMS that verifies and parses back to the same message', () => {
    const req = fromSpec(skebbyProvider.simulateInbound(inbound, withAuth, account));

    expect(() => skebbyProvider.verify(req, withAuth, account, NOW)).not.toThrow();
    expect(skebbyProvider.parse(req, account)).toEqual([
      {
        type: 'message',
        providerMessageId: inboundId('393471234567', '393401234567', '1384167074', 'Ciao è tutto ok?'),
        from: '+393471234567',
        to: '+393401234567',
        text: 'Ciao è tutto ok?',
        media: [],
        parts: [{ type: 'text', text: 'Ciao è tutto ok?' }],
        providerTimestamp: '2013-11-11T10:51:14.000Z',
      },
    ]);
  });

  it('builds delivered and failed reports that parse back', () => {
    const delivered = fromSpec(
      skebbyProvider.simulateStatus(
        { url: URL_, providerMessageId: '64608933', status: 'delivered', timestampMs: NOW },
        creds,
        account,
      ),
    );
    const failed = fromSpec(
      skebbyProvider.simulateStatus(
        { url: URL_, providerMessageId: '64608933', status: 'failed', errorCode: '401', timestampMs: NOW },
        creds,
        account,
      ),
    );

    expect(skebbyProvider.parse(delivered, account)).toEqual([
      {
        type: 'status',
        providerMessageId: '64608933',
        status: 'delivered',
        providerStatus: 'DELIVERED',
        providerTimestamp: '2013-11-11T10:51:14.000Z',
      },
    ]);
    expect(skebbyProvider.parse(failed, account)).toMatchObject([
      { status: 'failed', errorCode: '401', errorMessage: 'message expired (phone off or unreachable)' },
    ]);
  });

  it('refuses to simulate a state Skebby never reports', () => {
    expect(() =>
      skebbyProvider.simulateStatus(
        { url: URL_, providerMessageId: '1', status: 'sent', timestampMs: NOW },
        creds,
        account,
      ),
    ).toThrow(ValidationError);
  });
});

describe('skebby send', () => {
  const ctx = (c: SkebbyCredentials): SendContext<SkebbyCredentials> => ({
    credentials: c,
    account,
    baseUrl: 'https://gateway.skebby.it/',
  });
  const message = {
    to: '+393471234567',
    text: 'Il suo ordine è pronto',
    correlationId: '01JBX7Y8Z9ABCDEFGHJKMNPQRS',
    statusCallbackUrl: `${URL_}/status`,
  };

  it('posts the Classic+ form with the dispatch method, credentials, recipient, sender and user_reference', () => {
    const spec = skebbyProvider.buildSend(ctx(creds), message);

    expect(spec).toMatchObject({
      method: 'POST',
      url: 'https://gateway.skebby.it/api/send/smseasy/advanced/http.php',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(parseFormPairs(spec.body ?? '')).toEqual([
      ['method', 'send_sms_classic_report'],
      ['username', 'username'],
      ['password', 'password'],
      ['recipients[]', '393471234567'],
      ['text', 'Il suo ordine è pronto'],
      ['sender_number', '393401234567'],
      ['user_reference', userReference(message.correlationId)],
      ['charset', 'UTF-8'],
    ]);
  });

  it('keeps user_reference within 20 allowed characters, deterministically', () => {
    expect(userReference('short-id_1')).toBe('short-id_1');
    expect(userReference(message.correlationId)).toMatch(/^[A-Za-z0-9\-_+:;]{20}$/);
    expect(userReference(message.correlationId)).toBe(userReference(message.correlationId));
    expect(userReference('a/b c')).toMatch(/^[A-Za-z0-9\-_+:;]{20}$/);
  });

  it('uses the alphanumeric sender when configured, no sender on Basic, and appends media links to the text', () => {
    const classic = parseFormPairs(
      skebbyProvider.buildSend(ctx({ ...creds, method: 'classic', senderString: 'ACME' }), message).body ?? '',
    );
    const basic = parseFormPairs(
      skebbyProvider.buildSend(ctx({ ...creds, method: 'basic' }), {
        ...message,
        media: [{ url: 'https://cdn.example.com/a.jpg', contentType: 'image/jpeg' }],
      }).body ?? '',
    );

    expect(classic).toContainEqual(['method', 'send_sms_classic']);
    expect(classic).toContainEqual(['sender_string', 'ACME']);
    expect(classic.map(([k]) => k)).not.toContain('sender_number');
    expect(basic).toContainEqual(['method', 'send_sms_basic']);
    expect(basic.map(([k]) => k)).not.toEqual(expect.arrayContaining(['sender_number']));
    expect(basic).toContainEqual(['text', 'Il suo ordine è pronto\nhttps://cdn.example.com/a.jpg']);
  });

  const res = (body: string, status = 200, headers: Record<string, string> = {}) => ({ status, headers, body });

  it('reads the dispatch id from a Classic+ success reply', () => {
    expect(skebbyProvider.parseSendResponse(res(fixture('send-success-classic-plus.txt').toString()))).toEqual({
      ok: true,
      providerMessageId: '64608933',
    });
  });

  it('gives a Classic success without id a unique id of its own', () => {
    const a = skebbyProvider.parseSendResponse(res(fixture('send-success-classic.txt').toString()));
    const b = skebbyProvider.parseSendResponse(res(fixture('send-success-classic.txt').toString()));

    expect(a).toMatchObject({ ok: true, providerMessageId: expect.stringMatching(/^skebby-/) });
    expect(a).not.toEqual(b);
  });

  it('maps Skebby failure codes: 21 auth, 25 invalid number, 30 credit, 24 request, 10 generic', () => {
    expect(skebbyProvider.parseSendResponse(res(fixture('send-failed-credentials.txt').toString()))).toMatchObject({
      ok: false,
      code: 'AUTH_FAILED',
      retryable: false,
    });
    expect(skebbyProvider.parseSendResponse(res(fixture('send-failed-recipient.txt').toString()))).toMatchObject({
      ok: false,
      code: 'INVALID_NUMBER',
      retryable: false,
      detail: expect.stringContaining('Recipient not valid'),
    });
    expect(skebbyProvider.parseSendResponse(res(fixture('send-failed-credit.txt').toString()))).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      retryable: false,
    });
    expect(skebbyProvider.parseSendResponse(res('status=failed&code=24&message=Text+too+long'))).toMatchObject({
      code: 'INVALID_REQUEST',
      retryable: false,
    });
    expect(
      skebbyProvider.parseSendResponse(res('status=failed&code=10&message=All+numbers+are+not+valid')),
    ).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
  });

  it('maps HTTP statuses: 400 final, 401 auth, 429 with Retry-After, 503 retryable', () => {
    expect(skebbyProvider.parseSendResponse(res('bad', 400))).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
      retryable: false,
    });
    expect(skebbyProvider.parseSendResponse(res('', 401))).toMatchObject({
      ok: false,
      code: 'AUTH_FAILED',
      retryable: false,
    });
    expect(skebbyProvider.parseSendResponse(res('', 429, { 'retry-after': '7' }))).toEqual({
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 7000,
      detail: 'HTTP 429',
    });
    expect(skebbyProvider.parseSendResponse(res('<html>down</html>', 503))).toMatchObject({
      ok: false,
      code: 'PROVIDER_UNAVAILABLE',
      retryable: true,
    });
  });

  it('does not throw on an odd 200 body', () => {
    expect(skebbyProvider.parseSendResponse(res('<html>maintenance</html>'))).toMatchObject({
      ok: false,
      code: 'PROVIDER_ERROR',
      retryable: false,
    });
    expect(skebbyProvider.parseSendResponse(res(''))).toMatchObject({ ok: false, code: 'PROVIDER_ERROR' });
  });
});

describe('skebby fuzz', () => {
  function wellFormed(events: NormalisedEvent[]): void {
    for (const e of events) {
      expect(typeof e.providerMessageId).toBe('string');
      if (e.type === 'message')
        expect([typeof e.from, typeof e.to, typeof e.text]).toEqual(['string', 'string', 'string']);
      else expect(['queued', 'sent', 'delivered', 'read', 'failed']).toContain(e.status);
    }
  }

  function survives(body: Buffer, query: Record<string, string> = {}): void {
    for (const c of [creds, withAuth]) {
      const req = webhook(body, { query, headers: { authorization: basicAuthHeader('hook', 's3cret') } });
      try {
        skebbyProvider.verify(req, c, account, NOW);
        wellFormed(skebbyProvider.parse(req, account));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
      }
    }
  }

  const formish = fc
    .array(
      fc.tuple(
        fc.constantFrom(
          'sender',
          'receiver',
          'text',
          'timestamp',
          'encoding',
          'skebby_dispatch_id',
          'status',
          'error_code',
          'method',
          '__proto__',
          'constructor',
          'x',
        ),
        fc.string(),
      ),
    )
    .map((pairs) => Buffer.from(new URLSearchParams(pairs).toString()));

  it('never throws anything but AppError on random bodies', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
          fc.string().map((s) => Buffer.from(s)),
          fc.json().map((s) => Buffer.from(s)),
          formish,
        ),
        (body) => survives(body),
      ),
      { numRuns: 2000 },
    );
  });

  const FIXTURES = [
    'inbound-text.form',
    'inbound-latin1.form',
    'status-delivered.form',
    'status-failed.form',
    'status-rejected.form',
  ];

  it.each(FIXTURES)('never throws anything but AppError on mutations of %s', (name) => {
    const base = fixture(name);
    const pairs = parseFormPairs(base);
    const mutation = fc.oneof(
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const b = Buffer.from(base);
        b[i % b.length] = (b[i % b.length] ?? 0) ^ x;
        return b;
      }),
      fc.nat().map((n) => base.subarray(0, n % (base.length + 1))),
      fc.tuple(fc.nat(), fc.oneof(fc.string(), fc.json(), fc.constant(''))).map(([i, v]) => {
        const copy = pairs.map(([k, old], j) => [k, j === i % pairs.length ? v : old] as [string, string]);
        return Buffer.from(new URLSearchParams(copy).toString());
      }),
      fc.nat().map((i) => Buffer.from(new URLSearchParams(pairs.filter((_, j) => j !== i % pairs.length)).toString())),
    );
    fc.assert(
      fc.property(mutation, fc.boolean(), (body, asQuery) =>
        survives(
          asQuery ? Buffer.alloc(0) : body,
          asQuery ? Object.fromEntries(new URLSearchParams(body.toString())) : {},
        ),
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on random send responses', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.string(),
        fc.dictionary(fc.constantFrom('retry-after', 'content-type'), fc.string()),
        (status, body, headers) => {
          const out = skebbyProvider.parseSendResponse({ status, headers, body });
          expect(typeof out.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('skebby correlation', () => {
  it('reads our (hashed) reference from user_reference, as buildSend sets it, and round-trips it through simulateStatus', () => {
    const ref = correlationRef('skebby', '01HZX9CQ4V7B2N5M8K3J6H1G0F');
    expect(ref).toBe(userReference('01HZX9CQ4V7B2N5M8K3J6H1G0F'));
    expect(ref).not.toBe('01HZX9CQ4V7B2N5M8K3J6H1G0F');
    const sent = skebbyProvider.buildSend(
      { credentials: creds, account, baseUrl: 'https://gateway.skebby.it' },
      {
        to: '+393471234567',
        text: 'hi',
        correlationId: '01HZX9CQ4V7B2N5M8K3J6H1G0F',
        statusCallbackUrl: `${URL_}/status`,
      },
    );
    expect(parseFormPairs(sent.body ?? '')).toContainEqual(['user_reference', ref]);

    const report = new URLSearchParams(fixture('status-delivered.form').toString());
    report.set('user_reference', ref);
    expect(skebbyProvider.parse(webhook(report.toString()), account)).toMatchObject([
      { type: 'status', status: 'delivered', correlationId: ref },
    ]);
    report.delete('user_reference');
    expect(skebbyProvider.parse(webhook(report.toString()), account)[0]).not.toHaveProperty('correlationId');

    const spec = skebbyProvider.simulateStatus(
      { url: URL_, providerMessageId: '64608934', status: 'delivered', timestampMs: NOW, correlationId: ref },
      creds,
      account,
    );
    expect(skebbyProvider.parse(fromSpec(spec), account)).toEqual<NormalisedEvent[]>([
      {
        type: 'status',
        providerMessageId: '64608934',
        status: 'delivered',
        providerStatus: 'DELIVERED',
        providerTimestamp: new Date(NOW).toISOString(),
        correlationId: ref,
      },
    ]);
  });
});
