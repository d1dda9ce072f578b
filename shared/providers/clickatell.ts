/**
 * Clickatell One API (SMS): receives the client callbacks (`event.moText` / `event.moMedia` / `event.messageStatusUpdate`)
 * and sends through `POST /v1/message` with the raw integration API key in `Authorization` (no scheme word).
 * Field names: clickatell.com "One API: Receive message callback", help.clickatell.com "One API Client Callbacks",
 * "One API: Message status codes", "One API: Errors table" and guides.clickatell.com "Send messages"; the older REST
 * status callback and HTTP reply callback (flat `messageId` / `statusCode` / `fromNumber` / `text`) are read as well.
 * One API callbacks carry no signature: the proxy token in the URL is checked before this module runs, and the optional
 * webhook basic-auth credentials (which Clickatell's platform allowed on callback URLs) are required when configured.
 */
import { PayloadError } from '../errors';
import * as z from 'zod/mini';
import type {
  DeliveryStatus,
  HttpResponseSpec,
  InboundMessageEvent,
  MediaRef,
  NormalisedEvent,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
  StatusEvent,
} from './types';
import {
  basicAuthHeader,
  parseJson,
  pick,
  requireBasicAuth,
  retryAfterMs,
  str,
  textContent,
  toE164,
  toIso,
} from './util';

const nonEmpty = z.string().check(z.minLength(1));

const credentialsSchema = z.object({
  /** The integration's API key. */
  apiKey: nonEmpty,
  webhookUsername: z.optional(nonEmpty),
  webhookPassword: z.optional(nonEmpty),
});

export type ClickatellCredentials = z.infer<typeof credentialsSchema>;

type Item = Record<string, unknown>;

function items(value: unknown): Item[] {
  return Array.isArray(value)
    ? value.filter((v): v is Item => v !== null && typeof v === 'object' && !Array.isArray(v))
    : [];
}

function timestampOf(item: Item): { providerTimestamp?: string } {
  const raw = item['timestamp'];
  const iso = typeof raw === 'number' || typeof raw === 'string' ? toIso(raw) : undefined;
  return iso ? { providerTimestamp: iso } : {};
}

function message(
  item: Item,
  text: string,
  media: MediaRef[],
  ids: { id: unknown; from: unknown; to: unknown },
): InboundMessageEvent {
  const id = str(ids.id);
  const from = toE164(str(ids.from) ?? '');
  if (!id) throw new PayloadError('an inbound message has no messageId');
  if (!from) throw new PayloadError('an inbound message has no from');
  const profileName = str(pick(item, 'whatsapp', 'profileName'));
  return {
    type: 'message',
    providerMessageId: id,
    from,
    to: toE164(str(ids.to) ?? ''),
    ...textContent(text, media),
    ...timestampOf(item),
    ...(profileName ? { profileName } : {}),
  };
}

/** Media arrive either as download links (`files[]`) or inline as base64; inline media become a data URL. */
function mediaOf(item: Item): MediaRef[] {
  const files = items(item['files']).flatMap((f): MediaRef[] => {
    const url = str(f['downloadUrl']);
    const contentType = str(f['contentType']);
    return url ? [{ url, ...(contentType ? { contentType } : {}) }] : [];
  });
  if (files.length > 0) return files;
  const inline = str(item['content']);
  const contentType = str(item['contentType']) ?? 'application/octet-stream';
  return inline ? [{ url: `data:${contentType};base64,${inline}`, contentType }] : [];
}

/** One API "Message status codes": 20 and above are failures (expiry, stops, balance, media, routing, WhatsApp). */
const ONE_API_STATUS: Record<number, DeliveryStatus> = {
  2: 'queued',
  3: 'queued',
  4: 'sent',
  5: 'delivered',
  6: 'read',
  24: 'delivered',
};
/** The older REST/HTTP status callback numbers its statuses 001-014 differently ("REST API: Status callback"). */
const LEGACY_STATUS: Record<number, DeliveryStatus> = {
  2: 'queued',
  3: 'sent',
  4: 'delivered',
  8: 'sent',
  11: 'queued',
};
const STATUS_BY_WORD: Record<string, DeliveryStatus> = {
  QUEUED: 'queued',
  SCHEDULED: 'queued',
  SENT_TO_SUPPLIER: 'sent',
  DEVICE_ACK: 'delivered',
  READ: 'read',
  EMULATED: 'delivered',
  RECEIVED_BY_RECIPIENT: 'delivered',
  DELIVERED_TO_GATEWAY: 'sent',
};

