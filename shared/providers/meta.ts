/**
 * Meta WhatsApp Cloud API: the GET hub.* handshake, X-Hub-Signature-256 webhooks and sends through the Graph API.
 * Field names come from Meta's webhook references (messages, status, image, errors), "Create a webhook endpoint",
 * "Send messages" and the Cloud API error-code table; the credential fields follow XCALLY's Meta WhatsApp account
 * (WABA id, access token, app id, app secret, phone number id). Kaleyra v2 wraps the same `value` object and the
 * same send body, so it reuses `parseMetaValue`, `metaMessageBody` and `classifyMetaCode` from here.
 */
import { MEDIA_KINDS, rawOf, type ContactCard, type ContentPart, type InteractivePart } from '../domain/content';
import { PayloadError, SignatureError } from '../errors';
import * as z from 'zod/mini';
import type {
  AccountContext,
  DeliveryStatus,
  HttpAnswer,
  HttpRequestSpec,
  HttpResponseSpec,
  NormalisedEvent,
  OutboundMessage,
  ProviderModule,
  SendOutcome,
  SimulatedInbound,
  SimulatedStatus,
  StatusEvent,
  TemplateStatusEvent,
  WebhookRequest,
} from './types';
import { classifyMetaCode, type Failure } from './error-codes';
import { content, hmacHex, parseJson, pick, retryAfterMs, safeEqual, senderOf, str, toE164, toIso } from './util';

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
/** Meta's pair rate: about one message per 6 seconds to the same user (error 131056 beyond it). */
export const PAIR_RATE_MS = 6_000;

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

const num = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
const opt = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value ? { [key]: value } : {}) as { [P in K]?: string };

/** Meta's `contacts[]` card onto ours (name, phones with wa_id, emails, urls, addresses, org, birthday). */
function contactCard(raw: unknown): ContactCard {
  const labelled = (list: unknown, field: string) =>
    arr(list)
      .map((x) => ({ value: str(pick(x, field)) ?? '', ...opt('type', str(pick(x, 'type'))) }))
      .filter((x) => x.value !== '');
  const address = (a: unknown) =>
    ['street', 'city', 'state', 'zip', 'country']
      .map((k) => str(pick(a, k)))
      .filter(Boolean)
      .join(', ');
  const phones = arr(pick(raw, 'phones'))
    .map((p) => ({
      value: str(pick(p, 'phone')) ?? '',
      ...opt('type', str(pick(p, 'type'))),
      ...opt('waId', str(pick(p, 'wa_id'))),
    }))
    .filter((p) => p.value !== '');
  const emails = labelled(pick(raw, 'emails'), 'email');
  const urls = labelled(pick(raw, 'urls'), 'url');
  const addresses = arr(pick(raw, 'addresses'))
    .map((a) => ({ value: address(a), ...opt('type', str(pick(a, 'type'))) }))
    .filter((a) => a.value !== '');
  return {
    ...opt('name', str(pick(raw, 'name', 'formatted_name'))),
    ...opt('firstName', str(pick(raw, 'name', 'first_name'))),
    ...opt('lastName', str(pick(raw, 'name', 'last_name'))),
    ...opt('organization', str(pick(raw, 'org', 'company'))),
    ...opt('birthday', str(pick(raw, 'birthday'))),
    ...(phones.length ? { phones } : {}),
    ...(emails.length ? { emails } : {}),
    ...(urls.length ? { urls } : {}),
    ...(addresses.length ? { addresses } : {}),
  };
}

