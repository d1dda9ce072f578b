/**
 * Kaleyra WhatsApp API v2: callbacks are Meta's `value` object inside a Kaleyra envelope
 * (`{meta_object: {value, field}, extra_info: {media_url, ref, trace_id, waba_id, ...}}`), sends go to
 * `/v2/<SID>/whatsapp/<number>/messages` with Meta's message object as `messaging_object` and header `api-key`.
 * Field names come from developers.kaleyra.io (v2 send text/template, incoming-message and status-update webhook
 * payloads, v2 error codes for send message); credential fields follow XCALLY's Kaleyra account (base URL, WABA id,
 * account SID, API key).
 *
 * Not confirmed publicly, so kept tolerant: the v2 send response (we accept Meta's `messages[0].id` as well as
 * `data.message_id` / `message_id` / `id`) and the body of a `not-sent` status. Kaleyra has no webhook signature:
 * an admin may add a static secret header to the callback profile (`webhookSecret`, header `webhookSecretHeader`),
 * which is then required; otherwise only the unguessable proxy token in the URL (checked before this module runs)
 * protects the endpoint.
 */
import { PayloadError, SignatureError } from '../errors';
import * as z from 'zod/mini';
import { KALEYRA_CODES } from './error-codes';
import {
  asciiJson,
  classifyMetaCode,
  httpFailure,
  metaInboundValue,
  metaMessageBody,
  metaStatusValue,
  parseMetaValue,
  safeJson,
} from './meta';
import type {
  AccountContext,
  HttpRequestSpec,
  HttpResponseSpec,
  NormalisedEvent,
  ProviderModule,
  SendOutcome,
  WebhookRequest,
} from './types';
import { parseJson, pick, safeEqual, str } from './util';

const nonEmpty = z.string().check(z.minLength(1));

export const kaleyraCredentials = z.object({
  /** The pod: https://api.in.kaleyra.io (IN), https://api.ap.kaleyra.io (SG), https://api.eu.kaleyra.io (EU). */
  baseUrl: z.optional(z.url()),
  wabaId: nonEmpty,
  accountSid: nonEmpty,
  apiKey: nonEmpty,
  webhookSecret: z.optional(nonEmpty),
  webhookSecretHeader: z._default(z.string().check(z.regex(/^[A-Za-z0-9-]+$/)), 'x-kaleyra-secret'),
});
export type KaleyraCredentials = z.infer<typeof kaleyraCredentials>;

const obj = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function parseKaleyra(req: WebhookRequest, account: AccountContext): NormalisedEvent[] {
  const body = parseJson(req.rawBody);
  if (!obj(body)) throw new PayloadError('the body is not a JSON object');
  const metaObject = body.meta_object;
  if (!obj(metaObject)) {
    // Template-status and other profile callbacks carry an `event` and no Meta payload: not ours to record.
    if (str(body.event)) return [];
    throw new PayloadError('the body has no meta_object');
  }
  if (metaObject.field !== undefined && metaObject.field !== 'messages') return [];
  const extra = obj(body.extra_info) ? body.extra_info : {};
  const statuses = pick(metaObject, 'value', 'statuses');
  // One status per callback: the envelope repeats its wamid, which is what the send returned.
  const single = Array.isArray(statuses) && statuses.length === 1;
  const envelopeId = single ? (str(body.message_id) ?? str(extra.message_id)) : undefined;
  // buildSend's `extra_info.ref`, echoed in the envelope's `extra_info`: like the wamid, it belongs to the one status
  // of the callback, so a callback with several statuses cannot say whose it is.
  const ref = single ? str(extra.ref) || undefined : undefined;
  return parseMetaValue(metaObject.value, account, {
    // Kaleyra stores inbound media itself and hands out its own link; Meta's media id needs Meta's token.
    mediaUrl: (media) => str(extra.media_url) || str(media.url) || '',
    statusId: (status) => envelopeId ?? str(status.id),
    statusCorrelationId: () => ref,
  });
}