function statusFor(code: number, word: string, legacy: boolean): DeliveryStatus | undefined {
  // Code 1 / UNKNOWN ("message not found") says nothing about the message.
  if (code === 1 || word === 'UNKNOWN') return undefined;
  if (Number.isFinite(code) && code > 0) {
    const known = (legacy ? LEGACY_STATUS : ONE_API_STATUS)[code];
    return known ?? (legacy || code >= 20 ? 'failed' : undefined);
  }
  return STATUS_BY_WORD[word] ?? (word ? 'failed' : undefined);
}

function statusEvent(item: Item, legacy: boolean): StatusEvent[] {
  const id = str(item['messageId']);
  if (!id) throw new PayloadError('a status update has no messageId');
  const word = str(item['status']) ?? '';
  const code = Number(str(item['statusCode']) ?? NaN);
  const status = statusFor(code, word, legacy);
  if (!status) return [];
  const description = str(item['statusDescription']) ?? word;
  // buildSend's `clientMessageId`, echoed by One API status updates and the older REST status callback alike.
  const correlationId = str(item['clientMessageId']);
  return [
    {
      type: 'status',
      providerMessageId: id,
      status,
      providerStatus: word || String(code),
      ...(status === 'failed'
        ? { errorCode: Number.isFinite(code) ? String(code) : word, errorMessage: description }
        : {}),
      ...timestampOf(item),
      ...(correlationId ? { correlationId } : {}),
    },
  ];
}

function parseOneApiEvent(event: Item): NormalisedEvent[] {
  return [
    ...items(event['moText']).map((m) =>
      message(m, str(m['content']) ?? '', [], { id: m['messageId'], from: m['from'], to: m['to'] }),
    ),
    ...items(event['moMedia']).map((m) =>
      message(m, str(m['caption']) ?? '', mediaOf(m), { id: m['messageId'], from: m['from'], to: m['to'] }),
    ),
    ...items(event['messageStatusUpdate']).flatMap((u) => statusEvent(u, false)),
  ];
}

function failure(code: SendErrorCode, retryable: boolean, detail: string, retryAfter?: number): SendOutcome {
  return { ok: false, code, retryable, detail, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}

/** One API error codes ("Errors table"): the same numbers come back globally or per message. */
function codeForError(code: number): { code: SendErrorCode; retryable: boolean } | undefined {
  if (code === 1 || code === 2 || code === 3 || code === 7) return { code: 'AUTH_FAILED', retryable: false };
  if (code === 18 || code === 19) return { code: 'PROVIDER_UNAVAILABLE', retryable: true };
  if (code === 20) return { code: 'INSUFFICIENT_FUNDS', retryable: false };
  if (code === 25 || code === 27 || code === 28 || code === 101) return { code: 'INVALID_NUMBER', retryable: false };
  if (code === 26) return { code: 'NOT_OPTED_IN', retryable: false };
  if (code >= 30 && code <= 33) return { code: 'MEDIA_ERROR', retryable: false };
  if (code === 43) return { code: 'RATE_LIMITED', retryable: true };
  if (code === 131) return { code: 'WINDOW_CLOSED', retryable: false };
  if (code > 0) return { code: 'INVALID_REQUEST', retryable: false };
  return undefined;
}

function webhookHeaders(c: ClickatellCredentials): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    ...(c.webhookUsername && c.webhookPassword
      ? { Authorization: basicAuthHeader(c.webhookUsername, c.webhookPassword) }
      : {}),
  };
}

const SIM_STATUS: Record<DeliveryStatus, [number, string]> = {
  queued: [2, 'QUEUED'],
  sent: [4, 'SENT_TO_SUPPLIER'],
  delivered: [5, 'DEVICE_ACK'],
  read: [6, 'READ'],
  failed: [23, 'DELIVERY_FAILURE'],
};

const digits = (phone: string) => phone.replace(/^\+/, '');

