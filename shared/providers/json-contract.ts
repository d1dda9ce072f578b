/**
 * The JSON contract of the SMS account types with no public API documentation (Connectel, CSC Telecom): XCALLY Motion
 * offers them with one credential and a base URL, but no specification of their SMS API, webhooks or signatures
 * could be found (provider docs, public code, issue trackers and web pages were searched). This is a plain JSON
 * contract the provider, or a small bridge in front of it, must implement; a provider module built from it is
 * replaced once the vendor documents its API.
 *
 * Inbound (POST, JSON): a message `{id, from, to, text, timestamp?, media?: [{url, contentType?}]}` or a status
 * `{id, status, error?: {code?, message?}, timestamp?}`, told apart by shape; a single object or an array.
 * Signature: optional. With `webhookSecret` set, requests must carry `X-Signature-Timestamp` (Unix seconds) and
 * `X-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`, within 300 s.
 * Send: `POST {baseUrl}/messages`, `Authorization: Bearer <credential>`, `Idempotency-Key: <our correlation id>`,
 * body `{from, to, text, media?, reference, statusCallbackUrl}`; answer `{id}`; errors `{error: {code, message}}`
 * where `code` is one of our SendErrorCode words.
 * What the operator configures at the provider: the inbound webhook URL (the account's receive URL), status
 * callbacks to the `statusCallbackUrl` sent with each message (or the receive URL + `/status`), the base URL and the
 * credential, and optionally the webhook secret.
 */
import { PayloadError, SignatureError } from '../errors';
import * as z from 'zod/mini';
import {
  SEND_ERROR_CODES,
  type DeliveryStatus,
  type HttpRequestSpec,
  type MediaRef,
  type NormalisedEvent,
  type ProviderModule,
  type SendErrorCode,
  type SendOutcome,
  type WebhookRequest,
} from './types';
import { hmacHex, parseJson, pick, retryAfterMs, safeEqual, senderOf, str, textContent, toE164, toIso } from './util';

const nonEmpty = () => z.string().check(z.minLength(1));

/** Credentials of a JSON-contract provider: its one credential (named as the product names it) and its base URL. */
export type JsonContractCredentials<K extends string> = Record<K, string> & { baseUrl: string; webhookSecret?: string };

export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-signature-timestamp';
const TOLERANCE_S = 300;

const STATUSES: readonly DeliveryStatus[] = ['queued', 'sent', 'delivered', 'read', 'failed'];

function signature(secret: string, timestamp: string, rawBody: Buffer): string {
  return `sha256=${hmacHex('sha256', secret, Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]))}`;
}

function optionalString(item: object, field: string, where: string): string | undefined {
  const value = pick(item, field);
  if (value === undefined || value === null) return undefined;
  const s = str(value);
  if (s === undefined) throw new PayloadError(`${where}.${field} must be a string`);
  return s;
}

function media(item: object, where: string): MediaRef[] {
  const list = pick(item, 'media');
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new PayloadError(`${where}.media must be an array`);
  return list.map((m: unknown, i) => {
    const url = typeof m === 'object' && m !== null ? str(pick(m, 'url')) : undefined;
    if (!url) throw new PayloadError(`${where}.media[${i}].url is missing`);
    const contentType = str(pick(m, 'contentType'));
    return { url, ...(contentType && { contentType }) };
  });
}

function toEvents(item: unknown, where: string, phone: string): NormalisedEvent[] {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw new PayloadError(`${where} must be a JSON object`);
  const id = optionalString(item, 'id', where);
  const providerTimestamp = toIso(str(pick(item, 'timestamp')));
  if (pick(item, 'from') !== undefined) {
    const from = optionalString(item, 'from', where);
    if (!id) throw new PayloadError(`${where}.id is missing`);
    if (!from) throw new PayloadError(`${where}.from is missing`);
    const to = optionalString(item, 'to', where);
    return [
      {
        type: 'message',
        providerMessageId: id,
        from: senderOf(from, `${where}.from`),
        to: to ? toE164(to) : phone,
        ...textContent(optionalString(item, 'text', where) ?? '', media(item, where)),
        ...(providerTimestamp && { providerTimestamp }),
      },
    ];
  }
  if (pick(item, 'status') !== undefined) {
    if (!id) throw new PayloadError(`${where}.id is missing`);
    const word = optionalString(item, 'status', where) ?? '';
    const status = STATUSES.find((s) => s === word.toLowerCase());
    if (!status) return []; // a state outside the contract (e.g. a vendor extension) is not ours to interpret
    const error = pick(item, 'error');
    const errorCode = str(pick(error, 'code'));
    const errorMessage = typeof error === 'string' ? error : str(pick(error, 'message'));
    return [
      {
        type: 'status',
        providerMessageId: id,
        status,
        providerStatus: word,
        ...(errorCode && { errorCode }),
        ...(errorMessage && { errorMessage }),
        ...(providerTimestamp && { providerTimestamp }),
      },
    ];
  }
  throw new PayloadError(`${where} is neither a message (id, from, to, text) nor a status (id, status)`);
}

function jsonRequest(url: string, body: unknown, secret: string | undefined, timestampMs: number): HttpRequestSpec {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret) {
    const ts = String(Math.floor(timestampMs / 1000));
    headers[TIMESTAMP_HEADER] = ts;
    headers[SIGNATURE_HEADER] = signature(secret, ts, Buffer.from(raw));
  }
  return { method: 'POST', url, headers, body: raw };
}

