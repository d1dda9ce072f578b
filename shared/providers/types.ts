/**
 * The contract every provider module fulfils. A provider module is pure apart from `crypto`: it verifies a webhook,
 * parses it into normalised events, says what to answer, and builds / interprets send requests. The webhook
 * function, the sender and the simulator do the I/O around it.
 */
import type { ContentPart, InteractivePart, OutboundLocation, OutboundPartType } from '../domain/content';
import type * as z from 'zod/mini';

export type Channel = 'sms' | 'whatsapp';

export const PROVIDER_TYPES = [
  'twilio',
  'skebby',
  'connectel',
  'clicksend',
  'plivo',
  'clickatell',
  'csctelecom',
  'infobip',
  'intelepeer',
  'bandwidth',
  'telnyx',
  'sinch',
  'meta',
  'kaleyra',
] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** A webhook request as the provider sent it: the signature checks need the untouched bytes and the public URL. */
export interface WebhookRequest {
  method: 'GET' | 'POST';
  /** The public URL the provider called, including the query string (built from the account's domain). */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  rawBody: Buffer;
  query: Record<string, string>;
  /** 'status' when the provider called the `/status` URL; many providers send both kinds to one URL anyway. */
  endpoint: 'message' | 'status';
}

/** What the provider module needs to know about the account it is verifying for. */
export interface AccountContext {
  id: string;
  channel: Channel;
  phone: string;
  /** The account's unguessable proxy token; Meta's verify token is this value. */
  proxyToken: string;
}

export interface MediaRef {
  url: string;
  contentType?: string;
  /** Provider media id where the provider addresses media by id (Meta). */
  id?: string;
}

/** Outbound media by URL, with what an agent may add to it. */
export interface OutboundMedia extends MediaRef {
  caption?: string;
  filename?: string;
}
/**
 * How an account's webhooks prove they come from the provider: the provider's own signature, the account's basic-auth
 * pair, a shared secret (header or code), or nothing at all (only with the account's explicit opt-out).
 */
export type WebhookAuthentication = 'signature' | 'basic' | 'shared-secret' | 'none';

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export interface InboundMessageEvent {
  type: 'message';
  providerMessageId: string;
  /** E.164 of the customer, without channel prefixes such as `whatsapp:`. */
  from: string;
  /** E.164 (or short code) of our number. */
  to: string;
  /** A readable rendering of `parts` (notifications, search, transcripts): `renderParts(parts)`. */
  text: string;
  /** The media of the media parts, in order (what the agent API's `/media/{n}` fetches). */
  media: MediaRef[];
  /** The content, typed (shared/domain/content.ts): nothing the provider sent is dropped. */
  parts: ContentPart[];
  /** The provider's id of the message this one quotes or replies to (Meta `context.id`, Twilio `OriginalRepliedMessageSid`). */
  replyTo?: string;
  /** ISO 8601, when the provider says the message was sent or received; absent when the provider gives none. */
  providerTimestamp?: string;
  profileName?: string;
}

export interface StatusEvent {
  type: 'status';
  providerMessageId: string;
  status: DeliveryStatus;
  /** The provider's own status word, kept for the record. */
  providerStatus: string;
  errorCode?: string;
  errorMessage?: string;
  providerTimestamp?: string;
  /**
   * Our reference for the message, as the provider echoes it in the status (Bandwidth `tag`, ClickSend
   * `custom_string`, ...), where it does: it reconciles a message whose send answer was lost in a crash.
   */
  correlationId?: string;
}

/** A provider's report on a WhatsApp template (Meta's `message_template_status_update` and quality updates). */
export interface TemplateStatusEvent {
  type: 'template';
  /** The provider's template id. */
  providerTemplateId: string;
  name?: string;
  language?: string;
  /** The provider's status word (APPROVED, REJECTED, PAUSED, DISABLED, ...), absent for a quality-only report. */
  event?: string;
  reason?: string;
  /** A quality report: GREEN, YELLOW, RED. */
  quality?: string;
}

export type NormalisedEvent = InboundMessageEvent | StatusEvent;

/** What the webhook queues: the normalised events and the template reports of providers that send them. */
export type QueuedEvent = NormalisedEvent | TemplateStatusEvent;

