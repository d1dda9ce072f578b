/**
 * Skebby (Italy), the legacy SMS gateway XCALLY Motion offers as "Skebby" with Method Basic / Classic / Classic+.
 * Field names come from Skebby's own material and SDKs (read through the search tool):
 * - send: skebby.com "Documentation" (developers-docs) and skebby/skebby-gateway-examples `Send SMS/PHP/HTTP_example.php`
 *   (http.php, `method`, `username`, `password`, `recipients[]`, `text`, `sender_number` | `sender_string`,
 *   `user_reference`, `charset`); the reply is URL-encoded `status=success&remaining_sms=…&id=…` or
 *   `status=failed&code=…&message=…` (welaika/skuby `spec/fixtures/vcr_cassettes/*.yml`, `lib/skuby/sms_response.rb`);
 *   error codes from fazland/skebby-rest-client `lib/Constant/ResponseCodes.php`.
 * - inbound ("Forward SMS on URL"): POST form `sender`, `receiver`, `text`, `encoding`, `date`, `time`, `timestamp`,
 *   `smsType` (skebby-gateway-examples `Receive-SMS/PHP/HTTP_example.php`). There is no message id, so the id is a
 *   SHA-256 of sender, receiver, timestamp and text: a redelivery of the same SMS dedupes.
 * - Classic+ delivery report: `method=notify`, `skebby_dispatch_id` (= the `id` of the send reply), `skebby_message_id`,
 *   `recipient`, `status` (DELIVERED | EXPIRED | DELETED | UNDELIVERABLE | UNKNOWN | REJECTD), `error_code`,
 *   `user_reference`, `skebby_date_time`, `operator_date_time` (skuby `spec/fixtures/skebby_report/*.yaml`,
 *   `lib/skuby/report.rb`; AcySMS's Skebby gateway; LAMPSchool reads them from the query string, so GET is accepted).
 * Skebby signs nothing. The proxy token in the URL is checked before this code runs; an admin may also put basic-auth
 * credentials in the forward URL (`https://user:pass@host/…`) and set `webhookUsername`/`webhookPassword` here.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PayloadError, ValidationError } from '../errors';
import * as z from 'zod/mini';
import type {
  DeliveryStatus,
  HttpRequestSpec,
  NormalisedEvent,
  ProviderModule,
  SendOutcome,
  WebhookRequest,
} from './types';
import {
  basicAuthHeader,
  encodeForm,
  parseForm,
  requireBasicAuth,
  retryAfterMs,
  senderOf,
  textContent,
  toE164,
  toIso,
} from './util';

const nonEmpty = () => z.string().check(z.minLength(1));

const credentials = z.object({
  /** XCALLY's "Method": basic -> send_sms_basic, classic -> send_sms_classic, classic_plus -> send_sms_classic_report. */
  method: z._default(z.enum(['basic', 'classic', 'classic_plus']), 'classic'),
  username: nonEmpty(),
  password: nonEmpty(),
  /** Alphanumeric sender (≤ 11 chars, registered with Skebby); otherwise the account's number is the sender. */
  senderString: z.optional(nonEmpty()),
  webhookUsername: z.optional(nonEmpty()),
  webhookPassword: z.optional(nonEmpty()),
});
export type SkebbyCredentials = z.infer<typeof credentials>;

const SEND_METHOD = {
  basic: 'send_sms_basic',
  classic: 'send_sms_classic',
  classic_plus: 'send_sms_classic_report',
} as const;

/** Delivery report words; only Classic+ sends reports, and only final ones. `REJECTD` is Skebby's own spelling. */
const REPORT_STATUS: Record<string, DeliveryStatus> = {
  DELIVERED: 'delivered',
  EXPIRED: 'failed',
  DELETED: 'failed',
  UNDELIVERABLE: 'failed',
  UNKNOWN: 'failed',
  REJECTD: 'failed',
  REJECTED: 'failed',
};

/** Delivery report `error_code` meanings (AcySMS's Skebby gateway, English). */
const REPORT_ERRORS: Record<string, string> = {
  '101': 'generic operator malfunction',
  '201': 'operator network malfunction',
  '202': 'message rejected by the operator',
  '203': 'recipient unreachable (roaming)',
  '301': 'invalid recipient (nonexistent, ported or not enabled)',
  '302': 'wrong number',
  '303': 'SMS service not enabled',
  '304': 'text identified as spam',
  '401': 'message expired (phone off or unreachable)',
  '501': 'phone does not support SMS',
  '502': 'phone memory full',
  '901': 'mapping error',
  '902': 'service temporarily unavailable',
  '903': 'no operator available',
  '904': 'message without text',
  '905': 'invalid recipient',
  '906': 'duplicated recipients',
  '907': 'message filled in incorrectly',
  '909': 'invalid user_reference',
  '910': 'text too long',
};

