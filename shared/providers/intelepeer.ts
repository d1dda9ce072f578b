/**
 * IntelePeer Atmosphere messaging (SMS): inbound messages arrive as `{refid, from, to, message, signature}`, sends go to
 * `POST /_rest/v4/app/sms/send` with a bearer token that `authorize` obtains (valid 24 h) from the API user's
 * username/password.
 * Field names: intelepeer.com "Receiving SMS Messages (V1)", docs.intelepeer.com "Securing Inbound SMS Webhooks",
 * "Sending SMS Messages", "Sending SMS with Delivery Receipts" (`dlr`, `guid`), "API Authentication"
 * (`/_rest/v4/authenticate` -> `{token}`) and the short-code send page (response `{state, refid}`).
 * `signature` is the shared code configured in the Customer Portal, compared in constant time (it is not an HMAC of the
 * payload in the V1 scheme). IntelePeer also lets the webhook URL carry basic-auth credentials; both checks are
 * optional and apply when configured, the proxy token in the URL being checked before this module runs.
 * Not public, so chosen as the most plausible shape: a delivery receipt is posted to the same webhook as a JSON object
 * with `refid` and a `status` (or `state`) word such as DELIVRD / UNDELIV / ACCEPTD, plus `signature` and, optionally,
 * the `guid` the send carried (read as our correlation id when present; absent on receipts of sends without one); MMS fields
 * are not documented, so inbound media are not read and outbound media go out as links.
 */
import { AppError, PayloadError, SignatureError } from '../errors';
import * as z from 'zod/mini';
import type {
  DeliveryStatus,
  HttpResponseSpec,
  NormalisedEvent,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
  WebhookRequest,
} from './types';
import {
  basicAuthHeader,
  parseForm,
  parseJson,
  requireBasicAuth,
  retryAfterMs,
  safeEqual,
  str,
  textContent,
  toE164,
  toIso,
} from './util';

const nonEmpty = z.string().check(z.minLength(1));

const credentialsSchema = z.object({
  /** The Customer Portal user with API access. */
  username: nonEmpty,
  password: nonEmpty,
  /** The shared code IntelePeer puts into each inbound message's `signature`; checked when set. */
  signatureCode: z.optional(nonEmpty),
  webhookUsername: z.optional(nonEmpty),
  webhookPassword: z.optional(nonEmpty),
  authUrl: z._default(z.url(), 'https://customer.intelepeer.com/_rest/v4/authenticate'),
});

export type IntelePeerCredentials = z.infer<typeof credentialsSchema>;

/** Tokens live 24 h; renewing a little early keeps a send from racing the expiry. */
const TOKEN_LIFETIME_SECONDS = 24 * 3600 - 600;

/** The body's fields: JSON as documented, form-encoded tolerated. Throws PayloadError when neither. */
function readFields(raw: Buffer): Record<string, string> {
  const text = raw.toString('utf8').trim();
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

const RECEIPT_STATUS: Record<string, DeliveryStatus> = {
  CREATED: 'queued',
  ENQUEUED: 'queued',
  ACCEPTD: 'sent',
  ACCEPTED: 'sent',
  ENROUTE: 'sent',
  DELIVRD: 'delivered',
  DELIVERED: 'delivered',
};

function statusWord(f: Record<string, string>): string | undefined {
  return f['status'] ?? f['state'] ?? f['RCC_en'];
}

function parseReceipt(f: Record<string, string>, word: string): NormalisedEvent[] {
  const id = f['refid'];
  if (!id) throw new PayloadError('the delivery receipt has no refid');
  const status = RECEIPT_STATUS[word.toUpperCase()] ?? 'failed';
  const errorCode = f['errorcode'] ?? f['error_code'] ?? f['RCC'];
  const timestamp = toIso(f['timestamp'] ?? f['donedate']);
  // buildSend's `guid`, which the receipt of a `dlr: true` send is assumed to echo.
  const correlationId = f['guid'];
  return [
    {
      type: 'status',
      providerMessageId: id,
      status,
      providerStatus: word,
      ...(status === 'failed' ? { errorCode: errorCode ?? word, errorMessage: f['description'] ?? word } : {}),
      ...(timestamp ? { providerTimestamp: timestamp } : {}),
      ...(correlationId ? { correlationId } : {}),
    },
  ];
}

function failure(code: SendErrorCode, retryable: boolean, detail: string, retryAfter?: number): SendOutcome {
  return { ok: false, code, retryable, detail, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}

function webhookHeaders(c: IntelePeerCredentials): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    ...(c.webhookUsername && c.webhookPassword
      ? { Authorization: basicAuthHeader(c.webhookUsername, c.webhookPassword) }
      : {}),
  };
}

const SIM_STATUS: Record<DeliveryStatus, string> = {
  queued: 'ENQUEUED',
  sent: 'ACCEPTD',
  delivered: 'DELIVRD',
  read: 'DELIVRD',
  failed: 'UNDELIV',
};

