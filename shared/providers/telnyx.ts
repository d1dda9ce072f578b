/**
 * Telnyx Messaging v2 (SMS/MMS): Ed25519 webhook signature, message.received / message.sent / message.finalized
 * parsing, sends. Field names: Telnyx API reference callbacks "inboundMessage" and "deliveryUpdate", "Receiving
 * Webhooks for Messaging", "Send a message" (Messages API), "Messaging Error Code Reference", error 40300; the
 * signature check follows team-telnyx/telnyx-node `src/lib/webhooks.ts` (`timestamp|raw body`, 300 s tolerance).
 * Telnyx publishes a raw 32-byte public key; node's crypto wants it wrapped as SPKI DER. Simulating a webhook needs
 * the matching private key, which the account does not store: pass it as `signing.privateKeyPem` (PKCS#8 PEM).
 */
import { createPrivateKey, createPublicKey, sign, verify as verifySignature, type KeyObject } from 'node:crypto';
import { PayloadError, SignatureError, ValidationError } from '../errors';
import * as z from 'zod/mini';
import type {
  DeliveryStatus,
  HttpRequestSpec,
  MediaRef,
  ProviderModule,
  SendErrorCode,
  SendOutcome,
  StatusEvent,
} from './types';
import { parseJson, pick, retryAfterMs, senderOf, str, textContent, toE164, toIso } from './util';

const TOLERANCE_S = 300;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The portal shows the raw 32-byte key in base64; an SPKI-wrapped (44-byte) key is accepted too. */
function publicKeyObject(base64: string): KeyObject | undefined {
  const raw = Buffer.from(base64.trim(), 'base64');
  const der = raw.length === 32 ? Buffer.concat([SPKI_ED25519_PREFIX, raw]) : raw;
  try {
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

const credentialsSchema = z.object({
  apiKey: z.string().check(z.minLength(1)),
  publicKey: z
    .string()
    .check(
      z.refine((v) => publicKeyObject(v) !== undefined, 'must be the base64 Ed25519 public key from the Telnyx portal'),
    ),
  /** Needed to send from a number pool or an alphanumeric sender. */
  messagingProfileId: z.optional(z.string().check(z.minLength(1))),
});
export type TelnyxCredentials = z.infer<typeof credentialsSchema>;

/** Per-recipient statuses of `payload.to[]`. `delivery_unconfirmed` is final but only means "left Telnyx". */
const STATUS = new Map<string, DeliveryStatus>([
  ['queued', 'queued'],
  ['sending', 'queued'],
  ['sent', 'sent'],
  ['delivery_unconfirmed', 'sent'],
  ['delivered', 'delivered'],
  ['sending_failed', 'failed'],
  ['delivery_failed', 'failed'],
  ['expired', 'failed'],
]);

const ERROR_CODES = new Map<string, SendErrorCode>([
  ['10002', 'INVALID_NUMBER'], // invalid phone number
  ['40300', 'NOT_OPTED_IN'], // blocked: the recipient sent STOP
  ['10009', 'AUTH_FAILED'],
]);

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

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

function signed(
  url: string,
  payload: unknown,
  timestampMs: number,
  signing: Record<string, string> | undefined,
): HttpRequestSpec {
  const pem = signing?.privateKeyPem;
  if (!pem)
    throw new ValidationError(
      'simulating Telnyx needs signing.privateKeyPem (the Ed25519 private key matching publicKey)',
    );
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(timestampMs / 1000));
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ValidationError('signing.privateKeyPem is not a private key in PEM form');
  }
  const signature = sign(null, Buffer.from(`${timestamp}|${body}`), key).toString('base64');
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      'telnyx-signature-ed25519': signature,
      'telnyx-timestamp': timestamp,
    },
    body,
  };
}