/** Fields from the body, falling back to the query string: reports may arrive as GET. */
function fields(req: WebhookRequest): Record<string, string> {
  return { ...req.query, ...parseForm(req.rawBody) };
}

/** Skebby's `encoding` may say the text is Latin-1; URLSearchParams always decodes percent-escapes as UTF-8. */
function latin1Field(raw: Buffer, name: string): string | undefined {
  for (const part of raw.toString('latin1').split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (key !== name) continue;
    const value = (eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' ');
    // Each byte is its own Latin-1 code point.
    return value.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return undefined;
}

export function inboundId(sender: string, receiver: string, timestamp: string, text: string): string {
  return createHash('sha256')
    .update(JSON.stringify([sender, receiver, timestamp, text]))
    .digest('hex');
}

/** `user_reference` allows 20 chars of [a-zA-Z0-9-_+:;]; longer ids are hashed (base64url stays in that set). */
export function userReference(correlationId: string): string {
  if (/^[A-Za-z0-9\-_+:;]{1,20}$/.test(correlationId)) return correlationId;
  return createHash('sha256').update(correlationId).digest('base64url').slice(0, 20);
}

const own = <T>(map: Record<string, T>, key: string): T | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);
const digits = (phone: string) => phone.replace(/^\+/, '');

function parseInbound(req: WebhookRequest, f: Record<string, string>, phone: string): NormalisedEvent[] {
  const sender = f['sender'];
  if (!sender) throw new PayloadError('inbound SMS without sender');
  const receiver = f['receiver'] ?? '';
  const rawText = f['text'] ?? '';
  const text = /8859|latin/i.test(f['encoding'] ?? '') ? (latin1Field(req.rawBody, 'text') ?? rawText) : rawText;
  const when = f['timestamp'] || [f['date'], f['time']].filter(Boolean).join(' ');
  const providerTimestamp = toIso(when);
  return [
    {
      type: 'message',
      providerMessageId: inboundId(sender, receiver, when, rawText),
      from: senderOf(sender, 'sender'),
      to: receiver ? toE164(receiver) : phone,
      ...textContent(text),
      ...(providerTimestamp && { providerTimestamp }),
    },
  ];
}

function parseReport(f: Record<string, string>): NormalisedEvent[] {
  const id = f['skebby_dispatch_id'];
  if (!id) throw new PayloadError('delivery report without skebby_dispatch_id');
  const word = (f['status'] ?? '').toUpperCase();
  const status = own(REPORT_STATUS, word);
  if (!status) return [];
  const code = status === 'failed' ? f['error_code'] || undefined : undefined;
  const errorMessage =
    status === 'failed' ? f['error_message'] || (code && own(REPORT_ERRORS, code)) || undefined : undefined;
  const providerTimestamp = toIso(f['operator_date_time']) ?? toIso(f['skebby_date_time']);
  // buildSend's `user_reference`, in the form it was sent (`userReference`: a long id travels hashed).
  const correlationId = f['user_reference'] || undefined;
  return [
    {
      type: 'status',
      providerMessageId: id,
      status,
      providerStatus: word,
      ...(code && { errorCode: code }),
      ...(errorMessage && { errorMessage }),
      ...(providerTimestamp && { providerTimestamp }),
      ...(correlationId && { correlationId }),
    },
  ];
}

function sendError(code: string | undefined, message: string | undefined): SendOutcome {
  const detail = `skebby error ${code ?? '?'}: ${message ?? 'no message'}`;
  switch (code) {
    case '21': // username or password not valid
    case '29': // account not enabled for the gateway
      return { ok: false, code: 'AUTH_FAILED', retryable: false, detail };
    case '25': // recipient not valid
      return { ok: false, code: 'INVALID_NUMBER', retryable: false, detail };
    case '30':
      return { ok: false, code: 'INSUFFICIENT_FUNDS', retryable: false, detail };
    case undefined:
    case '10': // generic; Skebby says its errors are blocking, do not retry
      return { ok: false, code: 'PROVIDER_ERROR', retryable: false, detail };
    default: // 11-41: malformed parameters, sender, text, charset, user_reference
      return { ok: false, code: 'INVALID_REQUEST', retryable: false, detail };
  }
}

function formRequest(url: string, body: Record<string, string | undefined>, c: SkebbyCredentials): HttpRequestSpec {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (c.webhookUsername && c.webhookPassword)
    headers['authorization'] = basicAuthHeader(c.webhookUsername, c.webhookPassword);
  return { method: 'POST', url, headers, body: encodeForm(body) };
}

