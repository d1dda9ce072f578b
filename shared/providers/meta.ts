/**
 * Meta WhatsApp Cloud API: the GET hub.* handshake, X-Hub-Signature-256 webhooks and sends through the Graph API.
 * Field names come from Meta's webhook references (messages, status, image, errors), "Create a webhook endpoint",
 * "Send messages" and the Cloud API error-code table; the credential fields follow XCALLY's Meta WhatsApp account
 * (WABA id, access token, app id, app secret, phone number id). Kaleyra v2 wraps the same `value` object and the
 * same send body, so it reuses `parseMetaValue`, `metaMessageBody` and `classifyMetaCode` from here.
 */
import { PayloadError, SignatureError } from '../errors';
import { z } from '../validation';
import type {
  AccountContext,
  DeliveryStatus,
  HttpAnswer,
  HttpRequestSpec,
  HttpResponseSpec,
  MediaRef,
  NormalisedEvent,
  OutboundMessage,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
  SimulatedInbound,
  SimulatedStatus,
  StatusEvent,
  WebhookRequest,
} from './types';
import { hmacHex, parseJson, pick, retryAfterMs, safeEqual, senderOf, str, toE164, toIso } from './util';

const nonEmpty = z.string().check(z.minLength(1));

export const metaCredentials = z.object({
  wabaId: nonEmpty,
  accessToken: nonEmpty,
  appId: nonEmpty,
  appSecret: nonEmpty,
  phoneNumberId: nonEmpty,
  /** Graph API version in the send path; Meta keeps each version for about two years. */
  apiVersion: z._default(z.string().check(z.regex(/^v\d+\.\d+$/)), 'v25.0'),
});
export type MetaCredentials = z.infer<typeof metaCredentials>;

const GRAPH = 'https://graph.facebook.com';

// ---------------------------------------------------------------------------------------------------------------
// Inbound: the `value` object of a `messages` change (shared with Kaleyra v2)

const STATUS_MAP: Record<string, DeliveryStatus> = {
  accepted: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read', // voice message played: the strongest "seen" signal Meta gives
  failed: 'failed',
  'not-sent': 'failed', // Kaleyra: it never handed the message to Meta
};

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;

const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const obj = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const digits = (value: string): string => value.replace(/\D/g, '');

export interface MetaValueOptions {
  /** Where the media of an inbound message can be fetched: Meta's own `url`, Kaleyra's stored copy, ... */
  mediaUrl(media: Record<string, unknown>): string;
  /** Overrides the status message id (Kaleyra repeats the wamid at the top of its envelope). */
  statusId?(status: Record<string, unknown>): string | undefined;
  /** Our reference echoed for a status, where this provider's send set one (Meta `biz_opaque_callback_data`). */
  statusCorrelationId?(status: Record<string, unknown>): string | undefined;
}

/** Meta media: the new `url` field where present, else the Graph media node (GET it with the token for the URL). */
const metaMediaUrl = (media: Record<string, unknown>): string =>
  str(media.url) ?? (str(media.id) ? `${GRAPH}/${str(media.id)}` : '');

/** Text an agent can read for a message type that is not plain text or media. */
function describe(message: Record<string, unknown>, type: string): string {
  switch (type) {
    case 'text':
      return str(pick(message, 'text', 'body')) ?? '';
    case 'button':
      return str(pick(message, 'button', 'text')) ?? '';
    case 'interactive':
      return (
        str(pick(message, 'interactive', 'button_reply', 'title')) ??
        str(pick(message, 'interactive', 'list_reply', 'title')) ??
        ''
      );
    case 'reaction':
      return str(pick(message, 'reaction', 'emoji')) ?? '';
    case 'location': {
      const lat = str(pick(message, 'location', 'latitude'));
      const lng = str(pick(message, 'location', 'longitude'));
      const label = [pick(message, 'location', 'name'), pick(message, 'location', 'address')].map(str).filter(Boolean);
      return `[location ${lat ?? '?'},${lng ?? '?'}${label.length ? ` ${label.join(', ')}` : ''}]`;
    }
    case 'contacts': {
      const names = arr(message.contacts)
        .map((c) => str(pick(c, 'name', 'formatted_name')))
        .filter(Boolean);
      return `[contact ${names.join(', ')}]`;
    }
    default:
      return `[${type || 'unknown'} message]`;
  }
}