export const telnyxProvider: ProviderModule<TelnyxCredentials> = {
  type: 'telnyx',
  channels: ['sms'],
  sends: { sms: ['text', 'media'] },
  credentials: credentialsSchema,
  secretFields: ['apiKey'],
  defaultBaseUrl: 'https://api.telnyx.com/v2',
  // Inbound MMS `media[].url` are pre-signed links on Telnyx's storage: fetched without credentials.
  media: { hosts: [] },
  webhookAuthentication: () => 'signature',

  verify(req, credentials, _account, nowMs) {
    const signature = req.headers['telnyx-signature-ed25519'];
    const timestamp = req.headers['telnyx-timestamp'];
    if (!signature || !timestamp)
      throw new SignatureError('missing telnyx-signature-ed25519 / telnyx-timestamp header');
    if (!/^\d{1,12}$/.test(timestamp)) throw new SignatureError('telnyx-timestamp is not a Unix time');
    if (Math.abs(nowMs / 1000 - Number(timestamp)) > TOLERANCE_S)
      throw new SignatureError('telnyx-timestamp is outside the 300 s tolerance');
    const sig = Buffer.from(signature, 'base64');
    if (sig.length !== 64) throw new SignatureError('telnyx-signature-ed25519 is not an Ed25519 signature');
    const key = publicKeyObject(credentials.publicKey);
    if (!key) throw new SignatureError('the configured Telnyx public key is not a valid Ed25519 key');
    const signedBytes = Buffer.concat([Buffer.from(`${timestamp}|`), req.rawBody]);
    if (!verifySignature(null, signedBytes, key, sig))
      throw new SignatureError('telnyx-signature-ed25519 does not match');
  },

  parse(req, account) {
    const body = parseJson(req.rawBody);
    const data = pick(body, 'data');
    const eventType = str(pick(data, 'event_type'));
    if (!eventType) throw new PayloadError('data.event_type is missing');
    const payload = pick(data, 'payload');
    if (eventType !== 'message.received' && eventType !== 'message.sent' && eventType !== 'message.finalized')
      return [];
    const id = str(pick(payload, 'id'));
    if (!id) throw new PayloadError('data.payload.id is missing');

    if (eventType === 'message.received') {
      const from = str(pick(payload, 'from', 'phone_number'));
      if (!from) throw new PayloadError('data.payload.from.phone_number is missing');
      const media = list(pick(payload, 'media')).flatMap((m): MediaRef[] => {
        const url = str(pick(m, 'url'));
        const contentType = str(pick(m, 'content_type'));
        return url ? [{ url, ...(contentType ? { contentType } : {}) }] : [];
      });
      const at = toIso(str(pick(payload, 'received_at')) ?? str(pick(data, 'occurred_at')));
      return [
        {
          type: 'message',
          providerMessageId: id,
          from: senderOf(from, 'data.payload.from.phone_number'),
          to: toE164(str(pick(payload, 'to', 0, 'phone_number')) ?? account.phone),
          ...textContent(str(pick(payload, 'text')) ?? '', media),
          ...(at ? { providerTimestamp: at } : {}),
        },
      ];
    }

    // We send to one recipient per message, so the first `to` entry is the message's status.
    const raw = str(pick(payload, 'to', 0, 'status')) ?? (eventType === 'message.sent' ? 'sent' : undefined);
    if (!raw) throw new PayloadError('data.payload.to[0].status is missing');
    const mapped = STATUS.get(raw);
    if (!mapped) return [];
    const event: StatusEvent = { type: 'status', providerMessageId: id, status: mapped, providerStatus: raw };
    if (mapped === 'failed') {
      const error = pick(payload, 'errors', 0);
      const code = str(pick(error, 'code'));
      const message = str(pick(error, 'detail')) ?? str(pick(error, 'title'));
      if (code) event.errorCode = code;
      if (message) event.errorMessage = message;
    }
    const at = toIso(
      str(pick(payload, 'completed_at')) ?? str(pick(payload, 'sent_at')) ?? str(pick(data, 'occurred_at')),
    );
    if (at) event.providerTimestamp = at;
    return [event];
  },

  ack() {
    return { statusCode: 200 };
  },

  buildSend(ctx, message) {
    const media = message.media?.map((m) => m.url) ?? [];
    // Telnyx has no client-reference field on messages; the correlation id cannot travel with the send.
    const body = {
      from: ctx.account.phone,
      ...(ctx.credentials.messagingProfileId ? { messaging_profile_id: ctx.credentials.messagingProfileId } : {}),
      to: message.to,
      text: message.text,
      ...(media.length > 0 ? { media_urls: media } : {}),
      webhook_url: message.statusCallbackUrl,
    };
    return {
      method: 'POST',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/messages`,
      headers: {
        authorization: `Bearer ${ctx.credentials.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    };
  },

  parseSendResponse(res) {
    const body = safeJson(res.body);
    if (res.status >= 200 && res.status < 300) {
      const id = str(pick(body, 'data', 'id'));
      return id
        ? { ok: true, providerMessageId: id }
        : fail('PROVIDER_ERROR', false, 'the response carries no data.id');
    }
    const error = pick(body, 'errors', 0);
    const code = str(pick(error, 'code'));
    const text = str(pick(error, 'detail')) ?? str(pick(error, 'title')) ?? res.body.slice(0, 200);
    const detail = `HTTP ${res.status}${code ? ` ${code}` : ''}: ${text}`;
    if (res.status === 429 || code === '10011') return fail('RATE_LIMITED', true, detail, retryAfterMs(res.headers));
    if (res.status >= 500) return fail('PROVIDER_UNAVAILABLE', true, detail);
    if (res.status === 401 || res.status === 403) return fail('AUTH_FAILED', false, detail);
    const mapped = code === undefined ? undefined : ERROR_CODES.get(code);
    return fail(
      mapped ?? (res.status >= 400 && res.status < 500 ? 'INVALID_REQUEST' : 'PROVIDER_ERROR'),
      false,
      detail,
    );
  },

  simulateInbound(input, _credentials, _account, signing) {
    const at = new Date(input.timestampMs).toISOString();
    const media = input.media ?? [];
    const payload = {
      data: {
        record_type: 'event',
        id: `evt-${input.providerMessageId}`,
        event_type: 'message.received',
        occurred_at: at,
        payload: {
          record_type: 'message',
          direction: 'inbound',
          id: input.providerMessageId,
          type: media.length > 0 ? 'MMS' : 'SMS',
          from: { phone_number: input.from, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' },
          to: [{ phone_number: input.to, status: 'delivered', carrier: 'TELNYX LLC', line_type: 'VoIP' }],
          cc: [],
          text: input.text,
          media: media.map((m) => ({ url: m.url, content_type: m.contentType ?? null, size: null, hash_sha256: null })),
          encoding: 'GSM-7',
          parts: 1,
          received_at: at,
          errors: [],
        },
      },
      meta: { attempt: 1, delivered_to: input.url },
    };
    return signed(input.url, payload, input.timestampMs, signing);
  },

  simulateStatus(input, _credentials, account, signing) {
    const at = new Date(input.timestampMs).toISOString();
    const final = input.status === 'delivered' || input.status === 'failed' || input.status === 'read';
    const toStatus =
      input.status === 'failed' ? 'delivery_failed' : input.status === 'read' ? 'delivered' : input.status;
    const payload = {
      data: {
        record_type: 'event',
        id: `evt-${input.providerMessageId}-${input.status}`,
        event_type: final ? 'message.finalized' : 'message.sent',
        occurred_at: at,
        payload: {
          record_type: 'message',
          direction: 'outbound',
          id: input.providerMessageId,
          type: 'SMS',
          from: { phone_number: account.phone, carrier: 'TELNYX LLC', line_type: 'VoIP' },
          to: [
            { phone_number: '+15005550006', status: toStatus, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' },
          ],
          parts: 1,
          sent_at: at,
          completed_at: final ? at : null,
          errors:
            input.status === 'failed'
              ? [
                  {
                    code: input.errorCode ?? '40008',
                    title: 'Undeliverable',
                    detail: 'The recipient carrier did not accept the message.',
                  },
                ]
              : [],
        },
      },
      meta: { attempt: 1, delivered_to: input.url },
    };
    return signed(input.url, payload, input.timestampMs, signing);
  },
};