export interface HttpAnswer {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** The provider-independent outcome vocabulary for sends (issue: outbound). */
export const SEND_ERROR_CODES = [
  'WINDOW_CLOSED',
  'INVALID_NUMBER',
  'NOT_OPTED_IN',
  'RATE_LIMITED',
  'AUTH_FAILED',
  'INSUFFICIENT_FUNDS',
  'TEMPLATE_ERROR',
  'MEDIA_ERROR',
  'INVALID_REQUEST',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_ERROR',
] as const;

export type SendErrorCode = (typeof SEND_ERROR_CODES)[number];

export interface OutboundMessage {
  /** E.164 of the customer. */
  to: string;
  text?: string;
  media?: OutboundMedia[];
  location?: OutboundLocation;
  /** WhatsApp reply buttons or a list, where the provider carries them. */
  interactive?: InteractivePart;
  template?: { name: string; language: string; parameters: string[]; parameterNames?: string[]; headerParameters?: string[] };
  /** Our id for this message, passed where the provider takes a client reference, so a retry is not sent twice. */
  correlationId: string;
  /** Where the provider should post delivery statuses (the account's receive URL + `/status`). */
  statusCallbackUrl: string;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponseSpec {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type SendOutcome =
  | { ok: true; providerMessageId: string }
  | { ok: false; code: SendErrorCode; retryable: boolean; retryAfterMs?: number; detail: string };

export interface SendContext<C> {
  credentials: C;
  account: AccountContext;
  /** The provider API base URL: the configured override, else the account's own, else the provider's default. */
  baseUrl: string;
  /** A bearer token obtained by `authorize`, where the provider needs one. */
  accessToken?: string;
}

export interface ProviderModule<C = Record<string, unknown>> {
  type: ProviderType;
  channels: readonly Channel[];
  /** Credential fields, validated when an admin writes an account. */
  credentials: z.ZodMiniType<C>;
  /** Which credential fields are secret (never returned, never logged). The rest are still write-once config. */
  secretFields: readonly string[];
  defaultBaseUrl: string;
  /**
   * The content parts a send can carry, per channel: a reply with any other part is refused with
   * `UNSUPPORTED_CONTENT` before anything is written or sent.
   */
  sends: Partial<Record<Channel, readonly OutboundPartType[]>>;
  /** Media items one send can carry, where the provider takes fewer than the agent API allows. */
  maxMediaPerMessage?: number;
  /**
   * Where this provider's inbound media come from, from its documentation. Credentials go only to a URL on one of
   * `hosts` (`*.` for any subdomain) over https; media elsewhere are fetched without them, and never from loopback,
   * private, link-local or metadata addresses. `MEDIA_HOSTS_<TYPE>` replaces `hosts` (tests aim it at a fake).
   */
  media: {
    hosts: readonly string[];
    /** Headers that authenticate a download on `hosts`; absent where media links are pre-signed or public. */
    authorization?(credentials: C): Record<string, string>;
  };
  /** How this account's webhooks are authenticated with these credentials. */
  webhookAuthentication(credentials: C): WebhookAuthentication;
  /** Where authentication is the account's choice (no signature of the provider's own): the fields that turn it on. */
  webhookAuthFields?: readonly string[];

  /** Answers a verification handshake (Meta's GET with hub.challenge). Undefined when the request is not one. */
  handshake?(req: WebhookRequest, credentials: C, account: AccountContext): HttpAnswer | undefined;
  /** Throws SignatureError when the provider's own signature (or basic auth, or shared code) does not match. */
  verify(req: WebhookRequest, credentials: C, account: AccountContext, nowMs: number): void;
  /** Throws PayloadError with the reason when the body cannot be parsed. May return several events. */
  parse(req: WebhookRequest, account: AccountContext): NormalisedEvent[];
  /** Template reports in the same webhook (Meta's template status and quality updates); none for most providers. */
  parseTemplateEvents?(req: WebhookRequest): TemplateStatusEvent[];
  /** What to answer once the events are durable (an empty TwiML response for Twilio, a 200 for most). */
  ack(req: WebhookRequest): HttpAnswer;

  /** Obtains a short-lived token where the provider needs one (Sinch OAuth2, IntelePeer 24 h token). */
  authorize?(ctx: Omit<SendContext<C>, 'accessToken'>): {
    request: HttpRequestSpec;
    parse(res: HttpResponseSpec): { token: string; expiresInSeconds: number };
  };
  buildSend(ctx: SendContext<C>, message: OutboundMessage): HttpRequestSpec;
  parseSendResponse(res: HttpResponseSpec): SendOutcome;

  /**
   * Builds a correctly signed webhook, in this provider's format, for an inbound text: what `npm run simulate`,
   * the tests and the benchmarks send. `signing` carries secrets the account does not store (Telnyx's private key).
   */
  simulateInbound(
    input: SimulatedInbound,
    credentials: C,
    account: AccountContext,
    signing?: Record<string, string>,
  ): HttpRequestSpec;
  /** The same for a delivery status of a message we sent. */
  simulateStatus(
    input: SimulatedStatus,
    credentials: C,
    account: AccountContext,
    signing?: Record<string, string>,
  ): HttpRequestSpec;
}

export interface SimulatedInbound {
  /** The full public URL the simulated provider calls (the account's receive URL). */
  url: string;
  providerMessageId: string;
  from: string;
  to: string;
  text: string;
  media?: MediaRef[];
  timestampMs: number;
}

export interface SimulatedStatus {
  url: string;
  providerMessageId: string;
  status: DeliveryStatus;
  errorCode?: string;
  timestampMs: number;
  /**
   * Our reference as the provider echoes it (what `correlationRef` returns): providers whose statuses carry one put it
   * in their own field (Bandwidth `tag`, ClickSend `custom_string`, ...); the others ignore it.
   */
  correlationId?: string;
}