function failure(status: number, code: SendErrorCode, detail: string, headers: Record<string, string>): SendOutcome {
  const retryable = code === 'RATE_LIMITED' || code === 'PROVIDER_UNAVAILABLE';
  const wait = code === 'RATE_LIMITED' ? retryAfterMs(headers) : undefined;
  return {
    ok: false,
    code,
    retryable,
    ...(wait !== undefined && { retryAfterMs: wait }),
    detail: `HTTP ${status}: ${detail}`,
  };
}

/**
 * A provider module speaking the contract above. `credentialField` is the credential's name in the account
 * (Connectel: authToken; CSC Telecom: apiKey).
 */
export function jsonContractProvider<K extends string>(
  type: 'connectel' | 'csctelecom',
  credentialField: K,
): ProviderModule<JsonContractCredentials<K>> {
  const credentials = z.object({
    [credentialField]: nonEmpty(),
    /** The provider's API root for this customer; there is no public default. */
    baseUrl: z.httpUrl(),
    webhookSecret: z.optional(nonEmpty()),
  }) as unknown as z.ZodMiniType<JsonContractCredentials<K>>;
  return {
    type,
    channels: ['sms'],
    sends: { sms: ['text', 'media'] },
    credentials,
    secretFields: [credentialField, 'webhookSecret'],
    // No public default: `baseUrl` is a required credential, used when no override is configured.
    defaultBaseUrl: '',
    // Media links of the JSON contract are the provider's own public links: fetched without credentials.
    media: { hosts: [] },
    webhookAuthentication: (c) => (c.webhookSecret ? 'signature' : 'none'),
    webhookAuthFields: ['webhookSecret'],

    verify(req: WebhookRequest, c, _account, nowMs) {
      if (!c.webhookSecret) return;
      const ts = req.headers[TIMESTAMP_HEADER];
      const sig = req.headers[SIGNATURE_HEADER];
      if (!ts || !sig) throw new SignatureError(`missing ${SIGNATURE_HEADER} or ${TIMESTAMP_HEADER}`);
      if (!/^\d{1,12}$/.test(ts) || Math.abs(nowMs / 1000 - Number(ts)) > TOLERANCE_S)
        throw new SignatureError('stale or invalid signature timestamp');
      if (!safeEqual(sig, signature(c.webhookSecret, ts, req.rawBody)))
        throw new SignatureError('signature does not match');
    },

    parse(req, account) {
      const body = parseJson(req.rawBody);
      return Array.isArray(body)
        ? body.flatMap((item, i) => toEvents(item, `body[${i}]`, account.phone))
        : toEvents(body, 'body', account.phone);
    },

    ack: () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' }),

    buildSend(ctx, message) {
      const base = (ctx.baseUrl || ctx.credentials.baseUrl).replace(/\/+$/, '');
      const media = message.media?.map((m) => ({ url: m.url, ...(m.contentType && { contentType: m.contentType }) }));
      return {
        method: 'POST',
        url: `${base}/messages`,
        headers: {
          authorization: `Bearer ${ctx.credentials[credentialField]}`,
          'content-type': 'application/json',
          'idempotency-key': message.correlationId,
        },
        body: JSON.stringify({
          from: ctx.account.phone,
          to: message.to,
          text: message.text ?? '',
          ...(media?.length && { media }),
          reference: message.correlationId,
          statusCallbackUrl: message.statusCallbackUrl,
        }),
      };
    },

    parseSendResponse(res) {
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        body = undefined;
      }
      const errCode = str(pick(body, 'error', 'code'));
      const detail = str(pick(body, 'error', 'message')) ?? errCode ?? res.body.slice(0, 200);
      const named = SEND_ERROR_CODES.find((c) => c === errCode);
      if (res.status === 429) return failure(res.status, 'RATE_LIMITED', detail, res.headers);
      if (res.status >= 500) return failure(res.status, 'PROVIDER_UNAVAILABLE', detail, res.headers);
      if (res.status === 401 || res.status === 403) return failure(res.status, 'AUTH_FAILED', detail, res.headers);
      if (res.status >= 400) return failure(res.status, named ?? 'INVALID_REQUEST', detail, res.headers);
      const id = str(pick(body, 'id'));
      if (res.status >= 200 && res.status < 300 && id) return { ok: true, providerMessageId: id };
      return failure(res.status, named ?? 'PROVIDER_ERROR', `no message id in the reply: ${detail}`, res.headers);
    },

    /** Signed with the account's `webhookSecret` when it has one, exactly as the contract above asks of the provider. */
    simulateInbound(input, c) {
      const body = {
        id: input.providerMessageId,
        from: input.from,
        to: input.to,
        text: input.text,
        timestamp: new Date(input.timestampMs).toISOString(),
        ...(input.media?.length && {
          media: input.media.map((m) => ({ url: m.url, ...(m.contentType && { contentType: m.contentType }) })),
        }),
      };
      return jsonRequest(input.url, body, c.webhookSecret, input.timestampMs);
    },

    simulateStatus(input, c) {
      const body = {
        id: input.providerMessageId,
        status: input.status,
        ...(input.errorCode && { error: { code: input.errorCode } }),
        timestamp: new Date(input.timestampMs).toISOString(),
      };
      return jsonRequest(input.url, body, c.webhookSecret, input.timestampMs);
    },
  };
}
