/**
 * Twilio Programmable Messaging (SMS and WhatsApp): webhook signature, inbound/status parsing, sends.
 * Field names: Twilio "webhook request" and "Secure webhooks" docs, twilio-node `src/webhooks/webhooks.ts`
 * (signature algorithm, port variants, bodySHA256), the Message resource docs, Chatwoot's Twilio services
 * (status callback fields). Signature test vectors come from twilio-php `RequestValidatorTest`.
 */
import { createHash } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { rawOf, type ContentPart, type MediaPart } from '../domain/content';
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
import { TWILIO_CODES } from './error-codes';
import {
  basicAuthHeader,
  content,
  encodeForm,
  hmacBase64,
  parseFormPairs,
  parseJson,
  pick,
  retryAfterMs,
  safeEqual,
  senderOf,
  str,
  toE164,
} from './util';

const credentialsSchema = z.object({
  accountSid: z.string().check(z.minLength(1)),
  authToken: z.string().check(z.minLength(1)),
  /** Sends from the Messaging Service instead of the account's number when set. */
  messagingServiceSid: z.optional(z.string().check(z.minLength(1))),
});
export type TwilioCredentials = z.infer<typeof credentialsSchema>;

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Twilio's words -> ours. `receiving`/`received` belong to inbound messages and are not delivery statuses. */
const STATUS = new Map<string, DeliveryStatus>([
  ['accepted', 'queued'],
  ['scheduled', 'queued'],
  ['queued', 'queued'],
  ['sending', 'queued'],
  ['sent', 'sent'],
  // Only part of the message reached the handset: not delivered, not failed either.
  ['partially_delivered', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['undelivered', 'failed'],
  ['failed', 'failed'],
  ['canceled', 'failed'],
]);
const INBOUND_STATUSES = new Set(['receiving', 'received']);

type Pairs = [string, string][];

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/**
 * twilio-node checks the URL with and without an explicit port, each also with its query re-encoded by Node's
 * legacy `querystring` (a `'` in the query signed as is, where WHATWG URL parsing writes `%27`): Twilio's own signer
 * is inconsistent about both. The URL exactly as received comes first.
 */
function urlVariants(raw: string, url: URL): string[] {
  const withoutPort = new URL(url.href);
  withoutPort.port = '';
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const port = url.protocol === 'https:' ? '443' : '80';
  const withPort = url.port
    ? url.href
    : `${url.protocol}//${auth}${url.host}:${port}${url.pathname}${url.search}${url.hash}`;
  const portForms = [withoutPort.href, withPort];
  return [...new Set([raw, ...portForms, ...portForms.map(withLegacyQuery)])];
}

function withLegacyQuery(href: string): string {
  const at = href.indexOf('?');
  if (at === -1 || at === href.length - 1) return href;
  const hash = href.indexOf('#', at);
  const query = hash === -1 ? href.slice(at + 1) : href.slice(at + 1, hash);
  return `${href.slice(0, at)}?${stringifyQuery(parseQuery(query))}${hash === -1 ? '' : href.slice(hash)}`;
}

/** URL, then each parameter name (sorted) followed by its value; a repeated name contributes each distinct value, sorted. */
export function twilioSignature(authToken: string, url: string, params: Pairs): string {
  const byName = new Map<string, Set<string>>();
  for (const [name, value] of params) byName.set(name, (byName.get(name) ?? new Set()).add(value));
  let data = url;
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...(byName.get(name) ?? [])].sort()) data += name + value;
  }
  return hmacBase64('sha1', authToken, data);
}

/** `MediaUrlN` / `MediaContentTypeN` in index order. */
function mediaParts(fields: Map<string, string>): MediaPart[] {
  return [...fields.keys()]
    .map((name) => /^MediaUrl(\d{1,3})$/.exec(name)?.[1])
    .filter((index): index is string => index !== undefined)
    .sort((a, b) => Number(a) - Number(b))
    .map((index) => {
      const contentType = fields.get(`MediaContentType${index}`);
      return { type: 'media', url: fields.get(`MediaUrl${index}`) ?? '', ...(contentType ? { contentType } : {}) };
    });
}

/**
 * The content of an inbound message: WhatsApp locations (`Latitude`, `Longitude`, `Address`, `Label`, with an empty
 * `Body`), quick-reply buttons (`ButtonText`, `ButtonPayload`), list replies (`ListId`, `ListTitle`), then the body
 * and any media. A `MessageType` with none of the fields we know is kept as unsupported rather than lost.
 */