function parseKaleyraSendResponse(res: HttpResponseSpec): SendOutcome {
  const body = safeJson(res.body);
  // A Meta code passed through under `error` is the most specific; Kaleyra's own (RBC001, WA400...) sits at the top.
  const codes = [pick(body, 'error', 'code'), pick(body, 'code'), pick(body, 'error_code')]
    .map(str)
    .filter((c): c is string => !!c && c !== 'WA200');
  if (res.status >= 200 && res.status < 300 && codes.length === 0) {
    const id =
      str(pick(body, 'messages', 0, 'id')) ??
      str(pick(body, 'data', 'message_id')) ??
      str(pick(body, 'data', 0, 'message_id')) ??
      str(pick(body, 'message_id')) ??
      str(pick(body, 'id'));
    return id
      ? { ok: true, providerMessageId: id }
      : { ok: false, code: 'PROVIDER_ERROR', retryable: false, detail: 'accepted without a message id' };
  }
  const text =
    str(pick(body, 'error', 'error_data', 'details')) ??
    str(pick(body, 'error', 'message')) ??
    str(pick(body, 'message')) ??
    str(pick(body, 'error')) ??
    `HTTP ${res.status}`;
  const known = codes.map((c) => classifyMetaCode(c) ?? KALEYRA_CODES[c.toUpperCase()]).find(Boolean);
  // A 2xx carrying an error code is a refusal all the same.
  const refused = res.status >= 200 && res.status < 300 ? { ...res, status: 400 } : res;
  return httpFailure(refused, codes.length ? `${codes.join('/')}: ${text}` : text, known);
}

function simulated(
  url: string,
  value: Record<string, unknown>,
  credentials: KaleyraCredentials,
  account: AccountContext,
  extra: Record<string, unknown>,
  top: Record<string, unknown> = {},
): HttpRequestSpec {
  const phone = account.phone.replace(/\D/g, '');
  const body = asciiJson({
    meta_object: {
      value: { messaging_product: 'whatsapp', metadata: { display_phone_number: phone }, ...value },
      field: 'messages',
    },
    extra_info: { ...extra, waba_id: credentials.wabaId },
    ...top,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credentials.webhookSecret) headers[credentials.webhookSecretHeader.toLowerCase()] = credentials.webhookSecret;
  return { method: 'POST', url, headers, body };
}

export const kaleyraProvider: ProviderModule<KaleyraCredentials> = {
  type: 'kaleyra',
  channels: ['whatsapp'],
  credentials: kaleyraCredentials,
  secretFields: ['apiKey', 'webhookSecret'],
  defaultBaseUrl: 'https://api.in.kaleyra.io',
  // v2's messaging_object is Meta's message object, so it carries what Meta's does.
  sends: { whatsapp: ['text', 'media', 'location', 'interactive'] },
  maxMediaPerMessage: 1,
  // Kaleyra stores inbound media itself and passes a pre-signed S3 link in `media_url`: fetched without credentials.
  media: { hosts: [] },
  // Kaleyra signs nothing: the shared header set on the callback profile is the only proof.
  webhookAuthentication: (c) => (c.webhookSecret ? 'shared-secret' : 'none'),
  webhookAuthFields: ['webhookSecret'],

  verify(req, credentials) {
    if (!credentials.webhookSecret) return;
    const got = req.headers[credentials.webhookSecretHeader.toLowerCase()];
    if (!got) throw new SignatureError(`missing ${credentials.webhookSecretHeader}`);
    if (!safeEqual(got, credentials.webhookSecret))
      throw new SignatureError(`${credentials.webhookSecretHeader} does not match`);
  },

  parse: parseKaleyra,

  ack: () => ({ statusCode: 200 }),

  // Status callbacks go to the callback profile registered on the number; v2 takes no per-message callback URL.
  // The path names our number in E.164 with its `+` (developers.kaleyra.io "Send Text Messages" v2 sample:
  // `/whatsapp/+91XXXXXXXXXX/messages`); it is percent-encoded (%2B) so no server reads the `+` as a space.
  buildSend(ctx, message) {
    const { accountSid, apiKey } = ctx.credentials;
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/v2/${encodeURIComponent(accountSid)}/whatsapp/${encodeURIComponent(ctx.account.phone)}/messages`,
      headers: { 'api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_object: metaMessageBody(message), extra_info: { ref: message.correlationId } }),
    };
  },

  parseSendResponse: parseKaleyraSendResponse,

  simulateInbound(input, credentials, account) {
    const media = input.media?.[0];
    return simulated(input.url, metaInboundValue(input), credentials, account, {
      media_url: media?.url ?? '',
      ref: '',
      trace_id: `sim-${input.providerMessageId}`,
    });
  },

  simulateStatus(input, credentials, account) {
    const word = input.status === 'queued' ? 'sent' : input.status;
    return simulated(
      input.url,
      metaStatusValue(input),
      credentials,
      account,
      {
        trace_id: `sim-${input.providerMessageId}`,
        message_id: input.providerMessageId,
        ...(input.correlationId && { ref: input.correlationId }),
      },
      { status: word, message_id: input.providerMessageId },
    );
  },
};