/** The parts of one Meta message: every documented type, and anything else kept as unsupported with its payload. */
function metaParts(message: Record<string, unknown>, type: string, opts: MetaValueOptions): ContentPart[] {
  const unsupported = (reason?: string): ContentPart[] => [
    { type: 'unsupported', providerType: type || 'unknown', raw: rawOf(message), ...opt('reason', reason) },
  ];
  const mediaType = MEDIA_KINDS.find((t) => t === type);
  if (mediaType) {
    const media = message[mediaType];
    if (!obj(media)) return unsupported(`${mediaType} object missing`);
    const url = opts.mediaUrl(media);
    return [
      {
        type: 'media',
        kind: mediaType,
        ...opt('url', url),
        ...opt('id', str(media.id)),
        ...opt('contentType', str(media.mime_type)),
        ...opt('caption', str(media.caption)),
        ...opt('filename', str(media.filename)),
      },
    ];
  }
  switch (type) {
    case 'text':
      return [{ type: 'text', text: str(pick(message, 'text', 'body')) ?? '' }];
    case 'location': {
      const latitude = num(pick(message, 'location', 'latitude'));
      const longitude = num(pick(message, 'location', 'longitude'));
      if (latitude === undefined || longitude === undefined || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        return unsupported('location without valid coordinates');
      }
      return [
        {
          type: 'location',
          latitude,
          longitude,
          ...opt('name', str(pick(message, 'location', 'name'))),
          ...opt('address', str(pick(message, 'location', 'address'))),
          ...opt('url', str(pick(message, 'location', 'url'))),
        },
      ];
    }
    case 'contacts':
      return [{ type: 'contacts', contacts: arr(message.contacts).slice(0, 50).map(contactCard) }];
    case 'button': {
      // A quick-reply button of a template: its payload is the id, its text the title.
      const title = str(pick(message, 'button', 'text'));
      const id = str(pick(message, 'button', 'payload'));
      return [{ type: 'interactive_reply', kind: 'button', ...opt('id', id), ...opt('title', title) }];
    }
    case 'interactive': {
      const interactive = pick(message, 'interactive');
      const kind = str(pick(interactive, 'type'));
      if (kind === 'button_reply' || kind === 'list_reply') {
        const reply = pick(interactive, kind);
        return [
          {
            type: 'interactive_reply',
            kind: kind === 'button_reply' ? 'button' : 'list',
            ...opt('id', str(pick(reply, 'id'))),
            ...opt('title', str(pick(reply, 'title'))),
            ...opt('description', str(pick(reply, 'description'))),
          },
        ];
      }
      if (kind === 'nfm_reply') {
        const reply = pick(interactive, 'nfm_reply');
        return [
          {
            type: 'interactive_reply',
            kind: 'flow',
            ...opt('name', str(pick(reply, 'name'))),
            ...opt('body', str(pick(reply, 'body'))),
            ...opt('responseJson', str(pick(reply, 'response_json'))),
          },
        ];
      }
      return unsupported(`interactive type ${kind ?? 'missing'}`);
    }
    case 'reaction': {
      const emoji = str(pick(message, 'reaction', 'emoji'));
      // Meta sends a reaction without an emoji when the customer removes it.
      return [
        {
          type: 'reaction',
          removed: !emoji,
          ...opt('emoji', emoji),
          ...opt('messageId', str(pick(message, 'reaction', 'message_id'))),
        },
      ];
    }
    case 'order': {
      const order = pick(message, 'order');
      const items = arr(pick(order, 'product_items'))
        .slice(0, 500)
        .map((item) => ({
          productId: str(pick(item, 'product_retailer_id')) ?? '',
          quantity: num(pick(item, 'quantity')) ?? 0,
          ...(num(pick(item, 'item_price')) !== undefined ? { price: num(pick(item, 'item_price')) as number } : {}),
          ...opt('currency', str(pick(item, 'currency'))),
        }));
      return [
        {
          type: 'order',
          items,
          ...opt('catalogId', str(pick(order, 'catalog_id'))),
          ...opt('text', str(pick(order, 'text'))),
        },
      ];
    }
    case 'system': {
      const kind = str(pick(message, 'system', 'type')) ?? 'system';
      const newId = str(pick(message, 'system', 'wa_id')) ?? str(pick(message, 'system', 'new_wa_id'));
      const body =
        str(pick(message, 'system', 'body')) ??
        (kind === 'user_changed_number' ? 'The customer changed their number' : kind);
      return [{ type: 'system', kind, text: body, ...opt('newId', newId) }];
    }
    default: {
      // `unsupported` (Meta's own word for what it cannot pass on) carries its reason in errors[].
      const error = arr(message.errors)[0];
      const reason =
        str(pick(error, 'error_data', 'details')) ?? str(pick(error, 'message')) ?? str(pick(error, 'title'));
      return unsupported(reason);
    }
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
  // The customer opened the chat for the first time: an event with no content, not a message.
  if (type === 'request_welcome') return undefined;
  const contacts = arr(value.contacts);
  // From 2026 Meta may omit `from` for users with a username; the contact's wa_id is then the phone, if shared.
  const from = str(message.from) ?? str(pick(contacts, 0, 'wa_id'));
  const id = str(message.id);
  if (!id) throw new PayloadError('a message has no id');
  if (!from) throw new PayloadError(`message ${id} has no from`);
  const contact = contacts.find((c) => str(pick(c, 'wa_id')) === from) ?? contacts[0];
  const profileName = str(pick(contact, 'profile', 'name'));
  const replyTo = str(pick(message, 'context', 'id'));
  const providerTimestamp = toIso(str(message.timestamp));
  return {
    type: 'message',
    providerMessageId: id,
    from: senderOf(from, 'messages[].from'),
    to,
    ...content(metaParts(message, type, opts)),
    ...(replyTo && { replyTo }),
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

/**
 * A template webhook value: `message_template_status_update` (`event`, `message_template_id`, `message_template_name`,
 * `message_template_language`, `reason`) or `message_template_quality_update` (`new_quality_score`).
 */
function templateEvent(value: unknown, field: string): TemplateStatusEvent {
  if (!obj(value)) throw new PayloadError(`the ${field} value is not an object`);
  const id = str(value.message_template_id);
  if (!id) throw new PayloadError(`${field} has no message_template_id`);
  const name = str(value.message_template_name);
  const language = str(value.message_template_language);
  const event = field === 'message_template_status_update' ? str(value.event) : undefined;
  const reason = str(value.reason) ?? str(pick(value, 'disable_info', 'disable_date'));
  const quality = str(value.new_quality_score);
  return {
    type: 'template',
    providerTemplateId: id,
    ...(name && { name }),
    ...(language && { language }),
    ...(event && { event }),
    ...(reason && reason !== 'NONE' && { reason }),
    ...(quality && { quality }),
  };
}

function parseMetaTemplates(req: WebhookRequest): TemplateStatusEvent[] {
  const body = parseJson(req.rawBody);
  if (!obj(body) || body.object !== 'whatsapp_business_account' || !Array.isArray(body.entry)) return [];
  const events: TemplateStatusEvent[] = [];
  for (const entry of body.entry) {
    for (const change of arr(pick(entry, 'changes'))) {
      const field = str(pick(change, 'field'));
      if (field === 'message_template_status_update' || field === 'message_template_quality_update') events.push(templateEvent(pick(change, 'value'), field));
    }
  }
  return events;
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

/** Meta's interactive object for reply buttons or a list. */
export function metaInteractive(part: InteractivePart): Record<string, unknown> {
  const frame = {
    ...(part.header ? { header: { type: 'text', text: part.header } } : {}),
    body: { text: part.body },
    ...(part.footer ? { footer: { text: part.footer } } : {}),
  };
  if (part.list) {
    return {
      type: 'list',
      ...frame,
      action: {
        button: part.list.button,
        sections: part.list.sections.map((s) => ({
          ...(s.title ? { title: s.title } : {}),
          rows: s.rows.map((r) => ({
            id: r.id,
            title: r.title,
            ...(r.description ? { description: r.description } : {}),
          })),
        })),
      },
    };
  }
  return {
    type: 'button',
    ...frame,
    action: { buttons: (part.buttons ?? []).map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
  };
}

/**
 * Meta's message object: a template, a location, an interactive message, else the media item by link (a request
 * carries one message: the agent API allows one media item per reply here), else text.
 */
export function metaMessageBody(message: OutboundMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.to };
  if (message.template) {
    const { name, language, parameters, parameterNames, headerParameters } = message.template;
    const list: Record<string, unknown>[] = [];
    if (headerParameters?.length) list.push({ type: 'header', parameters: headerParameters.map((text) => ({ type: 'text', text })) });
    if (parameters.length) {
      list.push({
        type: 'body',
        // NAMED templates name each parameter; positional ones go by order.
        parameters: parameters.map((text, i) => ({ type: 'text', ...(parameterNames?.[i] ? { parameter_name: parameterNames[i] } : {}), text })),
      });
    }
    const components = list.length ? list : undefined;
    return {
      ...base,
      type: 'template',
      template: { name, language: { code: language }, ...(components && { components }) },
    };
  }
  if (message.location) {
    const { latitude, longitude, name, address } = message.location;
    return {
      ...base,
      type: 'location',
      location: { latitude, longitude, ...(name && { name }), ...(address && { address }) },
    };
  }
  if (message.interactive) return { ...base, type: 'interactive', interactive: metaInteractive(message.interactive) };
  const first = message.media?.[0];
  if (first) {
    const kind = mediaKind(first.contentType);
    const captionText = first.caption ?? message.text;
    const caption = kind !== 'audio' && captionText ? { caption: captionText } : {};
    const filename = kind === 'document' && first.filename ? { filename: first.filename } : {};
    return { ...base, type: kind, [kind]: { link: first.url, ...caption, ...filename } };
  }
  return { ...base, type: 'text', text: { preview_url: false, body: message.text ?? '' } };
}

export { classifyMetaCode };

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
  const outcome = httpFailure(res, detail, classifyMetaCode(code));
  // 131056: too many messages to this one user; Meta's pair rate is about one message per 6 s.
  if (!outcome.ok && str(code) === '131056') return { ...outcome, retryAfterMs: Math.max(outcome.retryAfterMs ?? 0, PAIR_RATE_MS) };
  return outcome;
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
  sends: { whatsapp: ['text', 'media', 'location', 'interactive'] },
  maxMediaPerMessage: 1,
  // Media by id: GET graph.facebook.com/{version}/{media-id} answers JSON with a download URL on lookaside.fbsbx.com,
  // fetched with the same bearer token.
  media: { hosts: ['graph.facebook.com', 'lookaside.fbsbx.com'], authorization: (c) => ({ authorization: `Bearer ${c.accessToken}` }) },
  webhookAuthentication: () => 'signature',

  handshake(req, _credentials, account): HttpAnswer | undefined {
    if (req.method !== 'GET' || req.query['hub.mode'] === undefined) return undefined;
    const token = req.query['hub.verify_token'] ?? '';
    if (req.query['hub.mode'] !== 'subscribe' || !safeEqual(token, account.proxyToken)) {
      return { statusCode: 403, headers: { 'content-type': 'text/plain' }, body: 'verify token mismatch' };
    }
    // Meta's challenge is a short number: anything else (markup, a megabyte) is not echoed back.
    const challenge = req.query['hub.challenge'] ?? '';
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(challenge)) {
      return { statusCode: 400, headers: { 'content-type': 'text/plain' }, body: 'hub.challenge must be 1 to 128 letters or digits' };
    }
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: challenge };
  },

  verify(req, credentials) {
    const header = req.headers['x-hub-signature-256'];
    if (!header) throw new SignatureError('missing X-Hub-Signature-256');
    const expected = `sha256=${hmacHex('sha256', credentials.appSecret, req.rawBody)}`;
    if (!safeEqual(header.trim().toLowerCase(), expected))
      throw new SignatureError('X-Hub-Signature-256 does not match');
  },

  parse: parseMeta,

  parseTemplateEvents: parseMetaTemplates,

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
