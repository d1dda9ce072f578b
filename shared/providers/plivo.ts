/**
 * Plivo Messaging (SMS/MMS and WhatsApp): V3 webhook signature (V2 when no V3 headers), inbound/status parsing,
 * sends. Field names: Plivo docs "Handling incoming messages", "Message Status Callbacks", "Send a message",
 * "Signature validation" (messaging V2, voice V3), "Error codes", "Destination number validation"; the signature
 * base strings follow plivo-python `plivo/utils/signature_v3.py` and `plivo/utils/__init__.py` and plivo-node
 * `lib/utils/v3Security.js`/`security.js` (whose V2 test vectors the tests reuse); the WhatsApp template shape
 * follows plivo-node `lib/utils/template.js`. Callback timestamps without a zone are read as UTC (Plivo does not
 * say which zone they are in).
 */
import { createHash } from 'node:crypto';
import { PayloadError, SignatureError } from '../errors';
import * as z from 'zod/mini';
import type {
  DeliveryStatus,
  HttpRequestSpec,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
  StatusEvent,
  WebhookRequest,
} from './types';
import {
  basicAuthHeader,
  encodeForm,
  hmacBase64,
  parseFormPairs,
  parseJson,
  pick,
  retryAfterMs,
  safeEqual,
  senderOf,
  str,
  textContent,
  toE164,
  toIso,
} from './util';

const credentialsSchema = z.object({
  authId: z.string().check(z.minLength(1)),
  authToken: z.string().check(z.minLength(1)),
});
export type PlivoCredentials = z.infer<typeof credentialsSchema>;

const STATUS = new Map<string, DeliveryStatus>([
  ['queued', 'queued'],
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['failed', 'failed'],
  ['undelivered', 'failed'],
  ['rejected', 'failed'],
]);

type Pairs = [string, string][];

/** scheme://host[:port]/path exactly as written, and the raw query string: the SDKs sign the URL as given. */
function splitUrl(url: string): { base: string; query: string } {
  const noFragment = url.split('#')[0] ?? '';
  const q = noFragment.indexOf('?');
  return q < 0 ? { base: noFragment, query: '' } : { base: noFragment.slice(0, q), query: noFragment.slice(q + 1) };
}

function grouped(pairs: Pairs): [string, string[]][] {
  const byName = new Map<string, string[]>();
  for (const [name, value] of pairs) byName.set(name, [...(byName.get(name) ?? []), value]);
  return [...byName.keys()].sort().map((name) => [name, (byName.get(name) ?? []).sort()]);
}

/**
 * The V3 signed string: base URL, `?` + the query parameters sorted as `k=v&k=v`, then for a POST with parameters
 * a `.` (only when there was a query) and every POST parameter sorted as `namevalue`; finally `.` + nonce.
 */
export function plivoV3Base(method: 'GET' | 'POST', url: string, postParams: Pairs): string {
  const { base, query } = splitUrl(url);
  const sortedQuery = grouped([...new URLSearchParams(query).entries()])
    .flatMap(([name, values]) => values.map((v) => `${name}=${v}`))
    .join('&');
  const post = method === 'POST' ? postParams : [];
  let out = base;
  if (sortedQuery || post.length > 0) out += `?${sortedQuery}`;
  if (sortedQuery && post.length > 0) out += '.';
  return (
    out +
    grouped(post)
      .map(([name, values]) => values.map((v) => name + v).join(''))
      .join('')
  );
}

/**
 * Both Plivo SDKs hash non-ASCII text double-encoded (UTF-8 bytes re-read as Latin-1, then UTF-8 again); which form
 * Plivo's signer uses is not documented, so either is accepted.
 */
function encodings(text: string): string[] {
  return /[^\x00-\x7f]/.test(text) ? [text, Buffer.from(text, 'utf8').toString('latin1')] : [text];
}

export function plivoV3Signature(authToken: string, base: string, nonce: string): string {
  return hmacBase64('sha256', authToken, `${base}.${nonce}`);
}

/** V2 signs scheme://host[:port]/path (no query), then the nonce. */
export function plivoV2Signature(authToken: string, urlWithoutQuery: string, nonce: string): string {
  return hmacBase64('sha256', authToken, urlWithoutQuery + nonce);
}

function headerSignatures(req: WebhookRequest, names: string[]): string[] {
  return names.flatMap((name) => (req.headers[name] ?? '').split(',').map((s) => s.trim())).filter(Boolean);
}

function anyMatch(expected: string[], received: string[]): boolean {
  return expected.flatMap((e) => received.map((r) => safeEqual(e, r))).includes(true);
}

function requestParams(req: WebhookRequest): Pairs {
  return req.method === 'GET' ? Object.entries(req.query) : parseFormPairs(req.rawBody);
}

