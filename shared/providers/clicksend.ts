/**
 * ClickSend (SMS/MMS): inbound SMS arrive through an Inbound SMS rule with the URL action, delivery receipts through the
 * SMS receipt URL; sends go to the v3 REST API with HTTP Basic `username:api_key`.
 * Field names: help.clicksend.com "What DLR format will the API send?" (inbound and DLR keys, form-encoded),
 * developers.clicksend.com "Automations / SMS" (`webhook_type` post | get | json) and "Send SMS" / "Send MMS"
 * (`messages[]`, `custom_string`, `media_file`, response `data.messages[].message_id` / `status`).
 * Not public, so chosen as the most plausible shape: the `json` webhook type carries the same keys as the form, and
 * receipt `status` words are Delivered / Sent / Queued / Scheduled, anything else being a failure.
 * ClickSend signs nothing: the proxy token in the URL is checked before this module runs, and an admin may add webhook
 * basic-auth credentials (put into the rule URL as user:password@host) that `verify` then requires.
 */
import { PayloadError } from '../errors';
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
import {
  basicAuthHeader,
  encodeForm,
  parseForm,
  parseJson,
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
  /** The API key from the dashboard (the account password works in the same place). */
  apiKey: nonEmpty,
  webhookUsername: z.optional(nonEmpty),
  webhookPassword: z.optional(nonEmpty),
});

export type ClickSendCredentials = z.infer<typeof credentialsSchema>;

const FORM = 'application/x-www-form-urlencoded';

/** The webhook's fields, whichever of the three rule formats (post, get, json) the admin picked. */
function readFields(req: WebhookRequest): Record<string, string> {
  if (req.method === 'GET') return { ...req.query };
  const text = req.rawBody.toString('utf8').trim();
  if (!text.startsWith('{')) return parseForm(text);
  const value = parseJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new PayloadError('the JSON body is not an object');
  const fields: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    const s = str(v);
    if (s !== undefined) fields[key] = s;
  }
  return fields;
}

function receiptStatus(word: string): DeliveryStatus {
  switch (word.toLowerCase()) {
    case 'delivered':
      return 'delivered';
    case 'sent':
      return 'sent';
    case 'queued':
    case 'scheduled':
    case 'waitapproval':
      return 'queued';
    default:
      return 'failed';
  }
}

function parseReceipt(f: Record<string, string>): NormalisedEvent[] {
  const id = f['message_id'] || f['messageid'];
  if (!id) throw new PayloadError('the delivery receipt has no message_id');
  const word = f['status'] || f['status_text'] || f['status_code'] || '';
  const status = receiptStatus(word);
  // buildSend's `custom_string`; receipts repeat it under the legacy alias `customstring` as well.
  const correlationId = f['custom_string'] || f['customstring'];
  return [
    {
      type: 'status',
      providerMessageId: id,
      status,
      providerStatus: word,
      ...(status === 'failed' && f['error_code'] ? { errorCode: f['error_code'] } : {}),
      ...(status === 'failed' && (f['error_text'] || f['status_text'])
        ? { errorMessage: f['error_text'] || f['status_text'] }
        : {}),
      ...(toIso(f['timestamp']) ? { providerTimestamp: toIso(f['timestamp']) } : {}),
      ...(correlationId ? { correlationId } : {}),
    },
  ];
}

function parseInbound(f: Record<string, string>, account: AccountContext): NormalisedEvent[] {
  const id = f['message_id'] || f['messageid'];
  if (!id) throw new PayloadError('the inbound message has no message_id');
  const from = toE164(f['from'] ?? '');
  if (!from) throw new PayloadError('the inbound message has no from');
  const timestamp = toIso(f['timestamp']);
  return [
    {
      type: 'message',
      providerMessageId: id,
      from,
      // `sms` is ClickSend's name for the number that received the message.
      to: toE164(f['to'] || f['sms'] || account.phone),
      ...textContent(f['body'] ?? f['message'] ?? ''),
      ...(timestamp ? { providerTimestamp: timestamp } : {}),
    },
  ];
}