export const skebbyProvider: ProviderModule<SkebbyCredentials> = {
  type: 'skebby',
  channels: ['sms'],
  sends: { sms: ['text', 'media'] },
  credentials,
  secretFields: ['password', 'webhookPassword'],
  defaultBaseUrl: 'https://gateway.skebby.it',
  // Inbound is SMS only (no media): no host receives credentials.
  media: { hosts: [] },
  // Skebby signs nothing: the credentials in the forward URL are the only proof a post came from Skebby.
  webhookAuthentication: (c) => (c.webhookUsername || c.webhookPassword ? 'basic' : 'none'),
  webhookAuthFields: ['webhookUsername', 'webhookPassword'],

  verify(req, c) {
    // Half-configured credentials fail closed rather than silently accepting everything.
    if (c.webhookUsername || c.webhookPassword)
      requireBasicAuth(req.headers, c.webhookUsername ?? '', c.webhookPassword ?? '');
  },

  parse(req, account) {
    const f = fields(req);
    // One URL receives both kinds: a report names its dispatch, an inbound SMS its sender.
    if ('skebby_dispatch_id' in f || f['method'] === 'notify') return parseReport(f);
    if ('sender' in f || 'receiver' in f) return parseInbound(req, f, account.phone);
    throw new PayloadError(
      'neither an inbound SMS (sender, receiver, text) nor a delivery report (skebby_dispatch_id, status)',
    );
  },

  ack: () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: '' }),

  buildSend(ctx, message) {
    const c = ctx.credentials;
    // SMS only: media travels as links in the text.
    const text = [message.text, ...(message.media ?? []).map((m) => m.url)].filter(Boolean).join('\n');
    // Basic routes use Skebby's shared sender, so only Classic and Classic+ name one.
    const sender =
      c.method === 'basic'
        ? {}
        : c.senderString
          ? { sender_string: c.senderString }
          : { sender_number: digits(ctx.account.phone) };
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/api/send/smseasy/advanced/http.php`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm({
        method: SEND_METHOD[c.method],
        username: c.username,
        password: c.password,
        'recipients[]': digits(message.to),
        text,
        ...sender,
        user_reference: userReference(message.correlationId),
        charset: 'UTF-8',
      }),
    };
  },

  parseSendResponse(res) {
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers);
      return {
        ok: false,
        code: 'RATE_LIMITED',
        retryable: true,
        ...(wait !== undefined && { retryAfterMs: wait }),
        detail: 'HTTP 429',
      };
    }
    if (res.status >= 500)
      return { ok: false, code: 'PROVIDER_UNAVAILABLE', retryable: true, detail: `HTTP ${res.status}` };
    if (res.status === 401 || res.status === 403)
      return { ok: false, code: 'AUTH_FAILED', retryable: false, detail: `HTTP ${res.status}` };
    if (res.status < 200 || res.status >= 300)
      return { ok: false, code: 'INVALID_REQUEST', retryable: false, detail: `HTTP ${res.status}` };
    const f = parseForm(res.body.trim());
    if (f['status'] === 'success') {
      // Only Classic+ replies with an id (the dispatch its report will name); Basic and Classic never report back,
      // so any unique id will do for them.
      return { ok: true, providerMessageId: f['id'] || `skebby-${randomUUID()}` };
    }
    if (f['status'] === 'failed') return sendError(f['code'], f['message']);
    return {
      ok: false,
      code: 'PROVIDER_ERROR',
      retryable: false,
      detail: `unexpected reply: ${res.body.slice(0, 200)}`,
    };
  },

  /** Skebby sends no id for inbound SMS: `providerMessageId` is ignored, the parsed id is the content hash. */
  simulateInbound(input, c) {
    const at = new Date(input.timestampMs).toISOString();
    return formRequest(
      input.url,
      {
        sender: digits(input.from),
        receiver: digits(input.to),
        text: input.text,
        encoding: 'UTF-8',
        date: at.slice(0, 10),
        time: at.slice(11, 19),
        timestamp: String(Math.floor(input.timestampMs / 1000)),
      },
      c,
    );
  },

  /** Skebby reports only final states, so only `delivered` and `failed` can be simulated. */
  simulateStatus(input, c) {
    if (input.status !== 'delivered' && input.status !== 'failed') {
      throw new ValidationError(`Skebby sends no '${input.status}' report; simulate delivered or failed`, [
        { path: 'status', message: 'delivered or failed' },
      ]);
    }
    const at = new Date(input.timestampMs).toUTCString().replace('GMT', '+0000');
    return formRequest(
      input.url,
      {
        method: 'notify',
        skebby_dispatch_id: input.providerMessageId,
        skebby_message_id: input.providerMessageId,
        status: input.status === 'delivered' ? 'DELIVERED' : 'UNDELIVERABLE',
        error_code: input.status === 'delivered' ? '1' : (input.errorCode ?? '301'),
        user_reference: input.correlationId,
        skebby_date_time: at,
        operator_date_time: at,
      },
      c,
    );
  },
};