function inboundParts(fields: Map<string, string>): ContentPart[] {
  const parts: ContentPart[] = [];
  const lat = Number(fields.get('Latitude'));
  const lng = Number(fields.get('Longitude'));
  if (
    fields.has('Latitude') &&
    fields.has('Longitude') &&
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lng) <= 180
  ) {
    const name = fields.get('Label');
    const address = fields.get('Address');
    parts.push({
      type: 'location',
      latitude: lat,
      longitude: lng,
      ...(name ? { name } : {}),
      ...(address ? { address } : {}),
    });
  }
  const button = fields.get('ButtonPayload') ?? fields.get('ButtonText');
  if (button !== undefined && button !== '') {
    const title = fields.get('ButtonText');
    parts.push({ type: 'interactive_reply', kind: 'button', id: button, ...(title ? { title } : {}) });
  }
  const listId = fields.get('ListId');
  if (listId) {
    const title = fields.get('ListTitle');
    parts.push({ type: 'interactive_reply', kind: 'list', id: listId, ...(title ? { title } : {}) });
  }
  const body = fields.get('Body') ?? '';
  // A button reply repeats its text as the Body: once is enough.
  if (body && !(parts.length > 0 && parts.some((p) => p.type === 'interactive_reply' && p.title === body)))
    parts.push({ type: 'text', text: body });
  parts.push(...mediaParts(fields));
  const messageType = fields.get('MessageType');
  if (parts.length === 0 && messageType && messageType !== 'text') {
    parts.push({ type: 'unsupported', providerType: messageType, raw: rawOf(Object.fromEntries(fields)) });
  }
  return parts;
}

function requestParams(req: WebhookRequest): Pairs {
  return req.method === 'GET' ? Object.entries(req.query) : parseFormPairs(req.rawBody);
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

function signed(
  url: string,
  authToken: string,
  fields: Record<string, string | string[] | undefined>,
): HttpRequestSpec {
  const body = encodeForm(fields);
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, url, parseFormPairs(body)),
    },
    body,
  };
}

