/**
 * Sinch Conversation API (XCALLY's "SINCH V2") on the WhatsApp channel: MESSAGE_INBOUND and MESSAGE_DELIVERY
 * callbacks signed with the webhook secret, sends through `/v1/projects/<project>/messages:send` with an OAuth2
 * client-credentials token. Field names come from Sinch's Conversation API docs (callbacks, WhatsApp channel
 * support, metadata, OAuth2 access tokens) and the Sinch SDKs (.NET webhook validation test vector, Node SDK
 * send-request types); credential fields follow XCALLY (base URL / region, project id, app id, key id, key secret)
 * plus the secret set on the Sinch webhook.
 *
 * The callbacks carry no business number (the app identifies the account), so inbound `to` is the account's number.
 * Sinch signs callbacks for a per-message `callback_url` with the app's `secret_for_overridden_callback_urls`: set it
 * to the same value as the webhook secret. Replayed nonces inside the 300 s window are not tracked here; the
 * idempotent store absorbs a replayed (identical) event.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { rawOf, type ContactCard, type ContentPart, type InteractivePart } from '../domain/content';
import { AppError, PayloadError, SignatureError } from '../errors';
import * as z from 'zod/mini';
import type {
  AccountContext,
  DeliveryStatus,
  HttpRequestSpec,
  HttpResponseSpec,
  NormalisedEvent,
  OutboundMessage,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
  WebhookRequest,
} from './types';
import { basicAuthHeader, content, num, parseJson, pick, retryAfterMs, safeEqual, senderOf, str, toIso } from './util';

const nonEmpty = z.string().check(z.minLength(1));

export const sinchCredentials = z.object({
  /** Regional Conversation API host: https://us.conversation.api.sinch.com or https://eu.conversation.api.sinch.com. */
  baseUrl: z.optional(z.url()),
  authUrl: z._default(z.url(), 'https://auth.sinch.com/oauth2/token'),
  projectId: nonEmpty,
  appId: nonEmpty,
  keyId: nonEmpty,
  keySecret: nonEmpty,
  webhookSecret: nonEmpty,
});
export type SinchCredentials = z.infer<typeof sinchCredentials>;

const TOLERANCE_MS = 300_000;
const H = {
  signature: 'x-sinch-webhook-signature',
  nonce: 'x-sinch-webhook-signature-nonce',
  timestamp: 'x-sinch-webhook-signature-timestamp',
  algorithm: 'x-sinch-webhook-signature-algorithm',
} as const;
const ALGORITHMS: Record<string, 'sha256' | 'sha512'> = { hmacsha256: 'sha256', hmacsha512: 'sha512' };

/** base64 HMAC over the raw body bytes + "." + nonce + "." + timestamp, as Sinch and its SDKs compute it. */
function sign(
  secret: string,
  rawBody: Buffer,
  nonce: string,
  timestamp: string,
  algorithm: 'sha256' | 'sha512' = 'sha256',
): string {
  return createHmac(algorithm, secret).update(rawBody).update(`.${nonce}.${timestamp}`).digest('base64');
}

const obj = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const STATUS_MAP: Record<string, DeliveryStatus> = {
  QUEUED: 'queued',
  SWITCHING_CHANNEL: 'queued', // falling back to the next channel: not yet handed over anywhere
  QUEUED_ON_CHANNEL: 'sent',
  DELIVERED: 'delivered',
  READ: 'read',
  FAILED: 'failed',
};

function isOtherChannel(identity: unknown): boolean {
  const channel = str(pick(identity, 'channel'));
  return channel !== undefined && channel !== 'WHATSAPP';
}

const opt = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value ? { [key]: value } : {}) as { [P in K]?: string };

