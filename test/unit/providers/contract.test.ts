/**
 * The provider contract: one table-driven suite that every provider module passes, fed by each provider's fixtures
 * (test/unit/providers/fixtures/<provider>.ts, data only). Signatures (the SDKs' published vectors, valid, tampered
 * body, tampered URL, wrong key, stale timestamp), every webhook fixture parsing to its content parts, status
 * mapping, the simulators round-tripping, the send request as a fake provider on loopback receives it, error
 * classification, and fuzzing. What only one provider does stays in that provider's own test file.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { renderParts } from '../../../shared/domain/content';
import { PayloadError, SignatureError } from '../../../shared/errors';
import { correlationRef, ECHOES_CORRELATION } from '../../../shared/outbound/correlation';
import { SEND_ERROR_CODES, type HttpRequestSpec, type HttpResponseSpec, type ProviderModule, type WebhookRequest } from '../../../shared/providers/types';
import { parseFormPairs } from '../../../shared/providers/util';
import { BAD_REQUEST_CODE, FakeProviders, type ErrorKind } from '../../support/fake-providers';
import { mutations, onlyAppErrors } from '../../support/fuzz';
import {
  editBody,
  responseBody,
  signWebhook,
  webhookRequest,
  type BodySource,
  type ProviderContract,
  type SimulateCase,
} from '../../support/provider-contract';
import { CONTRACTS } from './fixtures';


/** What the fake's error answers mean, for every provider alike. */
const FAKE_ERRORS: [ErrorKind, { code?: string; retryable: boolean; retryAfterMs?: number }][] = [
  ['rate-limited', { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 3000 }],
  ['unavailable', { code: 'PROVIDER_UNAVAILABLE', retryable: true }],
  // The sender honours the Retry-After of any retryable answer (shared/outbound/send.ts); a module may read it too.
  ['unavailable-retry-after', { code: 'PROVIDER_UNAVAILABLE', retryable: true }],
  ['unauthorized', { code: 'AUTH_FAILED', retryable: false }],
  ['bad-request', { retryable: false }],
];

/** `it.each` over a table a provider may leave empty (jest refuses an empty table). */
function eachOf<T>(table: readonly T[]) {
  return (name: string, fn: (row: T) => void | Promise<void>) => {
    if (table.length > 0) it.each(table as T[])(name, fn as never);
  };
}

let fake: FakeProviders;
beforeAll(async () => {
  fake = await FakeProviders.start();
});
afterAll(async () => {
  await fake.stop();
});

/**
 * Sends a built request to the fake provider and returns what it recorded and answered. One connection per request
 * (no keep-alive pool): the fuzzing between two sends outlasts the server's idle timeout.
 */
