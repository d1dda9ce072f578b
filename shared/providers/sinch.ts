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
import { AppError, PayloadError, SignatureError } from '../errors';
import { z } from '../validation';
import type {
  AccountContext,
  DeliveryStatus,
  HttpRequestSpec,
  HttpResponseSpec,
  MediaRef,
  NormalisedEvent,
  OutboundMessage,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
  WebhookRequest,
} from './types';
import { basicAuthHeader, parseJson, pick, retryAfterMs, safeEqual, senderOf, str, toIso } from './util';

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

function contactContent(content: unknown): { text: string; media: MediaRef[] } {
  const media = (url: unknown): MediaRef[] => (str(url) ? [{ url: str(url) as string }] : []);
  if (!obj(content)) return { text: '', media: [] };
  if (obj(content.text_message)) return { text: str(content.text_message.text) ?? '', media: [] };
  if (obj(content.media_message)) return { text: '', media: media(content.media_message.url) };
  if (obj(content.media_card_message)) {
    return { text: str(content.media_card_message.caption) ?? '', media: media(content.media_card_message.url) };
  }
  if (obj(content.choice_response_message))
    return { text: str(content.choice_response_message.postback_data) ?? '', media: [] };
  if (obj(content.location_message)) {
    const l = content.location_message;
    const where = [str(pick(l, 'coordinates', 'latitude')), str(pick(l, 'coordinates', 'longitude'))].join(',');
    const label = [str(l.title), str(l.label)].filter(Boolean).join(', ');
    return { text: `[location ${where}${label ? ` ${label}` : ''}]`, media: [] };
  }
  if (obj(content.fallback_message))
    return { text: str(content.fallback_message.raw_message) ?? '[unsupported message]', media: [] };
  return { text: '[unsupported message]', media: [] };
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
        ...contactContent(message.contact_message),
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
  const first = message.media?.[0];
  if (first && message.text) return { media_card_message: { url: first.url, caption: message.text } };
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
  credentials: sinchCredentials,
  secretFields: ['keySecret', 'webhookSecret'],
  defaultBaseUrl: 'https://us.conversation.api.sinch.com',

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
        const expires = Number(pick(body, 'expires_in'));
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
