/**
 * Bandwidth Messaging API v2 (SMS/MMS): optional callback basic auth, message-received / message-delivered /
 * message-failed parsing (callbacks are JSON arrays), sends. Field names: dev.bandwidth.com "Webhooks",
 * "Message Failed Event", "Errors" (HTTP error bodies), "Messaging V2 API Error Reporting and Codes",
 * "Send Messages"; Bandwidth SDK models `InboundCallbackMessage`/`StatusCallbackMessage`; Chatwoot's
 * `channel/sms.rb` (send body). Bandwidth signs nothing: the only check it offers is HTTP Basic credentials that an
 * admin may set on the Bandwidth application (InboundCallbackCreds/OutboundCallbackCreds), mirrored here as the
 * optional `callbackUsername`/`callbackPassword`. Without them we accept: the unguessable proxy token in the URL
 * was checked before this module runs. Statuses go to the application's OutboundCallbackUrl (no per-message URL
 * in v2), which an admin points at the account's `/status` URL.
 */
import { PayloadError } from '../errors';
import * as z from 'zod/mini';
import type { DeliveryStatus, NormalisedEvent, ProviderModule, SendErrorCode, SendOutcome, StatusEvent } from './types';
import {
  basicAuthHeader,
  parseJson,
  pick,
  requireBasicAuth,
  retryAfterMs,
  senderOf,
  str,
  textContent,
  toE164,
  toIso,
} from './util';

const credentialsSchema = z.object({
  accountId: z.string().check(z.minLength(1)),
  applicationId: z.string().check(z.minLength(1)),
  /** API credentials (HTTP Basic) used to send. */
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
  /** The callback credentials configured on the Bandwidth application, when the admin set any. */
  callbackUsername: z.optional(z.string().check(z.minLength(1))),
  callbackPassword: z.optional(z.string().check(z.minLength(1))),
});
export type BandwidthCredentials = z.infer<typeof credentialsSchema>;

const STATUS_TYPES = new Map<string, DeliveryStatus>([
  ['message-sending', 'sent'], // MMS only: handed on towards the carrier
  ['message-delivered', 'delivered'],
  ['message-read', 'read'],
  ['message-failed', 'failed'],
]);

/** MMS containers carry presentation parts next to the real media; they are not content (Chatwoot skips them too). */
const PRESENTATION_PART = /\.(smil|xml)$/i;

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

function callbackHeaders(credentials: BandwidthCredentials): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credentials.callbackUsername !== undefined || credentials.callbackPassword !== undefined) {
    headers.authorization = basicAuthHeader(credentials.callbackUsername ?? '', credentials.callbackPassword ?? '');
  }
  return headers;
}

function parseEvent(event: unknown, index: number, ourNumber: string): NormalisedEvent[] {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    throw new PayloadError(`event ${index} is not an object`);
  const type = str(pick(event, 'type'));
  if (!type) throw new PayloadError(`event ${index} has no type`);
  const status = STATUS_TYPES.get(type);
  if (type !== 'message-received' && !status) return [];
  const message = pick(event, 'message');
  const id = str(pick(message, 'id'));
  if (!id) throw new PayloadError(`event ${index} has no message.id`);
  const at = toIso(str(pick(event, 'time')) ?? str(pick(message, 'time')));

  if (!status) {
    const from = str(pick(message, 'from'));
    if (!from) throw new PayloadError(`event ${index} has no message.from`);
    const media = (Array.isArray(pick(message, 'media')) ? (pick(message, 'media') as unknown[]) : [])
      .map(str)
      .filter((url): url is string => !!url && !PRESENTATION_PART.test(url))
      .map((url) => ({ url }));
    // For group messages `owner` is the one of our numbers this copy belongs to.
    const to = str(pick(message, 'owner')) ?? str(pick(event, 'to')) ?? ourNumber;
    return [
      {
        type: 'message',
        providerMessageId: id,
        from: senderOf(from, 'message.from'),
        to: toE164(to),
        ...textContent(str(pick(message, 'text')) ?? '', media),
        ...(at ? { providerTimestamp: at } : {}),
      },
    ];
  }

  const result: StatusEvent = { type: 'status', providerMessageId: id, status, providerStatus: type };
  if (status === 'failed') {
    const errorCode = str(pick(event, 'errorCode'));
    const description = str(pick(event, 'description'));
    if (errorCode) result.errorCode = errorCode;
    if (description) result.errorMessage = description;
  }
  if (at) result.providerTimestamp = at;
  // buildSend's `tag`, echoed on the message of every status callback.
  const tag = str(pick(message, 'tag'));
  if (tag) result.correlationId = tag;
  return [result];
}