/** Sinch's `contact_info_message` onto our contact card. */
function contactInfo(info: Record<string, unknown>): ContactCard {
  const phones = (Array.isArray(info.phone_numbers) ? info.phone_numbers : [])
    .map((p) => ({ value: str(pick(p, 'phone_number')) ?? '', ...opt('type', str(pick(p, 'type'))) }))
    .filter((p) => p.value !== '');
  const emails = (Array.isArray(info.email_addresses) ? info.email_addresses : [])
    .map((e) => ({ value: str(pick(e, 'email_address')) ?? '', ...opt('type', str(pick(e, 'type'))) }))
    .filter((e) => e.value !== '');
  const name =
    str(pick(info, 'name', 'full_name')) ??
    ([str(pick(info, 'name', 'first_name')), str(pick(info, 'name', 'last_name'))].filter(Boolean).join(' ') ||
      undefined);
  return {
    ...opt('name', name),
    ...opt('firstName', str(pick(info, 'name', 'first_name'))),
    ...opt('lastName', str(pick(info, 'name', 'last_name'))),
    ...opt('organization', str(pick(info, 'organization', 'company'))),
    ...opt('birthday', str(info.birthday)),
    ...(phones.length ? { phones } : {}),
    ...(emails.length ? { emails } : {}),
  };
}

/** The parts of a `contact_message`: text, media (with a card's caption), location, choice, contact info. */
function contactParts(message: unknown): ContentPart[] {
  const unsupported = (providerType: string, reason?: string): ContentPart[] => [
    { type: 'unsupported', providerType, raw: rawOf(message ?? null), ...opt('reason', reason) },
  ];
  if (!obj(message)) return unsupported('contact_message', 'missing');
  if (obj(message.text_message)) return [{ type: 'text', text: str(message.text_message.text) ?? '' }];
  if (obj(message.media_message)) {
    const url = str(message.media_message.url);
    return url
      ? [{ type: 'media', url, ...opt('filename', str(message.media_message.filename_override)) }]
      : unsupported('media_message', 'no url');
  }
  if (obj(message.media_card_message)) {
    const url = str(message.media_card_message.url);
    if (!url) return unsupported('media_card_message', 'no url');
    return [{ type: 'media', url, ...opt('caption', str(message.media_card_message.caption)) }];
  }
  if (obj(message.choice_response_message)) {
    const c = message.choice_response_message;
    return [
      {
        type: 'interactive_reply',
        kind: 'button',
        ...opt('id', str(c.postback_data)),
        ...opt('title', str(c.postback_data)),
      },
    ];
  }
  if (obj(message.location_message)) {
    const l = message.location_message;
    const latitude = num(pick(l, 'coordinates', 'latitude'));
    const longitude = num(pick(l, 'coordinates', 'longitude'));
    if (
      !Number.isFinite(latitude) ||
      !Number.isFinite(longitude) ||
      Math.abs(latitude) > 90 ||
      Math.abs(longitude) > 180
    ) {
      return unsupported('location_message', 'no valid coordinates');
    }
    return [{ type: 'location', latitude, longitude, ...opt('name', str(l.title)), ...opt('address', str(l.label)) }];
  }
  if (obj(message.contact_info_message))
    return [{ type: 'contacts', contacts: [contactInfo(message.contact_info_message)] }];
  if (obj(message.fallback_message)) {
    const f = message.fallback_message;
    return unsupported(
      'fallback_message',
      str(pick(f, 'reason', 'description')) ?? str(pick(f, 'reason', 'code')) ?? str(f.raw_message),
    );
  }
  return unsupported(Object.keys(message)[0] ?? 'contact_message');
}