function inbound(
  message: unknown,
  value: Record<string, unknown>,
  to: string,
  opts: MetaValueOptions,
): NormalisedEvent | undefined {
  if (!obj(message)) throw new PayloadError('a message is not an object');
  const type = str(message.type) ?? '';
  if (type === 'system' || type === 'unsupported' || type === 'request_welcome') return undefined;
  const contacts = arr(value.contacts);
  // From 2026 Meta may omit `from` for users with a username; the contact's wa_id is then the phone, if shared.
  const from = str(message.from) ?? str(pick(contacts, 0, 'wa_id'));
  const id = str(message.id);
  if (!id) throw new PayloadError('a message has no id');
  if (!from) throw new PayloadError(`message ${id} has no from`);
  const contact = contacts.find((c) => str(pick(c, 'wa_id')) === from) ?? contacts[0];
  const profileName = str(pick(contact, 'profile', 'name'));

  const media: MediaRef[] = [];
  let text: string;
  const mediaType = MEDIA_TYPES.find((t) => t === type);
  const mediaObj = mediaType ? message[mediaType] : undefined;
  if (mediaType && obj(mediaObj)) {
    const contentType = str(mediaObj.mime_type);
    const mediaId = str(mediaObj.id);
    media.push({ url: opts.mediaUrl(mediaObj), ...(contentType && { contentType }), ...(mediaId && { id: mediaId }) });
    text = str(mediaObj.caption) ?? '';
  } else {
    text = describe(message, type);
  }
  const providerTimestamp = toIso(str(message.timestamp));
  return {
    type: 'message',
    providerMessageId: id,
    from: senderOf(from, 'messages[].from'),
    to,
    text,
    media,
    ...(providerTimestamp && { providerTimestamp }),
    ...(profileName && { profileName }),
  };
}

function status(raw: unknown, opts: MetaValueOptions): StatusEvent | undefined {
  if (!obj(raw)) throw new PayloadError('a status is not an object');
  const word = str(raw.status);
  const id = opts.statusId?.(raw) ?? str(raw.id);
  if (!id || !word) throw new PayloadError('a status has no id or status');
  const mapped = STATUS_MAP[word.toLowerCase()];
  if (!mapped) return undefined; // e.g. `deleted`, `warning`: nothing to record
  const error = arr(raw.errors)[0];
  const errorCode = str(pick(error, 'code'));
  const errorMessage =
    str(pick(error, 'error_data', 'details')) ?? str(pick(error, 'message')) ?? str(pick(error, 'title'));
  const providerTimestamp = toIso(str(raw.timestamp));
  const correlationId = opts.statusCorrelationId?.(raw);
  return {
    type: 'status',
    providerMessageId: id,
    status: mapped,
    providerStatus: word,
    ...(errorCode && { errorCode }),
    ...(errorMessage && { errorMessage }),
    ...(providerTimestamp && { providerTimestamp }),
    ...(correlationId && { correlationId }),
  };
}

/**
 * Events of one `messages` change value. Changes for another business number (a WABA-wide subscription delivers
 * every number's traffic to the same URL) are skipped: `metadata.display_phone_number` is compared with the account's
 * number because `parse` is not given the credentials that hold the phone number id.
 */
export function parseMetaValue(value: unknown, account: AccountContext, opts: MetaValueOptions): NormalisedEvent[] {
  if (!obj(value)) throw new PayloadError('the change value is not an object');
  const display = str(pick(value, 'metadata', 'display_phone_number'));
  if (display && account.phone && digits(display) !== digits(account.phone)) return [];
  const to = display ? toE164(display) : account.phone;
  for (const key of ['messages', 'statuses'] as const) {
    if (value[key] !== undefined && !Array.isArray(value[key])) throw new PayloadError(`${key} is not an array`);
  }
  const events: (NormalisedEvent | undefined)[] = [
    ...arr(value.messages).map((m) => inbound(m, value, to, opts)),
    ...arr(value.statuses).map((s) => status(s, opts)),
  ];
  return events.filter((e): e is NormalisedEvent => e !== undefined);
}

