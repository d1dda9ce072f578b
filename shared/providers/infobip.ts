/**
 * Infobip (SMS): inbound MO messages (default renderer MO_JSON_2) and delivery reports both arrive as `{ results: [...] }`
 * and are told apart per item (a report has a `status` object); sends use `POST /sms/3/messages`.
 * Field names: infobip.com "Receive inbound SMS messages" and "Receive outbound SMS message report" webhooks,
 * "Message status codes" / "Response codes", the Quickstart (v3 send body) and the official infobip-api-java-client
 * models (`SmsWebhooks`: `delivery.url`, `contentType`, `callbackData`; `SmsDestination.messageId`).
 * XCALLY gives Infobip a username/password and the account's base URL, so sends use HTTP Basic; an API key, when one
 * is configured, is sent as `App <key>` instead. Number forwarding signs nothing (Infobip's HMAC profile scheme is not
 * publicly specified), so `verify` checks the optional webhook basic-auth credentials and otherwise relies on the
 * proxy token in the URL, checked before this module runs.
 */
import { PayloadError } from '../errors';
import * as z from 'zod/mini';
import type {
  DeliveryStatus,
  HttpResponseSpec,
  NormalisedEvent,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
} from './types';
import {
  basicAuthHeader,
  num,
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
  username: nonEmpty,
  password: nonEmpty,
  /** The account's own API host, e.g. https://xxxxx.api.infobip.com. */
  baseUrl: z.url(),
  apiKey: z.optional(nonEmpty),
  webhookUsername: z.optional(nonEmpty),
  webhookPassword: z.optional(nonEmpty),
});

export type InfobipCredentials = z.infer<typeof credentialsSchema>;

type Item = Record<string, unknown>;

const isItem = (v: unknown): v is Item => v !== null && typeof v === 'object' && !Array.isArray(v);

function timestamp(value: unknown): { providerTimestamp?: string } {
  const iso = toIso(str(value));
  return iso ? { providerTimestamp: iso } : {};
}

/** Status groups: 1 PENDING, 2 UNDELIVERABLE, 3 DELIVERED, 4 EXPIRED, 5 REJECTED. */
function deliveryStatus(groupId: number, groupName: string, name: string): DeliveryStatus {
  if (groupId === 3 || groupName === 'DELIVERED') return name === 'DELIVERED_TO_OPERATOR' ? 'sent' : 'delivered';
  if (groupId === 1 || groupName === 'PENDING') return name === 'PENDING_ACCEPTED' ? 'queued' : 'sent';
  return 'failed';
}

function reportEvent(item: Item, status: Item): NormalisedEvent {
  const id = str(item['messageId']);
  if (!id) throw new PayloadError('a delivery report has no messageId');
  const name = str(status['name']) ?? '';
  const groupName = str(status['groupName']) ?? '';
  const mapped = deliveryStatus(num(status['groupId']), groupName, name);
  // A rejection often comes with error NO_ERROR: the status itself then says what went wrong.
  const error = isItem(item['error']) && item['error']['name'] !== 'NO_ERROR' ? item['error'] : {};
  const errorCode = str(error['name']) ?? str(error['id']) ?? (name || groupName);
  const errorMessage = str(error['description']) ?? str(status['description']) ?? errorCode;
  // buildSend's `webhooks.callbackData`, echoed on each report. No fallback: `messageId` is the provider id itself.
  const correlationId = str(item['callbackData']);
  return {
    type: 'status',
    providerMessageId: id,
    status: mapped,
    providerStatus: name || groupName,
    ...(mapped === 'failed' ? { errorCode, errorMessage } : {}),
    ...timestamp(item['doneAt'] ?? item['sentAt']),
    ...(correlationId ? { correlationId } : {}),
  };
}

function inboundEvent(item: Item): NormalisedEvent {
  const id = str(item['messageId']);
  const from = toE164(str(item['from']) ?? '');
  if (!id) throw new PayloadError('an inbound message has no messageId');
  if (!from) throw new PayloadError('an inbound message has no from');
  return {
    type: 'message',
    providerMessageId: id,
    from,
    to: toE164(str(item['to']) ?? ''),
    ...textContent(str(item['text']) ?? str(item['cleanText']) ?? ''),
    ...timestamp(item['receivedAt']),
  };
}

function failure(code: SendErrorCode, retryable: boolean, detail: string, retryAfter?: number): SendOutcome {
  return { ok: false, code, retryable, detail, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}

/** A message rejected at submission comes back 200 with a REJECTED (5) or UNDELIVERABLE (2) status. */
function codeForRejection(name: string): SendErrorCode {
  if (name.includes('NOT_ENOUGH_CREDITS')) return 'INSUFFICIENT_FUNDS';
  if (/DND|BLOCK|OPT/.test(name)) return 'NOT_OPTED_IN';
  if (/PREFIX|DESTINATION|NETWORK|NUMBER/.test(name)) return 'INVALID_NUMBER';
  if (/SENDER|SOURCE/.test(name)) return 'INVALID_REQUEST';
  return 'PROVIDER_ERROR';
}

const digits = (phone: string) => phone.replace(/^\+/, '');

/** Infobip writes offsets as +0000; `toIso` reads that, and the simulator writes the same form. */
const infobipTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

function webhookHeaders(c: InfobipCredentials): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    ...(c.webhookUsername && c.webhookPassword
      ? { Authorization: basicAuthHeader(c.webhookUsername, c.webhookPassword) }
      : {}),
  };
}

const SIM_STATUS: Record<
  DeliveryStatus,
  { groupId: number; groupName: string; id: number; name: string; description: string }