export const bandwidthProvider: ProviderModule<BandwidthCredentials> = {
  type: 'bandwidth',
  channels: ['sms'],
  sends: { sms: ['text', 'media'] },
  credentials: credentialsSchema,
  secretFields: ['password', 'callbackPassword'],
  defaultBaseUrl: 'https://messaging.bandwidth.com/api/v2',
  // Media: `https://messaging.bandwidth.com/api/v2/users/{accountId}/media/{mediaId}`, downloaded with the API user.
  media: { hosts: ['messaging.bandwidth.com'], authorization: (c) => ({ authorization: basicAuthHeader(c.username, c.password) }) },
  webhookAuthentication: (c) => (c.callbackUsername !== undefined || c.callbackPassword !== undefined ? 'basic' : 'none'),
  webhookAuthFields: ['callbackUsername', 'callbackPassword'],

  verify(req, credentials) {
    if (credentials.callbackUsername === undefined && credentials.callbackPassword === undefined) return;
    requireBasicAuth(req.headers, credentials.callbackUsername ?? '', credentials.callbackPassword ?? '');
  },

  parse(req, account) {
    const body = parseJson(req.rawBody);
    // Bandwidth always posts an array; a lone event object is read as an array of one.
    const events = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? [body] : undefined;
    if (!events) throw new PayloadError('expected a JSON array of events');
    return events.flatMap((event, i) => parseEvent(event, i, account.phone));
  },

  ack() {
    return { statusCode: 200 };
  },

  buildSend(ctx, message) {
    const { credentials, account } = ctx;
    const media = message.media?.map((m) => m.url) ?? [];
    const body = {
      applicationId: credentials.applicationId,
      to: [message.to],
      from: account.phone,
      text: message.text ?? '',
      ...(media.length > 0 ? { media } : {}),
      // Echoed in every status callback: lets a retry be reconciled with the first attempt.
      tag: message.correlationId,
    };
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/users/${encodeURIComponent(credentials.accountId)}/messages`,
      headers: {
        authorization: basicAuthHeader(credentials.username, credentials.password),
        'content-type': 'application/json; charset=utf-8',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    };
  },

  parseSendResponse(res) {
    const body = safeJson(res.body);
    if (res.status >= 200 && res.status < 300) {
      const id = str(pick(body, 'id'));
      return id ? { ok: true, providerMessageId: id } : fail('PROVIDER_ERROR', false, 'the response carries no id');
    }
    const type = str(pick(body, 'type'));
    const detail = `HTTP ${res.status}${type ? ` ${type}` : ''}: ${str(pick(body, 'description')) ?? res.body.slice(0, 200)}`;
    if (res.status === 429) return fail('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    if (res.status >= 500) return fail('PROVIDER_UNAVAILABLE', true, detail);
    if (res.status === 401 || res.status === 403) return fail('AUTH_FAILED', false, detail);
    const fieldErrors = pick(body, 'fieldErrors');
    const badTo = Array.isArray(fieldErrors) && fieldErrors.some((e) => str(pick(e, 'fieldName')) === 'to');
    if (badTo) return fail('INVALID_NUMBER', false, detail);
    return fail(res.status >= 400 && res.status < 500 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR', false, detail);
  },

  simulateInbound(input, credentials) {
    const at = new Date(input.timestampMs).toISOString();
    const media = input.media?.map((m) => m.url) ?? [];
    const event = {
      type: 'message-received',
      time: at,
      description: 'Incoming message received',
      to: input.to,
      message: {
        id: input.providerMessageId,
        owner: input.to,
        applicationId: credentials.applicationId,
        time: at,
        segmentCount: 1,
        direction: 'in',
        to: [input.to],
        from: input.from,
        text: input.text,
        ...(media.length > 0 ? { media } : {}),
      },
    };
    return { method: 'POST', url: input.url, headers: callbackHeaders(credentials), body: JSON.stringify([event]) };
  },

  simulateStatus(input, credentials, account) {
    const at = new Date(input.timestampMs).toISOString();
    const type =
      input.status === 'failed'
        ? 'message-failed'
        : input.status === 'read'
          ? 'message-read'
          : input.status === 'delivered'
            ? 'message-delivered'
            : 'message-sending';
    const event = {
      type,
      time: at,
      description: input.status === 'failed' ? 'invalid-destination-address' : 'ok',
      to: '+15005550006',
      ...(input.status === 'failed' ? { errorCode: Number(input.errorCode ?? 4720) || input.errorCode } : {}),
      message: {
        id: input.providerMessageId,
        owner: account.phone,
        applicationId: credentials.applicationId,
        time: at,
        segmentCount: 1,
        direction: 'out',
        to: ['+15005550006'],
        from: account.phone,
        // Failed callbacks carry an empty text.
        text: '',
        ...(input.correlationId ? { tag: input.correlationId } : {}),
      },
    };
    return { method: 'POST', url: input.url, headers: callbackHeaders(credentials), body: JSON.stringify([event]) };
  },
};