export const twilioProvider: ProviderModule<TwilioCredentials> = {
  type: 'twilio',
  channels: ['sms', 'whatsapp'],
  // WhatsApp locations go out as a PersistentAction; buttons and lists need Content API templates.
  sends: { sms: ['text', 'media'], whatsapp: ['text', 'media', 'location'] },
  credentials: credentialsSchema,
  secretFields: ['authToken'],
  defaultBaseUrl: 'https://api.twilio.com',
  // Media URLs are on api.twilio.com (`/2010-04-01/Accounts/{sid}/Messages/{sid}/Media/{sid}`), fetched with the
  // account's Basic credentials; Twilio redirects them to short-lived links on its media CDN (mms.twiliocdn.com).
  media: { hosts: ['api.twilio.com', '*.twiliocdn.com'], authorization: (c) => ({ authorization: basicAuthHeader(c.accountSid, c.authToken) }) },
  webhookAuthentication: () => 'signature',

  verify(req, credentials) {
    const signature = req.headers['x-twilio-signature'];
    if (!signature) throw new SignatureError('missing X-Twilio-Signature header');
    const url = parseUrl(req.url);
    if (!url) throw new SignatureError('the webhook URL cannot be parsed');
    // JSON-bodied webhooks: the URL carries the body's SHA-256 and is signed with no parameters.
    const bodyHash = url.searchParams.get('bodySHA256');
    if (bodyHash !== null && !safeEqual(createHash('sha256').update(req.rawBody).digest('hex'), bodyHash)) {
      throw new SignatureError('bodySHA256 does not match the body');
    }
    const params = bodyHash === null && req.method === 'POST' ? parseFormPairs(req.rawBody) : [];
    const matches = urlVariants(req.url, url).map((u) =>
      safeEqual(twilioSignature(credentials.authToken, u, params), signature),
    );
    if (!matches.includes(true)) throw new SignatureError('X-Twilio-Signature does not match');
  },

  parse(req) {
    const fields = new Map(requestParams(req));
    const sid = fields.get('MessageSid') || fields.get('SmsSid');
    if (!sid) throw new PayloadError('MessageSid is missing');
    const status = fields.get('MessageStatus');
    if (status && !INBOUND_STATUSES.has(status)) {
      const mapped = STATUS.get(status);
      if (!mapped) return [];
      const event: StatusEvent = { type: 'status', providerMessageId: sid, status: mapped, providerStatus: status };
      if (mapped === 'failed') {
        const errorCode = fields.get('ErrorCode');
        const errorMessage = fields.get('ErrorMessage') || fields.get('ChannelStatusMessage');
        if (errorCode) event.errorCode = errorCode;
        if (errorMessage) event.errorMessage = errorMessage;
      }
      return [event];
    }
    const from = senderOf(fields.get('From'), 'From');
    const profileName = fields.get('ProfileName');
    const replyTo = fields.get('OriginalRepliedMessageSid');
    // Twilio sends no timestamp with inbound messages: arrival time is the only clock.
    return [
      {
        type: 'message',
        providerMessageId: sid,
        from,
        to: toE164(fields.get('To') ?? ''),
        ...content(inboundParts(fields)),
        ...(replyTo ? { replyTo } : {}),
        ...(profileName ? { profileName } : {}),
      },
    ];
  },

  ack() {
    return { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: EMPTY_TWIML };
  },

  buildSend(ctx, message) {
    const { credentials, account } = ctx;
    const address = (phone: string) => (account.channel === 'whatsapp' ? `whatsapp:${phone}` : phone);
    const sender = credentials.messagingServiceSid
      ? { MessagingServiceSid: credentials.messagingServiceSid }
      : { From: address(account.phone) };
    // Twilio has no client-reference field on Messages; the correlation id cannot travel with the send.
    const content = message.template
      ? {
          // Templates are Content API ids; Body/MediaUrl must not accompany them.
          ContentSid: message.template.name,
          ContentVariables: JSON.stringify(
            Object.fromEntries(message.template.parameters.map((p, i) => [String(i + 1), p])),
          ),
        }
      : message.location
        ? {
            // WhatsApp location: `geo:lat,lng|label`, the label also as the Body the customer reads.
            Body:
              [message.location.name, message.location.address].filter(Boolean).join(', ') ||
              `${message.location.latitude}, ${message.location.longitude}`,
            PersistentAction: `geo:${message.location.latitude},${message.location.longitude}${message.location.name || message.location.address ? `|${[message.location.name, message.location.address].filter(Boolean).join(', ')}` : ''}`,
          }
        : {
            Body: message.text || message.media?.find((m) => m.caption)?.caption,
            MediaUrl: message.media?.map((m) => m.url),
          };
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages.json`,
      headers: {
        authorization: basicAuthHeader(credentials.accountSid, credentials.authToken),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: encodeForm({ To: address(message.to), ...sender, ...content, StatusCallback: message.statusCallbackUrl }),
    };
  },

  parseSendResponse(res) {
    const body = safeJson(res.body);
    if (res.status >= 200 && res.status < 300) {
      const sid = str(pick(body, 'sid'));
      return sid ? { ok: true, providerMessageId: sid } : fail('PROVIDER_ERROR', false, 'the response carries no sid');
    }
    const code = str(pick(body, 'code'));
    const detail = `HTTP ${res.status}${code ? ` ${code}` : ''}: ${str(pick(body, 'message')) ?? res.body.slice(0, 200)}`;
    if (res.status === 429 || code === '20429') return fail('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    if (res.status >= 500) return fail('PROVIDER_UNAVAILABLE', true, detail, retryAfterMs(res.headers));
    if (res.status === 401 || res.status === 403) return fail('AUTH_FAILED', false, detail);
    const mapped = code === undefined ? undefined : TWILIO_CODES.get(code);
    return fail(
      mapped ?? (res.status >= 400 && res.status < 500 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR'),
      false,
      detail,
    );
  },

  simulateInbound(input, credentials, account) {
    const address = (phone: string) => (account.channel === 'whatsapp' ? `whatsapp:${phone}` : phone);
    const media = input.media ?? [];
    const fields: Record<string, string> = {
      SmsMessageSid: input.providerMessageId,
      NumMedia: String(media.length),
      SmsSid: input.providerMessageId,
      SmsStatus: 'received',
      Body: input.text,
      To: address(input.to),
      NumSegments: '1',
      MessageSid: input.providerMessageId,
      AccountSid: credentials.accountSid,
      From: address(input.from),
      ApiVersion: '2010-04-01',
    };
    if (account.channel === 'whatsapp') fields.WaId = input.from.replace(/^\+/, '');
    media.forEach((m, i) => {
      fields[`MediaUrl${i}`] = m.url;
      if (m.contentType) fields[`MediaContentType${i}`] = m.contentType;
    });
    return signed(input.url, credentials.authToken, fields);
  },

  simulateStatus(input, credentials, account) {
    // Our status words are Twilio's own words.
    return signed(input.url, credentials.authToken, {
      SmsSid: input.providerMessageId,
      SmsStatus: input.status,
      MessageStatus: input.status,
      MessageSid: input.providerMessageId,
      AccountSid: credentials.accountSid,
      From: account.channel === 'whatsapp' ? `whatsapp:${account.phone}` : account.phone,
      ApiVersion: '2010-04-01',
      ErrorCode: input.status === 'failed' ? (input.errorCode ?? '30008') : undefined,
    });
  },
};