function failure(code: SendErrorCode, retryable: boolean, detail: string, retryAfter?: number): SendOutcome {
  return { ok: false, code, retryable, detail, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}

/** ClickSend's per-message and per-request status words (`INVALID_RECIPIENT`, `INSUFFICIENT_CREDIT`, ...). */
function codeForStatus(word: string): SendErrorCode | undefined {
  if (word === 'TOO_MANY_REQUESTS') return 'RATE_LIMITED';
  if (word === 'INSUFFICIENT_CREDIT') return 'INSUFFICIENT_FUNDS';
  if (word === 'UNAUTHORIZED' || word === 'FORBIDDEN') return 'AUTH_FAILED';
  if (/RECIPIENT|COUNTRY_NOT_ENABLED|INVALID_NUMBER/.test(word)) return 'INVALID_NUMBER';
  if (/OPT|BLOCKED/.test(word)) return 'NOT_OPTED_IN';
  if (/MEDIA|FILE/.test(word)) return 'MEDIA_ERROR';
  return undefined;
}

function requestFor(
  ctx: { credentials: ClickSendCredentials; baseUrl: string },
  path: string,
  body: unknown,
): HttpRequestSpec {
  return {
    method: 'POST',
    url: `${ctx.baseUrl.replace(/\/+$/, '')}${path}`,
    headers: {
      Authorization: basicAuthHeader(ctx.credentials.username, ctx.credentials.apiKey),
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify(body),
  };
}

function webhookHeaders(c: ClickSendCredentials): Record<string, string> {
  return {
    'Content-Type': FORM,
    ...(c.webhookUsername && c.webhookPassword
      ? { Authorization: basicAuthHeader(c.webhookUsername, c.webhookPassword) }
      : {}),
  };
}

const SIM_STATUS: Record<DeliveryStatus, string> = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Delivered',
  failed: 'Undelivered',
};

export const clicksendProvider: ProviderModule<ClickSendCredentials> = {
  type: 'clicksend',
  channels: ['sms'],
  sends: { sms: ['text', 'media'] },
  credentials: credentialsSchema,
  secretFields: ['apiKey', 'webhookPassword'],
  defaultBaseUrl: 'https://rest.clicksend.com',
  // Inbound carries no media (SMS replies only): no host receives credentials.
  media: { hosts: [] },
  // ClickSend signs nothing: the account's basic-auth pair is the only proof a callback came from ClickSend.
  webhookAuthentication: (c) => (c.webhookUsername && c.webhookPassword ? 'basic' : 'none'),
  webhookAuthFields: ['webhookUsername', 'webhookPassword'],

  verify(req, credentials) {
    if (credentials.webhookUsername && credentials.webhookPassword) {
      requireBasicAuth(req.headers, credentials.webhookUsername, credentials.webhookPassword);
    }
  },

  parse(req, account) {
    const fields = readFields(req);
    if (Object.keys(fields).length === 0) throw new PayloadError('the webhook carries no fields');
    // Receipts and inbound messages may share a URL: a receipt has a status and no message text.
    const isReceipt = ('status' in fields || 'status_code' in fields) && !('body' in fields || 'message' in fields);
    return isReceipt ? parseReceipt(fields) : parseInbound(fields, account);
  },

  ack() {
    return { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: '' };
  },

  buildSend(ctx, message: OutboundMessage) {
    const base = {
      source: 'switchboard',
      from: ctx.account.phone,
      to: message.to,
      custom_string: message.correlationId,
    };
    const [first, ...rest] = message.media ?? [];
    // MMS takes a single file; further media go out as links.
    const body = [message.text ?? '', ...rest.map((m) => m.url)].filter(Boolean).join('\n');
    if (first) {
      return requestFor(ctx, '/v3/mms/send', {
        media_file: first.url,
        messages: [{ ...base, subject: 'Message', body }],
      });
    }
    return requestFor(ctx, '/v3/sms/send', { messages: [{ ...base, body }] });
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
    const messages = (json as { data?: { messages?: unknown } } | undefined)?.data?.messages;
    const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
    const itemStatus = str((first as { status?: unknown } | undefined)?.status) ?? '';
    const id = str((first as { message_id?: unknown } | undefined)?.message_id);
    if (res.status >= 200 && res.status < 300 && itemStatus === 'SUCCESS' && id)
      return { ok: true, providerMessageId: id };
    const word = itemStatus || (str((json as { response_code?: unknown } | undefined)?.response_code) ?? '');
    const code = codeForStatus(word);
    if (code) return failure(code, code === 'RATE_LIMITED', detail);
    return failure(res.status >= 400 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR', false, detail);
  },

  simulateInbound(input, credentials) {
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: encodeForm({
        timestamp: String(Math.floor(input.timestampMs / 1000)),
        from: input.from,
        to: input.to,
        body: input.text,
        message: input.text,
        message_id: input.providerMessageId,
        original_message_id: '',
        original_body: '',
        custom_string: '',
        user_id: '1',
        subaccount_id: '1',
      }),
    };
  },

  simulateStatus(input, credentials) {
    const failed = input.status === 'failed';
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: encodeForm({
        timestamp_send: String(Math.floor(input.timestampMs / 1000) - 5),
        timestamp: String(Math.floor(input.timestampMs / 1000)),
        message_id: input.providerMessageId,
        status: SIM_STATUS[input.status],
        status_code: failed ? '301' : '201',
        status_text: failed ? 'Undelivered' : 'Success',
        error_code: failed ? (input.errorCode ?? '301') : '201',
        error_text: failed ? 'Undelivered' : 'Success',
        custom_string: input.correlationId ?? '',
        user_id: '1',
        subaccount_id: '1',
        message_type: 'sms',
      }),
    };
  },
};