function parseMeta(req: WebhookRequest, account: AccountContext): NormalisedEvent[] {
  const body = parseJson(req.rawBody);
  if (!obj(body)) throw new PayloadError('the body is not a JSON object');
  const object = str(body.object);
  if (!object) throw new PayloadError('the body has no object field');
  if (object !== 'whatsapp_business_account') return [];
  if (!Array.isArray(body.entry)) throw new PayloadError('entry is not an array');
  const events: NormalisedEvent[] = [];
  for (const entry of body.entry) {
    const changes = pick(entry, 'changes');
    if (!Array.isArray(changes)) throw new PayloadError('entry.changes is not an array');
    for (const change of changes) {
      if (pick(change, 'field') !== 'messages') continue;
      events.push(
        ...parseMetaValue(pick(change, 'value'), account, {
          mediaUrl: metaMediaUrl,
          // buildSend's `biz_opaque_callback_data`, echoed on each status of the message.
          statusCorrelationId: (s) => str(s.biz_opaque_callback_data),
        }),
      );
    }
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------
// Outbound (the body is shared with Kaleyra v2's `messaging_object`)

function mediaKind(contentType: string | undefined): 'image' | 'video' | 'audio' | 'document' {
  const major = contentType?.split('/')[0];
  return major === 'image' || major === 'video' || major === 'audio' ? major : 'document';
}

/**
 * Meta's message object: a template, else the first media item by link (a request carries one message, so further
 * media items need further sends), else text.
 */
export function metaMessageBody(message: OutboundMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.to };
  if (message.template) {
    const { name, language, parameters } = message.template;
    const components = parameters.length
      ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }]
      : undefined;
    return {
      ...base,
      type: 'template',
      template: { name, language: { code: language }, ...(components && { components }) },
    };
  }
  const first = message.media?.[0];
  if (first) {
    const kind = mediaKind(first.contentType);
    const caption = kind !== 'audio' && message.text ? { caption: message.text } : {};
    return { ...base, type: kind, [kind]: { link: first.url, ...caption } };
  }
  return { ...base, type: 'text', text: { preview_url: false, body: message.text ?? '' } };
}

type Failure = { code: SendErrorCode; retryable: boolean };

const CODE_TABLE: [readonly number[], Failure][] = [
  [[131047, 470], { code: 'WINDOW_CLOSED', retryable: false }],
  [[131026, 1013], { code: 'INVALID_NUMBER', retryable: false }],
  [[131050, 131030], { code: 'NOT_OPTED_IN', retryable: false }], // marketing opt-out; not on the test allow-list
  [[130429, 131056, 131048, 80007, 4], { code: 'RATE_LIMITED', retryable: true }],
  [[0, 3, 10, 190], { code: 'AUTH_FAILED', retryable: false }],
  [[131042], { code: 'INSUFFICIENT_FUNDS', retryable: false }],
  [
    [132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069],
    { code: 'TEMPLATE_ERROR', retryable: false },
  ],
  [[131052, 131053], { code: 'MEDIA_ERROR', retryable: false }],
  [[100, 131008, 131009, 131021], { code: 'INVALID_REQUEST', retryable: false }],
  [[1, 2, 131000, 131016, 133004], { code: 'PROVIDER_UNAVAILABLE', retryable: true }],
];

/** Maps a Meta error code (also what Kaleyra passes through) to our vocabulary; undefined when not known. */
export function classifyMetaCode(code: unknown): Failure | undefined {
  const n = typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : NaN;
  if (Number.isNaN(n)) return undefined;
  if (n >= 200 && n <= 299) return { code: 'AUTH_FAILED', retryable: false }; // Graph permission errors
  return CODE_TABLE.find(([codes]) => codes.includes(n))?.[1];
}