function parseSinch(req: WebhookRequest, account: AccountContext): NormalisedEvent[] {
  const body = parseJson(req.rawBody);
  if (!obj(body)) throw new PayloadError('the body is not a JSON object');
  const eventTime = toIso(str(body.event_time)) ?? toIso(str(body.accepted_time));

  if (body.message !== undefined) {
    const message = body.message;
    if (!obj(message)) throw new PayloadError('message is not an object');
    if (message.direction === 'TO_CONTACT' || isOtherChannel(message.channel_identity)) return [];
    const id = str(message.id);
    const from = str(pick(message, 'channel_identity', 'identity'));
    if (!id) throw new PayloadError('the message has no id');
    if (!from) throw new PayloadError(`message ${id} has no channel_identity.identity`);
    const providerTimestamp = eventTime ?? toIso(str(message.accept_time));
    return [
      {
        type: 'message',
        providerMessageId: id,
        from: senderOf(from, 'channel_identity.identity'),
        to: account.phone,
        ...content(contactParts(message.contact_message)),
        ...(str(pick(message, 'contact_message', 'reply_to', 'message_id')) && {
          replyTo: str(pick(message, 'contact_message', 'reply_to', 'message_id')) as string,
        }),
        ...(providerTimestamp && { providerTimestamp }),
      },
    ];
  }

  if (body.message_delivery_report !== undefined) {
    const report = body.message_delivery_report;
    if (!obj(report)) throw new PayloadError('message_delivery_report is not an object');
    if (isOtherChannel(report.channel_identity)) return [];
    const id = str(report.message_id);
    const word = str(report.status);
    if (!id || !word) throw new PayloadError('the delivery report has no message_id or status');
    const status = STATUS_MAP[word];
    if (!status) return [];
    const errorCode = str(pick(report, 'reason', 'code'));
    const errorMessage = str(pick(report, 'reason', 'description'));
    // buildSend's `correlation_id` comes back at the top of the callback, not inside the report.
    const correlationId = str(body.correlation_id);
    return [
      {
        type: 'status',
        providerMessageId: id,
        status,
        providerStatus: word,
        ...(status === 'failed' && errorCode && { errorCode }),
        ...(status === 'failed' && errorMessage && { errorMessage }),
        ...(eventTime && { providerTimestamp: eventTime }),
        ...(correlationId && { correlationId }),
      },
    ];
  }
  return []; // contact, conversation, capability, event-delivery and other triggers
}

// ---------------------------------------------------------------------------------------------------------------

/** Reply buttons as a `choice_message`, a list as a `list_message` (Conversation API message types). */
function sinchInteractive(part: InteractivePart): Record<string, unknown> {
  if (part.list) {
    return {
      list_message: {
        title: part.body,
        ...(part.footer && { description: part.footer }),
        sections: part.list.sections.map((s) => ({
          ...(s.title && { title: s.title }),
          items: s.rows.map((r) => ({
            choice: { title: r.title, ...(r.description && { description: r.description }), postback_data: r.id },
          })),
        })),
      },
    };
  }
  return {
    choice_message: {
      text_message: { text: part.body },
      choices: (part.buttons ?? []).map((b) => ({ text_message: { text: b.title }, postback_data: b.id })),
    },
  };
}

function sinchMessage(message: OutboundMessage): Record<string, unknown> {
  if (message.template) {
    const { name, language, parameters } = message.template;
    const params = Object.fromEntries(parameters.map((value, i) => [`body[${i + 1}]text`, value]));
    return {
      template_message: {
        channel_template: { WHATSAPP: { template_id: name, language_code: language, parameters: params } },
      },
    };
  }
  if (message.location) {
    const { latitude, longitude, name, address } = message.location;
    return {
      location_message: {
        coordinates: { latitude, longitude },
        title: name ?? address ?? `${latitude}, ${longitude}`,
        ...(address && { label: address }),
      },
    };
  }
  if (message.interactive) return sinchInteractive(message.interactive);
  const first = message.media?.[0];
  const caption = first?.caption ?? message.text;
  if (first && caption) return { media_card_message: { url: first.url, caption } };
  if (first) return { media_message: { url: first.url } };
  return { text_message: { text: message.text ?? '' } };
}