async function deliver(spec: HttpRequestSpec) {
  const response = await new Promise<HttpResponseSpec>((resolve, reject) => {
    const req = httpRequest(spec.url, { method: spec.method, headers: spec.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers[name] = value;
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(spec.body);
  });
  const recorded = fake.requests[fake.requests.length - 1];
  if (!recorded) throw new Error('the fake provider received nothing');
  return { recorded, response };
}

describe.each(Object.entries(CONTRACTS))('%s contract', (type, c: ProviderContract) => {
  const provider = c.provider as unknown as ProviderModule<Record<string, unknown>>;
  const dir = c.dir ?? type;
  const file = (name: string) => readFileSync(join(__dirname, '../../fixtures', dir, name), 'utf8');
  const accountKeys = Object.keys(c.accounts);
  const account = (key?: string) => {
    const found = c.accounts[key ?? accountKeys[0] ?? ''];
    if (!found) throw new Error(`no account ${key}`);
    return found;
  };
  const sig = c.signature;
  const nowS = Math.floor(c.nowMs / 1000);

  /** A fixture file's encoding from its name; literal bodies are in the provider's usual one. */
  const formatOf = (name?: string) => (name === undefined ? c.format : name.endsWith('.json') ? 'json' : 'form');
  const bodyOf = (src: BodySource): string => {
    const raw = src.file ? file(src.file) : (src.body ?? '');
    return src.set || src.unset ? editBody(raw, formatOf(src.file), src.set, src.unset) : raw;
  };
  const requestOf = (src: BodySource, headers: Record<string, string> = {}): WebhookRequest =>
    src.method === 'GET'
      ? webhookRequest(`${c.url}${c.url.includes('?') ? '&' : '?'}${bodyOf(src)}`, '', headers, 'GET', src.endpoint)
      : webhookRequest(c.url, bodyOf(src), headers, 'POST', src.endpoint);
  const signed = (
    body: Buffer | string,
    opts: { url?: string; credentials?: Record<string, unknown>; timestampS?: number; method?: 'GET' | 'POST' } = {},
  ) =>
    signWebhook(sig.scheme, {
      credentials: opts.credentials ?? c.credentials,
      signing: sig.signing,
      method: opts.method ?? 'POST',
      url: opts.url ?? c.url,
      body: Buffer.from(body),
      timestampS: opts.timestampS ?? nowS,
      basicFields: sig.basicFields,
    });
  const verify = (req: WebhookRequest, credentials = c.credentials, nowMs = c.nowMs) =>
    provider.verify(req, credentials, account(), nowMs);
  const fromSpec = (spec: HttpRequestSpec): WebhookRequest =>
    webhookRequest(
      spec.url,
      spec.body ?? '',
      Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k.toLowerCase(), v])),
      spec.method === 'GET' ? 'GET' : 'POST',
    );

  const files = [...new Set(c.parses.flatMap((p) => (p.file && !p.set && !p.unset ? [p.file] : [])))];
  const firstInbound = files.find((f) => f.startsWith('inbound')) ?? files[0] ?? '';

  describe('credentials', () => {
    it('accepts its credentials, refuses incomplete ones and lists the secrets', () => {
      expect(provider.credentials.safeParse(c.credentials).success).toBe(true);
      if (sig.open) expect(provider.credentials.safeParse({ ...c.credentials, ...sig.open }).success).toBe(true);
      for (const bad of c.invalidCredentials)
        expect({ bad, ok: provider.credentials.safeParse({ ...c.credentials, ...bad }).success }).toEqual({ bad, ok: false });
      expect([...provider.secretFields]).toEqual(c.secretFields);
      expect(provider.defaultBaseUrl).toBe(c.defaultBaseUrl);
    });
  });

  describe(`signature (${sig.scheme})`, () => {
    it.each(files)('accepts %s signed as the provider signs it', (name) => {
      const body = file(name);
      expect(() => verify(webhookRequest(c.url, body, signed(body)))).not.toThrow();
    });

    const tampered = () => {
      const body = file(firstInbound);
      const [from, to] = sig.tamper ?? [body.charAt(Math.floor(body.length / 2)), ''];
      const at = body.indexOf(from);
      const changed =
        sig.tamper ? body.slice(0, at) + to + body.slice(at + from.length) : body.slice(0, at) + String.fromCharCode(body.charCodeAt(at) ^ 1) + body.slice(at + 1);
      expect(changed).not.toBe(body);
      return webhookRequest(c.url, changed, signed(body));
    };
    if (sig.covers.includes('body'))
      it('rejects a body changed after signing', () => expect(() => verify(tampered())).toThrow(SignatureError));
    else
      it('checks who sent it, not the body: a changed body with good credentials passes', () =>
        expect(() => verify(tampered())).not.toThrow());

    const otherUrl = `${c.url}-other?x=1`;
    if (sig.covers.includes('url'))
      it('rejects a signature made for another URL', () => {
        const body = file(firstInbound);
        expect(() => verify(webhookRequest(c.url, body, signed(body, { url: otherUrl })))).toThrow(SignatureError);
      });
    else
      it('does not sign the URL: the same request to another URL passes', () => {
        const body = file(firstInbound);
        expect(() => verify(webhookRequest(otherUrl, body, signed(body)))).not.toThrow();
      });

    it.each(sig.wrongKeys)('rejects a request authenticated with another key (%o)', (wrong) => {
      const body = file(firstInbound);
      expect(() => verify(webhookRequest(c.url, body, signed(body)), { ...c.credentials, ...wrong })).toThrow(
        SignatureError,
      );
    });

    if (sig.scheme !== 'body-code')
      it('rejects a request with no authentication headers', () => {
        expect(() => verify(webhookRequest(c.url, file(firstInbound)))).toThrow(SignatureError);
      });

    if (sig.covers.includes('timestamp')) {
      const tolerance = sig.toleranceS ?? 300;
      it(`rejects a timestamp more than ${tolerance} s away either way, and accepts one just within`, () => {
        const body = file(firstInbound);
        const at = (timestampS: number) => webhookRequest(c.url, body, signed(body, { timestampS }));
        expect(() => verify(at(nowS - tolerance - 1))).toThrow(SignatureError);
        expect(() => verify(at(nowS + tolerance + 1))).toThrow(SignatureError);
        expect(() => verify(at(nowS - tolerance + 1))).not.toThrow();
      });
      it('rejects a re-dated request: the timestamp is part of what is signed', () => {
        const body = file(firstInbound);
        const headers = signed(body, { timestampS: nowS - 10 });
        const redated = Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [k, v === String(nowS - 10) ? String(nowS) : v]),
        );
        expect(redated).not.toEqual(headers);
        expect(() => verify(webhookRequest(c.url, body, redated))).toThrow(SignatureError);
      });
    }

    if (sig.open)
      it('accepts any request when the account configured no webhook authentication', () => {
        expect(() => verify(webhookRequest(c.url, file(firstInbound)), { ...c.credentials, ...sig.open })).not.toThrow();
        expect(() => verify(webhookRequest(c.url, 'anything'), { ...c.credentials, ...sig.open })).not.toThrow();
      });

    eachOf(sig.vectors ?? [])('$name ($source)', (v) => {
      const req = webhookRequest(v.url, v.method === 'GET' ? '' : v.body, v.headers, v.method ?? 'POST');
      const run = () => verify(req, { ...c.credentials, ...v.credentials }, v.nowMs ?? c.nowMs);
      if (v.valid) expect(run).not.toThrow();
      else expect(run).toThrow(SignatureError);
    });
  });

  describe('parse', () => {
    it.each(c.parses)('$name', (p) => {
      expect(provider.parse(requestOf(p), account(p.account))).toEqual(p.events);
    });

    it("gives every message a readable text: its parts' rendering, never empty", () => {
      const messages = c.parses.flatMap((p) => p.events).filter((e) => e.type === 'message');
      for (const m of messages) expect({ id: m.providerMessageId, text: m.text }).toEqual({ id: m.providerMessageId, text: renderParts(m.parts) });
      for (const m of messages) expect(m.text.trim()).not.toBe('');
    });

    eachOf(c.statusWords)('maps the provider status $providerStatus to $status', (w) => {
      const [event] = provider.parse(requestOf(w), account(w.account));
      expect(event).toMatchObject({ type: 'status', status: w.status, providerStatus: w.providerStatus });
    });

    eachOf(c.ignored.map((src, i) => ({ i, src })))('ignores a body it has nothing to keep of (#$i)', ({ src }) => {
      expect(provider.parse(requestOf(src), account(src.account))).toEqual([]);
    });

    eachOf(c.rejected.map((r, i) => ({ i, r })))('rejects a malformed body (#$i: $r.error)', ({ r }) => {
      const run = () => provider.parse(requestOf(r), account(r.account));
      expect(run).toThrow(PayloadError);
      if (r.error) expect(run).toThrow(r.error);
    });

    it('acknowledges a webhook the way the provider expects', () => {
      expect(provider.ack(webhookRequest(c.url, ''))).toEqual(c.ack);
    });
  });

  describe('simulate', () => {
    const input = { url: c.url, timestampMs: c.nowMs };
    const signing = sig.signing;

    /** Builds the simulated webhook, checks its headers where fixed, verifies it and parses it back. */
    function roundTrip(s: SimulateCase<unknown>, build: (credentials: Record<string, unknown>) => HttpRequestSpec) {
      const credentials = { ...c.credentials, ...s.credentials };
      const spec = build(credentials);
      const req = fromSpec(spec);
      if (s.headers) expect(spec.headers).toEqual(s.headers);
      expect(() => verify(req, credentials)).not.toThrow();
      expect(provider.parse(req, account(s.account))).toEqual(s.events);
    }

    eachOf(c.simulate.inbound)('builds an inbound $input.providerMessageId that verifies and parses back', (s) =>
      roundTrip(s, (credentials) => provider.simulateInbound({ ...input, ...s.input }, credentials, account(s.account), signing)),
    );

    eachOf(c.simulate.status)('builds a $input.status status that verifies and parses back', (s) =>
      roundTrip(s, (credentials) => provider.simulateStatus({ ...input, ...s.input }, credentials, account(s.account), signing)),
    );

    const words = c.simulate.words.map(([status, providerStatus, at]) => ({ status, providerStatus, at }));
    eachOf(words)('round-trips a $status status as $providerStatus', ({ status, providerStatus, at }) => {
      const spec = provider.simulateStatus({ ...input, providerMessageId: 'sim-word', status }, c.credentials, account(), signing);
      expect(provider.parse(fromSpec(spec), account())).toMatchObject([
        { type: 'status', providerMessageId: 'sim-word', status, providerStatus, ...(at && { providerTimestamp: at }) },
      ]);
    });

    const echoes = ECHOES_CORRELATION[provider.type];
    it(echoes ? 'echoes our reference in its statuses' : 'carries no reference of ours in its statuses', () => {
      const ref = correlationRef(provider.type, '01HZX9CQ4V7B2N5M8K3J6H1G0F');
      const status = (correlationId?: string) =>
        provider.parse(
          fromSpec(
            provider.simulateStatus(
              { ...input, providerMessageId: 'sim-c', status: 'delivered', correlationId },
              c.credentials,
              account(),
              signing,
            ),
          ),
          account(),
        )[0];
      if (echoes) expect(status(ref)).toMatchObject({ correlationId: ref });
      else expect(status(ref)).not.toHaveProperty('correlationId');
      expect(status()).not.toHaveProperty('correlationId');
    });
  });

  describe('send', () => {
    const ctx = (credentials?: Record<string, unknown>, accountKey?: string) => ({
      credentials: { ...c.credentials, ...credentials },
      account: account(accountKey),
      baseUrl: fake.baseUrl(provider.type),
      ...(c.accessToken && { accessToken: c.accessToken }),
    });
    const message = (m: Record<string, unknown>) => ({
      correlationId: '01HQZK6Y8W3N9V2B7C4D5E6F7G',
      statusCallbackUrl: `${c.url.split('?')[0]}/status`,
      ...m,
    });

    it.each(c.sends)('$name', async (s) => {
      const spec = provider.buildSend(ctx(s.credentials, s.account), message(s.message) as never);
      expect(spec.url.startsWith(fake.baseUrl(provider.type))).toBe(true);
      const { recorded, response } = await deliver(spec);
      expect(recorded).toMatchObject({ target: provider.type, method: s.request.method, path: s.request.path });
      if (s.request.query !== undefined) expect(recorded.query).toBe(s.request.query);
      expect(recorded.headers).toMatchObject(s.request.headers ?? {});
      const fields: Record<string, unknown> | undefined = s.request.json
        ? (recorded.json as Record<string, unknown>)
        : s.request.form
          ? Object.fromEntries(parseFormPairs(recorded.body))
          : undefined;
      if (s.request.json !== undefined) {
        if (s.request.partial) expect(recorded.json).toMatchObject(s.request.json as object);
        else expect(recorded.json).toEqual(s.request.json);
      }
      if (s.request.form) {
        if (s.request.partial) for (const pair of s.request.form) expect(parseFormPairs(recorded.body)).toContainEqual(pair);
        else expect(parseFormPairs(recorded.body)).toEqual(s.request.form);
      }
      for (const name of s.request.absent ?? []) expect(fields ?? {}).not.toHaveProperty(name);
      expect(provider.parseSendResponse(response)).toEqual({ ok: true, providerMessageId: expect.any(String) });
    });

    if (ECHOES_CORRELATION[provider.type])
      it('sends our reference where its statuses echo it back', async () => {
        const id = '01HZX9CQ4V7B2N5M8K3J6H1G0F';
        const first = c.sends[0];
        const spec = provider.buildSend(ctx(first?.credentials, first?.account), message({ ...first?.message, correlationId: id }) as never);
        const { recorded } = await deliver(spec);
        expect(decodeURIComponent(recorded.body)).toContain(correlationRef(provider.type, id));
      });

    it.each(FAKE_ERRORS)('classifies the fake provider answering %s', async (kind, expected) => {
      const first = c.sends[0];
      fake.failNext(provider.type, 1, kind, 3);
      const spec = provider.buildSend(ctx(first?.credentials, first?.account), message(first?.message ?? {}) as never);
      const { response } = await deliver(spec);
      const outcome = provider.parseSendResponse(response);
      expect(outcome).toMatchObject({ ok: false, code: expected.code ?? BAD_REQUEST_CODE[provider.type], retryable: expected.retryable });
      if (expected.retryAfterMs !== undefined) expect(outcome).toMatchObject({ retryAfterMs: expected.retryAfterMs });
      else if (!outcome.ok) expect([undefined, 3000]).toContain(outcome.retryAfterMs);
    });

    eachOf(c.outcomes)('reads $name', (o) => {
      const res = { status: o.response.status, headers: o.response.headers ?? {}, body: responseBody(o.response.body) };
      expect(provider.parseSendResponse(res)).toMatchObject(o.outcome);
    });
  });

  describe('fuzz', () => {
    const headerNames = Object.keys(signed(file(firstInbound)));
    /** Whatever the bytes, parse returns well-formed events or throws an AppError; verify passes or throws one. */
    const check = (req: WebhookRequest) => {
      onlyAppErrors(() => {
        const events = provider.parse(req, account());
        for (const e of events) {
          expect(['message', 'status']).toContain(e.type);
          if (e.type === 'message')
            expect([typeof e.to, typeof e.text, Array.isArray(e.media), Array.isArray(e.parts)]).toEqual(['string', 'string', true, true]);
          else expect(['queued', 'sent', 'delivered', 'read', 'failed']).toContain(e.status);
        }
        return events;
      });
      onlyAppErrors(() => verify(req));
    };

    it('parse and verify only ever throw AppErrors on random bodies and headers', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
            fc.string().map((s) => Buffer.from(s)),
            fc.json().map((s) => Buffer.from(s)),
          ),
          fc.array(fc.string(), { minLength: headerNames.length, maxLength: headerNames.length }),
          (body, values) =>
            check(webhookRequest(c.url, body, Object.fromEntries(headerNames.map((n, i) => [n, values[i] ?? ''])))),
        ),
        { numRuns: 1000 },
      );
    });

    /** Random documents built from the field names the fixtures use, so parsing gets past its first checks. */
    const keys = [...new Set(files.flatMap((name) => {
      const raw = file(name);
      if (formatOf(name) === 'form') return parseFormPairs(raw).map(([k]) => k);
      const found: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object')
          for (const [k, x] of Object.entries(v)) {
            found.push(k);
            walk(x);
          }
      };
      walk(JSON.parse(raw));
      return found;
    }))];
    it('parse and verify only ever throw AppErrors on random documents made of its own field names', () => {
      const { doc } = fc.letrec<{ doc: unknown }>((tie) => ({
        doc: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.jsonValue({ maxDepth: 1 }),
          fc.array(tie('doc'), { maxLength: 3 }),
          fc.dictionary(fc.constantFrom(...keys), tie('doc'), { maxKeys: 6 }),
        ),
      }));
      const form = fc.dictionary(fc.constantFrom(...keys), fc.string(), { maxKeys: 8 }).map((o) => new URLSearchParams(o).toString());
      const body = fc.oneof(doc.map((d) => JSON.stringify(d) ?? 'null'), form);
      fc.assert(
        fc.property(body, (b) => check(webhookRequest(c.url, b, signed(b)))),
        { numRuns: 1000 },
      );
    });

    const formMutations = (raw: string): fc.Arbitrary<Buffer> => {
      const bytes = Buffer.from(raw);
      const pairs = parseFormPairs(raw);
      const form = (p: [string, string][]) => Buffer.from(new URLSearchParams(p).toString());
      return fc.oneof(
        fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const copy = Buffer.from(bytes);
          copy[i] = (copy[i] ?? 0) ^ x;
          return copy;
        }),
        fc.nat({ max: bytes.length }).map((n) => bytes.subarray(0, n)),
        fc
          .tuple(fc.nat({ max: Math.max(0, pairs.length - 1) }), fc.string())
          .map(([i, value]) => form(pairs.map(([k, v], j) => [k, j === i ? value : v]))),
        fc.nat({ max: Math.max(0, pairs.length - 1) }).map((i) => form(pairs.filter((_, j) => j !== i))),
      );
    };

    it.each(files)('parse and verify only ever throw AppErrors on mutations of %s', (name) => {
      const raw = file(name);
      const headers = signed(raw);
      // Signed over the original (verify must refuse) or over the mutation itself (parse must cope after verify).
      // Form providers also take their parameters as a GET query (Twilio, Plivo, ClickSend, Skebby).
      const asQuery = (body: Buffer) => webhookRequest(`${c.url}${c.url.includes('?') ? '&' : '?'}${body.toString('utf8')}`, '', headers, 'GET');
      fc.assert(
        fc.property(formatOf(name) === 'json' ? mutations(raw) : formMutations(raw), fc.nat({ max: 2 }), (body, how) =>
          check(
            how === 2 && formatOf(name) === 'form'
              ? asQuery(body)
              : webhookRequest(c.url, body, how === 1 ? signed(body) : headers),
          ),
        ),
        { numRuns: 800 },
      );
    });

    it('verify only ever throws AppErrors on junk URLs', () => {
      const body = file(firstInbound);
      const headers = signed(body);
      fc.assert(
        fc.property(fc.string(), (url) => onlyAppErrors(() => verify({ ...webhookRequest(c.url, body, headers), url }))),
        { numRuns: 300 },
      );
    });

    it('never throws on a random send answer, and names a known outcome', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 100, max: 599 }),
          fc.oneof(fc.string(), fc.json(), fc.constant('')),
          fc.option(fc.string(), { nil: undefined }),
          (status, body, retryAfter) => {
            const outcome = provider.parseSendResponse({
              status,
              headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
              body,
            });
            if (outcome.ok) expect(outcome.providerMessageId.length).toBeGreaterThan(0);
            else expect(SEND_ERROR_CODES).toContain(outcome.code);
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