export function lowerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The HTTP-status part of the outcome rules, used when the body names no code we know. */
export function httpFailure(res: HttpResponseSpec, detail: string, known?: Failure): SendOutcome {
  const headers = lowerHeaders(res.headers);
  if (res.status === 429 || known?.code === 'RATE_LIMITED') {
    const after = retryAfterMs(headers);
    return {
      ok: false,
      code: 'RATE_LIMITED',
      retryable: known?.code === 'RATE_LIMITED' ? known.retryable : true,
      detail,
      ...(after !== undefined && { retryAfterMs: after }),
    };
  }
  if (known) return { ok: false, ...known, detail };
  if (res.status === 401 || res.status === 403) return { ok: false, code: 'AUTH_FAILED', retryable: false, detail };
  if (res.status >= 500) return { ok: false, code: 'PROVIDER_UNAVAILABLE', retryable: true, detail };
  return { ok: false, code: res.status === 400 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR', retryable: false, detail };
}

export function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function parseMetaSendResponse(res: HttpResponseSpec): SendOutcome {
  const body = safeJson(res.body);
  if (res.status >= 200 && res.status < 300) {
    const id = str(pick(body, 'messages', 0, 'id'));
    return id
      ? { ok: true, providerMessageId: id }
      : { ok: false, code: 'PROVIDER_ERROR', retryable: false, detail: 'accepted without a message id' };
  }
  const code = pick(body, 'error', 'code');
  const text =
    str(pick(body, 'error', 'error_data', 'details')) ?? str(pick(body, 'error', 'message')) ?? `HTTP ${res.status}`;
  const detail = str(code) ? `${str(code)}: ${text}` : text;
  return httpFailure(res, detail, classifyMetaCode(code));
}

// ---------------------------------------------------------------------------------------------------------------
// Simulation

/** Meta signs an escaped-unicode rendering of the payload (`ä` as `\u00e4`); the simulator sends the same bytes. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const bare = (phone: string): string => digits(phone);

function envelope(credentials: MetaCredentials, account: AccountContext, value: Record<string, unknown>): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: credentials.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: bare(account.phone), phone_number_id: credentials.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

export function metaInboundValue(input: SimulatedInbound): Record<string, unknown> {
  const first = input.media?.[0];
  const kind = first ? mediaKind(first.contentType) : undefined;
  const content =
    first && kind
      ? {
          type: kind,
          [kind]: {
            ...(first.contentType && { mime_type: first.contentType }),
            id: first.id ?? input.providerMessageId.replace(/\W/g, '').slice(-15),
            url: first.url,
            ...(input.text && { caption: input.text }),
          },
        }
      : { type: 'text', text: { body: input.text } };
  return {
    contacts: [{ profile: { name: 'Simulated Customer' }, wa_id: bare(input.from) }],
    messages: [
      {
        from: bare(input.from),
        id: input.providerMessageId,
        timestamp: String(Math.floor(input.timestampMs / 1000)),
        ...content,
      },
    ],
  };
}

/** `callbackData`: Meta's `biz_opaque_callback_data`, which Kaleyra's sends do not set (its reference is `ref`). */
export function metaStatusValue(input: SimulatedStatus, callbackData?: string): Record<string, unknown> {
  const code = input.errorCode ?? '131000';
  return {
    statuses: [
      {
        id: input.providerMessageId,
        status: input.status === 'queued' ? 'sent' : input.status, // Meta has no queued webhook
        timestamp: String(Math.floor(input.timestampMs / 1000)),
        ...(callbackData && { biz_opaque_callback_data: callbackData }),
        ...(input.status === 'failed' && {
          errors: [
            {
              code: /^\d+$/.test(code) ? Number(code) : code,
              title: 'Simulated failure',
              message: 'Simulated failure',
              error_data: { details: 'Simulated failure' },
            },
          ],
        }),
      },
    ],
  };
}

function signed(url: string, body: string, appSecret: string): HttpRequestSpec {
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${hmacHex('sha256', appSecret, body)}`,
    },
    body,
  };
}

// ---------------------------------------------------------------------------------------------------------------

export const metaProvider: ProviderModule<MetaCredentials> = {
  type: 'meta',
  channels: ['whatsapp'],
  credentials: metaCredentials,
  secretFields: ['accessToken', 'appSecret'],
  defaultBaseUrl: GRAPH,

  handshake(req, _credentials, account): HttpAnswer | undefined {
    if (req.method !== 'GET' || req.query['hub.mode'] === undefined) return undefined;
    const token = req.query['hub.verify_token'] ?? '';
    if (req.query['hub.mode'] !== 'subscribe' || !safeEqual(token, account.proxyToken)) {
      return { statusCode: 403, headers: { 'content-type': 'text/plain' }, body: 'verify token mismatch' };
    }
    return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: req.query['hub.challenge'] ?? '' };
  },

  verify(req, credentials) {
    const header = req.headers['x-hub-signature-256'];
    if (!header) throw new SignatureError('missing X-Hub-Signature-256');
    const expected = `sha256=${hmacHex('sha256', credentials.appSecret, req.rawBody)}`;
    if (!safeEqual(header.trim().toLowerCase(), expected))
      throw new SignatureError('X-Hub-Signature-256 does not match');
  },

  parse: parseMeta,

  ack: () => ({ statusCode: 200 }),

  buildSend(ctx, message) {
    const { apiVersion, phoneNumberId, accessToken } = ctx.credentials;
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(phoneNumberId)}/messages`,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      // Echoed in every status webhook of this message: our correlation id survives a lost send response.
      body: JSON.stringify({ ...metaMessageBody(message), biz_opaque_callback_data: message.correlationId }),
    };
  },

  parseSendResponse: parseMetaSendResponse,

  simulateInbound(input, credentials, account) {
    return signed(input.url, asciiJson(envelope(credentials, account, metaInboundValue(input))), credentials.appSecret);
  },

  simulateStatus(input, credentials, account) {
    const value = metaStatusValue(input, input.correlationId);
    return signed(input.url, asciiJson(envelope(credentials, account, value)), credentials.appSecret);
  },
};