export const intelepeerProvider: ProviderModule<IntelePeerCredentials> = {
  type: 'intelepeer',
  channels: ['sms'],
  sends: { sms: ['text', 'media'] },
  credentials: credentialsSchema,
  secretFields: ['password', 'signatureCode', 'webhookPassword'],
  defaultBaseUrl: 'https://api.intelepeer.com',
  // Inbound MMS fields are not documented, so no media is read: no host receives credentials.
  media: { hosts: [] },
  webhookAuthentication: (c) => (c.signatureCode ? 'shared-secret' : c.webhookUsername && c.webhookPassword ? 'basic' : 'none'),
  webhookAuthFields: ['signatureCode', 'webhookUsername', 'webhookPassword'],

  verify(req: WebhookRequest, credentials) {
    if (credentials.webhookUsername && credentials.webhookPassword) {
      requireBasicAuth(req.headers, credentials.webhookUsername, credentials.webhookPassword);
    }
    if (!credentials.signatureCode) return;
    let signature: string | undefined;
    try {
      signature = readFields(req.rawBody)['signature'];
    } catch {
      signature = undefined;
    }
    if (!signature) throw new SignatureError('the signature field is missing');
    if (!safeEqual(signature, credentials.signatureCode)) throw new SignatureError('the signature does not match');
  },

  parse(req, account) {
    const f = readFields(req.rawBody);
    const word = statusWord(f);
    if (!('message' in f) && word !== undefined) return parseReceipt(f, word);
    if (!f['refid']) throw new PayloadError('the inbound message has no refid');
    const from = toE164(f['from'] ?? '');
    if (!from) throw new PayloadError('the inbound message has no from');
    return [
      {
        type: 'message',
        providerMessageId: f['refid'],
        // Short codes come as {country}-{code}, e.g. 1-12345; toE164 leaves them as they are.
        from,
        to: toE164(f['to'] || account.phone),
        ...textContent(f['message'] ?? ''),
      },
    ];
  },

  ack() {
    return { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: '' };
  },

  authorize(ctx) {
    return {
      request: {
        method: 'POST',
        url: ctx.credentials.authUrl,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username: ctx.credentials.username, password: ctx.credentials.password }),
      },
      parse(res) {
        let token: string | undefined;
        try {
          token = str((JSON.parse(res.body) as { token?: unknown } | null)?.token);
        } catch {
          token = undefined;
        }
        if (res.status !== 200 || !token)
          throw new AppError(502, 'PROVIDER_AUTH_FAILED', `IntelePeer authentication failed: HTTP ${res.status}`);
        return { token, expiresInSeconds: TOKEN_LIFETIME_SECONDS };
      },
    };
  },

  buildSend(ctx, message) {
    if (!ctx.accessToken)
      throw new AppError(500, 'PROVIDER_TOKEN_MISSING', 'IntelePeer sends need a token from authorize');
    const text = [message.text ?? '', ...(message.media ?? []).map((m) => m.url)].filter(Boolean).join('\n');
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/_rest/v4/app/sms/send`,
      headers: {
        Authorization: `Bearer ${ctx.accessToken}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify({ from: ctx.account.phone, to: message.to, text, guid: message.correlationId, dlr: true }),
    };
  },

  parseSendResponse(res: HttpResponseSpec) {
    const detail = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
    if (res.status === 429) return failure('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    if (res.status >= 500) return failure('PROVIDER_UNAVAILABLE', true, detail);
    // 401 is also an expired token: the sender renews it through authorize.
    if (res.status === 401) return failure('AUTH_FAILED', false, detail);
    // IntelePeer answers 403 when the (international) destination is not available.
    if (res.status === 403) return failure('INVALID_NUMBER', false, detail);
    if (res.status >= 400) return failure('INVALID_REQUEST', false, detail);
    let refid: string | undefined;
    try {
      refid = str((JSON.parse(res.body) as { refid?: unknown } | null)?.refid);
    } catch {
      refid = undefined;
    }
    return refid ? { ok: true, providerMessageId: refid } : failure('PROVIDER_ERROR', false, detail);
  },

  simulateInbound(input, credentials) {
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: JSON.stringify({
        refid: input.providerMessageId,
        from: input.from,
        to: input.to,
        message: input.text,
        ...(credentials.signatureCode ? { signature: credentials.signatureCode } : {}),
      }),
    };
  },

  simulateStatus(input, credentials) {
    const failed = input.status === 'failed';
    return {
      method: 'POST',
      url: input.url,
      headers: webhookHeaders(credentials),
      body: JSON.stringify({
        refid: input.providerMessageId,
        ...(input.correlationId ? { guid: input.correlationId } : {}),
        status: SIM_STATUS[input.status],
        ...(failed ? { errorcode: input.errorCode ?? '1', description: 'Undeliverable' } : {}),
        timestamp: new Date(input.timestampMs).toISOString(),
        ...(credentials.signatureCode ? { signature: credentials.signatureCode } : {}),
      }),
    };
  },
};