type Failure = { code: SendErrorCode; retryable: boolean };
const REASONS: [RegExp, Failure][] = [
  [/OUTSIDE_ALLOWED_SENDING_WINDOW/, { code: 'WINDOW_CLOSED', retryable: false }],
  [/RECIPIENT_NOT_OPTED_IN|RECIPIENT_OPTED_OUT/, { code: 'NOT_OPTED_IN', retryable: false }],
  [
    /RECIPIENT_INVALID_CHANNEL_IDENTITY|RECIPIENT_NOT_REACHABLE|INVALID_CHANNEL_IDENTITY/,
    { code: 'INVALID_NUMBER', retryable: false },
  ],
  [/TEMPLATE_/, { code: 'TEMPLATE_ERROR', retryable: false }],
  [/MEDIA_/, { code: 'MEDIA_ERROR', retryable: false }],
  [/RESOURCE_EXHAUSTED|RATE_LIMITED/, { code: 'RATE_LIMITED', retryable: true }],
  [/UNAUTHENTICATED|PERMISSION_DENIED/, { code: 'AUTH_FAILED', retryable: false }],
];

function parseSinchSendResponse(res: HttpResponseSpec): SendOutcome {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  if (res.status >= 200 && res.status < 300) {
    const id = str(pick(body, 'message_id'));
    return id
      ? { ok: true, providerMessageId: id }
      : { ok: false, code: 'PROVIDER_ERROR', retryable: false, detail: 'accepted without a message_id' };
  }
  // google.rpc style: {error: {code, message, status, details: [...]}}; reason codes can sit in message or details.
  const status = str(pick(body, 'error', 'status'));
  const message = str(pick(body, 'error', 'message')) ?? `HTTP ${res.status}`;
  const detail = status ? `${status}: ${message}` : message;
  const haystack = `${status ?? ''} ${message} ${JSON.stringify(pick(body, 'error', 'details') ?? '')}`;
  const known = REASONS.find(([pattern]) => pattern.test(haystack))?.[1];
  const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (res.status === 429 || known?.code === 'RATE_LIMITED') {
    const after = retryAfterMs(headers);
    return {
      ok: false,
      code: 'RATE_LIMITED',
      retryable: true,
      detail,
      ...(after !== undefined && { retryAfterMs: after }),
    };
  }
  if (known) return { ok: false, ...known, detail };
  if (res.status === 401 || res.status === 403) return { ok: false, code: 'AUTH_FAILED', retryable: false, detail };
  if (res.status >= 500) return { ok: false, code: 'PROVIDER_UNAVAILABLE', retryable: true, detail };
  return { ok: false, code: res.status === 400 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR', retryable: false, detail };
}

// ---------------------------------------------------------------------------------------------------------------

const SIM_STATUS: Record<DeliveryStatus, string> = {
  queued: 'QUEUED',
  sent: 'QUEUED_ON_CHANNEL',
  delivered: 'DELIVERED',
  read: 'READ',
  failed: 'FAILED',
};

function simulated(
  url: string,
  payload: Record<string, unknown>,
  credentials: SinchCredentials,
  timestampMs: number,
): HttpRequestSpec {
  const body = JSON.stringify({ app_id: credentials.appId, project_id: credentials.projectId, ...payload });
  const timestamp = String(Math.floor(timestampMs / 1000));
  const nonce = randomBytes(13).toString('hex').toUpperCase();
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      [H.nonce]: nonce,
      [H.timestamp]: timestamp,
      [H.algorithm]: 'HmacSHA256',
      [H.signature]: sign(credentials.webhookSecret, Buffer.from(body), nonce, timestamp),
    },
    body,
  };
}

const bare = (phone: string): string => phone.replace(/\D/g, '');