/** Plivo writes `2022-09-14 10:18:39` (sometimes with an offset). */
function plivoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const iso = value.trim().replace(' ', 'T');
  return toIso(/T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(iso) ? `${iso}Z` : iso);
}

function fail(code: SendErrorCode, retryable: boolean, detail: string, retryAfter?: number): SendOutcome {
  return retryAfter === undefined
    ? { ok: false, code, retryable, detail }
    : { ok: false, code, retryable, retryAfterMs: retryAfter, detail };
}

function safeJson(body: string): unknown {
  try {
    return parseJson(body);
  } catch {
    return undefined;
  }
}

const digits = (phone: string) => phone.replace(/^\+/, '');

/** Signs like Plivo does today for messaging: V2 headers, plus V3 headers (the scheme Plivo documents for every callback). */
function signed(
  url: string,
  authToken: string,
  fields: Record<string, string | undefined>,
  seed: string,
): HttpRequestSpec {
  const body = encodeForm(fields);
  const nonce = BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`)
    .toString()
    .padStart(20, '0');
  const v3 = plivoV3Signature(authToken, plivoV3Base('POST', url, parseFormPairs(body)), nonce);
  const v2 = plivoV2Signature(authToken, splitUrl(url).base, nonce);
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-plivo-signature-v3': v3,
      'x-plivo-signature-v3-nonce': nonce,
      'x-plivo-signature-v2': v2,
      'x-plivo-signature-v2-nonce': nonce,
    },
    body,
  };
}

function utcStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export const plivoProvider: ProviderModule<PlivoCredentials> = {
  type: 'plivo',
  channels: ['sms', 'whatsapp'],
  sends: { sms: ['text', 'media'], whatsapp: ['text', 'media'] },
  credentials: credentialsSchema,
  secretFields: ['authToken'],
  defaultBaseUrl: 'https://api.plivo.com',
  // MMS media: `https://media.plivo.com/Account/{auth_id}/Media/{media_id}` (and the API host), with Basic auth.
  media: { hosts: ['media.plivo.com', 'api.plivo.com'], authorization: (c) => ({ authorization: basicAuthHeader(c.authId, c.authToken) }) },
  webhookAuthentication: () => 'signature',

  verify(req, credentials) {
    const token = credentials.authToken;
    // Ma-V3/Ma-V2 are signed with the main account's token: they match when the stored token is the main one.
    const v3 = headerSignatures(req, ['x-plivo-signature-v3', 'x-plivo-signature-ma-v3']);
    const v3Nonce = req.headers['x-plivo-signature-v3-nonce'];
    if (v3.length > 0 && v3Nonce) {
      const base = plivoV3Base(req.method, req.url, req.method === 'POST' ? parseFormPairs(req.rawBody) : []);
      if (
        !anyMatch(
          encodings(base).map((b) => plivoV3Signature(token, b, v3Nonce)),
          v3,
        )
      ) {
        throw new SignatureError('X-Plivo-Signature-V3 does not match');
      }
      return;
    }
    const v2 = headerSignatures(req, ['x-plivo-signature-v2', 'x-plivo-signature-ma-v2']);
    const v2Nonce = req.headers['x-plivo-signature-v2-nonce'];
    if (v2.length === 0 || !v2Nonce) throw new SignatureError('missing X-Plivo-Signature-V3 / -V2 headers');
    const expected = encodings(splitUrl(req.url).base).map((u) => plivoV2Signature(token, u, v2Nonce));
    if (!anyMatch(expected, v2)) throw new SignatureError('X-Plivo-Signature-V2 does not match');
  },

  parse(req) {
    const fields = new Map(requestParams(req));
    const id = fields.get('MessageUUID');
    if (!id) throw new PayloadError('MessageUUID is missing');
    const status = fields.get('Status');
    if (status !== undefined) {
      const mapped = STATUS.get(status.toLowerCase());
      if (!mapped) return [];
      const event: StatusEvent = { type: 'status', providerMessageId: id, status: mapped, providerStatus: status };
      const errorCode = fields.get('ErrorCode');
      // `000` is Plivo's "no error".
      if (mapped === 'failed' && errorCode && errorCode !== '000') event.errorCode = errorCode;
      const at = plivoTime(
        fields.get('DeliveryReportTime') ||
          fields.get('SentTime') ||
          fields.get('MessageTime') ||
          fields.get('QueuedTime'),
      );
      if (at) event.providerTimestamp = at;
      return [event];
    }
    const from = fields.get('From');
    if (!from) throw new PayloadError('From is missing');
    // Plivo's pages disagree on whether media count from Media0 or Media1: take every MediaN.
    const media = [...fields.keys()]
      .map((name) => /^Media(\d{1,3})$/.exec(name)?.[1])
      .filter((index): index is string => index !== undefined)
      .sort((a, b) => Number(a) - Number(b))
      .map((index) => ({ url: fields.get(`Media${index}`) ?? '' }))
      .filter((m) => m.url);
    const at = plivoTime(fields.get('MessageTime'));
    return [
      {
        type: 'message',
        providerMessageId: id,
        from: senderOf(from, 'From'),
        to: toE164(fields.get('To') ?? ''),
        // SMS carries `Text`; MMS and WhatsApp carry `Body`.
        ...textContent(fields.get('Text') ?? fields.get('Body') ?? '', media),
        ...(at ? { providerTimestamp: at } : {}),
      },
    ];
  },

  ack() {
    // An empty Plivo XML response: acknowledged, no automatic reply.
    return { statusCode: 200, headers: { 'content-type': 'application/xml' }, body: '<Response></Response>' };
  },

  buildSend(ctx, message) {
    const { credentials, account } = ctx;
    const whatsapp = account.channel === 'whatsapp';
    const media = message.media?.map((m) => m.url) ?? [];
    const content = message.template
      ? {
          type: 'whatsapp',
          template: {
            name: message.template.name,
            language: message.template.language,
            components: [
              { type: 'body', parameters: message.template.parameters.map((text) => ({ type: 'text', text })) },
            ],
          },
        }
      : {
          type: whatsapp ? 'whatsapp' : media.length > 0 ? 'mms' : 'sms',
          text: message.text,
          ...(media.length > 0 ? { media_urls: media } : {}),
        };
    // Plivo has no client-reference field on Message; the correlation id cannot travel with the send.
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/v1/Account/${encodeURIComponent(credentials.authId)}/Message/`,
      headers: {
        authorization: basicAuthHeader(credentials.authId, credentials.authToken),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        src: digits(account.phone),
        dst: digits(message.to),
        ...content,
        url: message.statusCallbackUrl,
        method: 'POST',
      }),
    };
  },

  parseSendResponse(res) {
    const body = safeJson(res.body);
    if (res.status >= 200 && res.status < 300) {
      const id = str(pick(body, 'message_uuid', 0));
      return id
        ? { ok: true, providerMessageId: id }
        : fail('PROVIDER_ERROR', false, 'the response carries no message_uuid');
    }
    const error =
      str(pick(body, 'error')) ??
      (pick(body, 'error') === undefined ? res.body.slice(0, 200) : JSON.stringify(pick(body, 'error')));
    const detail = `HTTP ${res.status}: ${error}`;
    if (res.status === 429) return fail('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    if (res.status >= 500) return fail('PROVIDER_UNAVAILABLE', true, detail);
    if (res.status === 401 || res.status === 403) return fail('AUTH_FAILED', false, detail);
    // "19332631167 is not a valid phone number", "... is not an MMS enabled phone number"
    if (/is not (a valid|an? \w+ enabled) phone number/i.test(error)) return fail('INVALID_NUMBER', false, detail);
    return fail(res.status >= 400 && res.status < 500 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR', false, detail);
  },

  simulateInbound(input, credentials, account) {
    const media = input.media ?? [];
    const type = account.channel === 'whatsapp' ? 'whatsapp' : media.length > 0 ? 'mms' : 'sms';
    const fields: Record<string, string> = {
      From: digits(input.from),
      To: digits(input.to),
      Type: type,
      [type === 'sms' ? 'Text' : 'Body']: input.text,
      MessageUUID: input.providerMessageId,
      Units: '1',
      TotalRate: '0.00000',
      TotalAmount: '0.00000',
      MessageIntent: '',
      PowerpackUUID: '',
    };
    if (media.length > 0) fields.MediaCount = String(media.length);
    media.forEach((m, i) => (fields[`Media${i}`] = m.url));
    return signed(input.url, credentials.authToken, fields, `${input.providerMessageId}:${input.timestampMs}`);
  },

  simulateStatus(input, credentials, account) {
    const stamp = utcStamp(input.timestampMs);
    // Our status words are Plivo's own words.
    const fields: Record<string, string | undefined> = {
      MessageUUID: input.providerMessageId,
      From: digits(account.phone),
      Type: account.channel === 'whatsapp' ? 'whatsapp' : 'sms',
      Status: input.status,
      ErrorCode: input.status === 'failed' ? (input.errorCode ?? '1000') : '000',
      Units: '1',
      TotalRate: '0.00500',
      TotalAmount: '0.00500',
      Sequence: '1',
      MessageTime: stamp,
      QueuedTime: stamp,
      SentTime: input.status === 'queued' ? undefined : stamp,
      DeliveryReportTime:
        input.status === 'delivered' || input.status === 'read' || input.status === 'failed' ? stamp : undefined,
    };
    return signed(
      input.url,
      credentials.authToken,
      fields,
      `${input.providerMessageId}:${input.status}:${input.timestampMs}`,
    );
  },
};