> = {
  queued: {
    groupId: 1,
    groupName: 'PENDING',
    id: 26,
    name: 'PENDING_ACCEPTED',
    description: 'Message sent to next instance',
  },
  sent: {
    groupId: 3,
    groupName: 'DELIVERED',
    id: 2,
    name: 'DELIVERED_TO_OPERATOR',
    description: 'Message delivered to operator',
  },
  delivered: {
    groupId: 3,
    groupName: 'DELIVERED',
    id: 5,
    name: 'DELIVERED_TO_HANDSET',
    description: 'Message delivered to handset',
  },
  read: {
    groupId: 3,
    groupName: 'DELIVERED',
    id: 5,
    name: 'DELIVERED_TO_HANDSET',
    description: 'Message delivered to handset',
  },
  failed: {
    groupId: 2,
    groupName: 'UNDELIVERABLE',
    id: 9,
    name: 'UNDELIVERABLE_NOT_DELIVERED',
    description: 'Message sent not delivered',
  },
};

export const infobipProvider: ProviderModule<InfobipCredentials> = {
  type: 'infobip',
  channels: ['sms'],
  sends: { sms: ['text', 'media'] },
  credentials: credentialsSchema,
  secretFields: ['password', 'apiKey', 'webhookPassword'],
  defaultBaseUrl: 'https://api.infobip.com',
  // Inbound SMS carries no media: no host receives credentials.
  media: { hosts: [] },
  // Infobip signs nothing: the account's basic-auth pair is the only proof a callback came from Infobip.
  webhookAuthentication: (c) => (c.webhookUsername && c.webhookPassword ? 'basic' : 'none'),
  webhookAuthFields: ['webhookUsername', 'webhookPassword'],

  verify(req, credentials) {
    if (credentials.webhookUsername && credentials.webhookPassword) {
      requireBasicAuth(req.headers, credentials.webhookUsername, credentials.webhookPassword);
    }
  },

  parse(req) {
    const body = parseJson(req.rawBody);
    const results = pick(body, 'results');
    if (!Array.isArray(results)) throw new PayloadError('the body has no results array');
    return results.map((item: unknown) => {
      if (!isItem(item)) throw new PayloadError('a results entry is not an object');
      const status = item['status'];
      return isItem(status) ? reportEvent(item, status) : inboundEvent(item);
    });
  },

  ack() {
    return { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: '' };
  },

  buildSend(ctx, message) {
    const { credentials } = ctx;
    // SMS carries no media; media go out as links.
    const text = [message.text ?? '', ...(message.media ?? []).map((m) => m.url)].filter(Boolean).join('\n');
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/sms/3/messages`,
      headers: {
        Authorization: credentials.apiKey
          ? `App ${credentials.apiKey}`
          : basicAuthHeader(credentials.username, credentials.password),
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify({
        messages: [
          {
            sender: digits(ctx.account.phone),
            // Our id as Infobip's message id makes a retried send of the same message recognisable to both sides.
            destinations: [{ to: digits(message.to), messageId: message.correlationId }],
            content: { text },
            webhooks: {
              delivery: { url: message.statusCallbackUrl },
              contentType: 'application/json',
              callbackData: message.correlationId,
            },
          },
        ],
      }),
    };
  },

  parseSendResponse(res: HttpResponseSpec) {
    const detail = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
    if (res.status === 429) return failure('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    if (res.status >= 500) return failure('PROVIDER_UNAVAILABLE', true, detail);
    if (res.status === 401 || res.status === 403) return failure('AUTH_FAILED', false, detail);
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    if (res.status >= 400) {
      // v3 names the offending field in `violations[].property`, e.g. `messages[0].destinations[0].to`.
      const violations = pick(json, 'violations');
      const badNumber =
        Array.isArray(violations) &&
        violations.some((v: unknown) => /destinations\[\d+\]\.to$/.test(str(pick(v, 'property')) ?? ''));
      return failure(badNumber ? 'INVALID_NUMBER' : 'INVALID_REQUEST', false, detail);
    }
    const first = pick(json, 'messages', 0);
    const id = str(pick(first, 'messageId'));
    const groupId = num(pick(first, 'status', 'groupId'));
    const name = str(pick(first, 'status', 'name')) ?? '';
    if (groupId === 5 || groupId === 2 || name.startsWith('REJECTED'))
      return failure(codeForRejection(name), false, detail);
    return id ? { ok: true, providerMessageId: id } : failure('PROVIDER_ERROR', false, detail);
  },

  simulateInbound(input, credentials) {
    const result = {
      messageId: input.providerMessageId,
      from: digits(input.from),
      to: digits(input.to),
      text: input.text,
      cleanText: input.text,
      keyword: '',
      receivedAt: infobipTime(input.timestampMs),
      smsCount: 1,
      price: { pricePerMessage: 0, currency: 'EUR' },
      callbackData: null,
    };
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: JSON.stringify({ results: [result], messageCount: 1, pendingMessageCount: 0 }),
    };
  },

  simulateStatus(input, credentials) {
    const failed = input.status === 'failed';
    const result = {
      bulkId: `bulk-${input.providerMessageId}`,
      messageId: input.providerMessageId,
      to: '15550000000',
      sentAt: infobipTime(input.timestampMs - 5000),
      doneAt: infobipTime(input.timestampMs),
      smsCount: 1,
      price: { pricePerMessage: 0.01, currency: 'EUR' },
      ...(input.correlationId ? { callbackData: input.correlationId } : {}),
      status: SIM_STATUS[input.status],
      error: failed
        ? {
            groupId: 1,
            groupName: 'HANDSET_ERRORS',
            id: 27,
            name: input.errorCode ?? 'EC_ABSENT_SUBSCRIBER',
            description: 'Absent subscriber',
            permanent: false,
          }
        : { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', description: 'No Error', permanent: false },
    };
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: JSON.stringify({ results: [result] }),
    };
  },
};