export const sinchProvider: ProviderModule<SinchCredentials> = {
  type: 'sinch',
  channels: ['whatsapp'],
  sends: { whatsapp: ['text', 'media', 'location', 'interactive'] },
  maxMediaPerMessage: 1,
  credentials: sinchCredentials,
  secretFields: ['keySecret', 'webhookSecret'],
  defaultBaseUrl: 'https://us.conversation.api.sinch.com',
  // `media_message.url` is a link the channel hands over: fetched without credentials.
  media: { hosts: [] },
  webhookAuthentication: () => 'signature',

  verify(req, credentials, _account, nowMs) {
    const signature = req.headers[H.signature];
    const nonce = req.headers[H.nonce];
    const timestamp = req.headers[H.timestamp];
    if (!signature || !nonce || !timestamp) throw new SignatureError('missing x-sinch-webhook-signature headers');
    const algorithm = ALGORITHMS[(req.headers[H.algorithm] ?? 'HmacSHA256').toLowerCase()];
    if (!algorithm) throw new SignatureError('unsupported signature algorithm');
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp) * 1000) > TOLERANCE_MS) {
      throw new SignatureError('signature timestamp outside the 300 s window');
    }
    if (!safeEqual(signature.trim(), sign(credentials.webhookSecret, req.rawBody, nonce, timestamp, algorithm))) {
      throw new SignatureError('x-sinch-webhook-signature does not match');
    }
  },

  parse: parseSinch,

  ack: () => ({ statusCode: 200 }),

  authorize(ctx) {
    const { authUrl, keyId, keySecret } = ctx.credentials;
    return {
      request: {
        method: 'POST',
        url: authUrl,
        headers: {
          authorization: basicAuthHeader(keyId, keySecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      },
      parse(res) {
        let body: unknown;
        try {
          body = JSON.parse(res.body);
        } catch {
          body = undefined;
        }
        const token = str(pick(body, 'access_token'));
        const expires = num(pick(body, 'expires_in'));
        if (res.status !== 200 || !token)
          throw new AppError(502, 'AUTH_FAILED', `Sinch token request failed with HTTP ${res.status}`);
        return { token, expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 3600 };
      },
    };
  },

  buildSend(ctx, message) {
    const { projectId, appId, keyId, keySecret } = ctx.credentials;
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(projectId)}/messages:send`,
      headers: {
        // Basic is accepted too but heavily rate-limited; it is only the fallback when no token was obtained.
        authorization: ctx.accessToken ? `Bearer ${ctx.accessToken}` : basicAuthHeader(keyId, keySecret),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        app_id: appId,
        recipient: { identified_by: { channel_identities: [{ channel: 'WHATSAPP', identity: message.to }] } },
        message: sinchMessage(message),
        channel_priority_order: ['WHATSAPP'],
        callback_url: message.statusCallbackUrl,
        correlation_id: message.correlationId,
      }),
    };
  },

  parseSendResponse: parseSinchSendResponse,

  simulateInbound(input, credentials) {
    const first = input.media?.[0];
    const contact = first
      ? input.text
        ? { media_card_message: { url: first.url, caption: input.text } }
        : { media_message: { url: first.url } }
      : { text_message: { text: input.text } };
    const at = new Date(input.timestampMs).toISOString();
    return simulated(
      input.url,
      {
        accepted_time: at,
        event_time: at,
        message: {
          id: input.providerMessageId,
          direction: 'TO_APP',
          contact_message: contact,
          channel_identity: { channel: 'WHATSAPP', identity: bare(input.from), app_id: credentials.appId },
          conversation_id: '',
          contact_id: '',
          metadata: '',
          accept_time: at,
        },
        message_metadata: '',
      },
      credentials,
      input.timestampMs,
    );
  },

  simulateStatus(input, credentials) {
    const at = new Date(input.timestampMs).toISOString();
    return simulated(
      input.url,
      {
        accepted_time: at,
        event_time: at,
        message_delivery_report: {
          message_id: input.providerMessageId,
          conversation_id: '',
          status: SIM_STATUS[input.status],
          channel_identity: { channel: 'WHATSAPP', identity: '', app_id: credentials.appId },
          contact_id: '',
          ...(input.status === 'failed' && {
            reason: {
              code: input.errorCode ?? 'UNKNOWN',
              description: 'Simulated failure',
              sub_code: 'UNSPECIFIED_SUB_CODE',
            },
          }),
          metadata: '',
        },
        ...(input.correlationId && { correlation_id: input.correlationId }),
      },
      credentials,
      input.timestampMs,
    );
  },
};