export const clickatellProvider: ProviderModule<ClickatellCredentials> = {
  type: 'clickatell',
  channels: ['sms'],
  sends: { sms: ['text', 'media'] },
  credentials: credentialsSchema,
  secretFields: ['apiKey', 'webhookPassword'],
  defaultBaseUrl: 'https://platform.clickatell.com',
  // One API `moMedia.files[].downloadUrl` points at platform.clickatell.com, fetched with the raw API key.
  media: { hosts: ['platform.clickatell.com'], authorization: (c) => ({ authorization: c.apiKey }) },
  // One API signs nothing: the account's basic-auth pair is the only proof a callback came from Clickatell.
  webhookAuthentication: (c) => (c.webhookUsername && c.webhookPassword ? 'basic' : 'none'),
  webhookAuthFields: ['webhookUsername', 'webhookPassword'],

  verify(req, credentials) {
    if (credentials.webhookUsername && credentials.webhookPassword) {
      requireBasicAuth(req.headers, credentials.webhookUsername, credentials.webhookPassword);
    }
  },

  parse(req) {
    const body = parseJson(req.rawBody);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new PayloadError('the body is not a JSON object');
    const root = body as Item;
    const event = root['event'];
    if (event !== undefined) {
      if (event === null || typeof event !== 'object' || Array.isArray(event))
        throw new PayloadError('event is not an object');
      return parseOneApiEvent(event as Item);
    }
    // Older REST status callback and HTTP reply callback: one flat object.
    if ('statusCode' in root || 'status' in root) return statusEvent(root, true);
    if ('fromNumber' in root || 'moMessageId' in root) {
      return [
        message(root, str(root['text']) ?? '', [], {
          id: root['messageId'] ?? root['moMessageId'],
          from: root['fromNumber'],
          to: root['toNumber'],
        }),
      ];
    }
    throw new PayloadError('the body is neither a One API callback nor a status or reply callback');
  },

  ack() {
    return { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: '' };
  },

  buildSend(ctx, msg) {
    // SMS has no media in One API; media go out as links.
    const content = [msg.text ?? '', ...(msg.media ?? []).map((m) => m.url)].filter(Boolean).join('\n');
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/v1/message`,
      headers: {
        Authorization: ctx.credentials.apiKey,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify({
        messages: [
          {
            channel: 'sms',
            to: digits(msg.to),
            from: digits(ctx.account.phone),
            content,
            clientMessageId: msg.correlationId,
          },
        ],
      }),
    };
  },

  parseSendResponse(res: HttpResponseSpec) {
    const detail = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
    if (res.status === 429) return failure('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    const first = pick(json, 'messages', 0);
    const id = str(pick(first, 'apiMessageId'));
    if (res.status >= 200 && res.status < 300 && pick(first, 'accepted') === true && id)
      return { ok: true, providerMessageId: id };
    const errorCode = Number(str(pick(first, 'error', 'code')) ?? str(pick(json, 'error', 'code')) ?? NaN);
    const mapped = Number.isFinite(errorCode) ? codeForError(errorCode) : undefined;
    if (mapped?.code === 'RATE_LIMITED') return failure('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    if (res.status >= 500) return failure('PROVIDER_UNAVAILABLE', true, detail);
    if (mapped) return failure(mapped.code, mapped.retryable, detail);
    if (res.status === 401 || res.status === 403) return failure('AUTH_FAILED', false, detail);
    if (res.status === 402) return failure('INSUFFICIENT_FUNDS', false, detail);
    return failure(res.status >= 400 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR', false, detail);
  },

  simulateInbound(input, credentials) {
    const common = {
      channel: 'sms',
      messageId: input.providerMessageId,
      relatedMessageId: null,
      relatedClientMessageId: null,
      from: digits(input.from),
      to: digits(input.to),
      timestamp: input.timestampMs,
    };
    const event = input.media?.length
      ? {
          moMedia: [
            {
              ...common,
              caption: input.text,
              files: input.media.map((m, i) => ({
                contentType: m.contentType ?? 'application/octet-stream',
                downloadUrl: m.url,
                fileName: `file${i}`,
              })),
            },
          ],
        }
      : { moText: [{ ...common, content: input.text, charset: 'UTF-8', sms: { network: 'Simulated' } }] };
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: JSON.stringify({ integrationId: 'simulated', integrationName: 'Switchboard simulator', event }),
    };
  },

  simulateStatus(input, credentials) {
    const [code, word] = SIM_STATUS[input.status];
    const statusCode =
      input.status === 'failed' && input.errorCode && /^\d+$/.test(input.errorCode) ? Number(input.errorCode) : code;
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: JSON.stringify({
        integrationId: 'simulated',
        integrationName: 'Switchboard simulator',
        event: {
          messageStatusUpdate: [
            {
              channel: 'sms',
              messageId: input.providerMessageId,
              clientMessageId: input.correlationId ?? null,
              status: word,
              statusCode,
              timestamp: input.timestampMs,
            },
          ],
        },
      }),
    };
  },
};
