/**
 * The shape of a provider's contract fixtures (test/unit/providers/fixtures/<provider>.ts: data only), and the
 * independent signers the contract suite signs webhooks with, one per signature scheme. The suite itself is
 * test/unit/providers/contract.test.ts; what a provider does that no other does stays in its own test file.
 */
import { createHash, createHmac, createPrivateKey, sign as edSign } from 'node:crypto';
import type {
  AccountContext,
  DeliveryStatus,
  HttpAnswer,
  NormalisedEvent,
  OutboundMessage,
  ProviderModule,
  SendErrorCode,
  SimulatedInbound,
  SimulatedStatus,
  WebhookRequest,
} from '../../shared/providers/types';

/**
 * How a provider proves a webhook is its own. `basic`: an Authorization header with the account's webhook pair;
 * `header-secret`: a static secret header (Kaleyra); `body-code`: a shared code inside the body (IntelePeer);
 * the others are the providers' own HMAC / Ed25519 signatures.
 */
export type SignatureScheme =
  | 'twilio'
  | 'plivo-v3'
  | 'meta'
  | 'sinch'
  | 'telnyx'
  | 'hmac-timestamp'
  | 'basic'
  | 'header-secret'
  | 'body-code';

/** A webhook body: a fixture file of test/fixtures/<dir>/, or a literal, with fields set or removed. */
export interface BodySource {
  file?: string;
  body?: string;
  /** JSON: dotted paths (`results.0.status`) to set; form: field names. */
  set?: Record<string, unknown>;
  unset?: string[];
  /** The account (key of `accounts`) it is parsed for; the first account when absent. */
  account?: string;
  method?: 'GET' | 'POST';
  endpoint?: 'message' | 'status';
}

export interface ParseCase extends BodySource {
  name: string;
  /** Exactly the events the body parses to. */
  events: NormalisedEvent[];
}

export interface StatusWordCase extends BodySource {
  status: DeliveryStatus;
  providerStatus: string;
}

export interface RejectCase extends BodySource {
  /** A PayloadError whose message contains this, or any PayloadError when empty. */
  error: string;
}

export interface SendCase {
  name: string;
  /** Fields over the contract's credentials, and the account key. */
  credentials?: Record<string, unknown>;
  account?: string;
  message: Omit<OutboundMessage, 'correlationId' | 'statusCallbackUrl'> &
    Partial<Pick<OutboundMessage, 'correlationId' | 'statusCallbackUrl'>>;
  /** What the provider receives: the path below the base URL, headers that must be present, the body. */
  request: {
    method: string;
    path: string;
    query?: string;
    headers?: Record<string, string>;
    json?: unknown;
    /** Form bodies as ordered pairs (repeated names kept). */
    form?: [string, string][];
    /** Only these form or JSON fields (toMatchObject), where the rest is asserted elsewhere. */
    partial?: boolean;
    /** Names that must not be sent. */
    absent?: string[];
  };
}

export interface ResponseFixture {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body: unknown;
}

export interface OutcomeCase {
  name: string;
  response: ResponseFixture;
  /** What parseSendResponse returns (at least these fields). */
  outcome: { ok: boolean; providerMessageId?: string; code?: SendErrorCode | string; retryable?: boolean; retryAfterMs?: number };
}

/** An official SDK's published signature test vector. */
export interface SignatureVector {
  name: string;
  /** Where the values come from (repository and file). */
  source: string;
  method?: 'GET' | 'POST';
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Fields over the contract's credentials (the vector's key). */
  credentials: Record<string, unknown>;
  nowMs?: number;
  valid: boolean;
}

export interface SignatureFixture {
  scheme: SignatureScheme;
  /** What the signature covers: a change there must fail verification; a change elsewhere must not. */
  covers: ('body' | 'url' | 'timestamp')[];
  /** Seconds a signature stays valid, where the scheme has a timestamp. */
  toleranceS?: number;
  /** Credentials fields that each make a good signature fail: another key (another user, another password). */
  wrongKeys: Record<string, unknown>[];
  /** Credentials fields that turn webhook authentication off, where the account may choose that. */
  open?: Record<string, unknown>;
  /** `basic`: the credentials fields of the webhook pair. */
  basicFields?: [string, string];
  /** Secrets the account does not store (Telnyx's private key). */
  signing?: Record<string, string>;
  /** How to change one byte of the first inbound fixture: [from, to], first occurrence. */
  tamper?: [string, string];
  vectors?: SignatureVector[];
}

export interface ProviderContract {
  provider: ProviderModule<never>;
  /** Folder under test/fixtures; the provider type when absent. */
  dir?: string;
  /** How the fixture files are encoded: what fuzzing mutates. */
  format: 'json' | 'form';
  /** Credentials with webhook authentication configured. */
  credentials: Record<string, unknown>;
  /** Field sets over `credentials` that the schema must refuse. */
  invalidCredentials: Record<string, unknown>[];
  secretFields: string[];
  defaultBaseUrl: string;
  accounts: Record<string, AccountContext>;
  url: string;
  nowMs: number;
  signature: SignatureFixture;
  /** Every webhook fixture and what it parses to. */
  parses: ParseCase[];
  statusWords: StatusWordCase[];
  /** Bodies that are understood and carry nothing to keep. */
  ignored: BodySource[];
  rejected: RejectCase[];
  ack: HttpAnswer;
  /** The bearer token buildSend needs, where `authorize` obtains one. */
  accessToken?: string;
  sends: SendCase[];
  /** Answers a send may get, and what they mean. */
  outcomes: OutcomeCase[];
  simulate: {
    inbound: SimulateCase<SimulatedInbound>[];
    status: SimulateCase<SimulatedStatus>[];
    /** Each status simulateStatus can say, the provider word it comes back as, and its time where the report keeps it. */
    words: [DeliveryStatus, string, string?][];
  };
}

export interface SimulateCase<I> {
  input: Omit<I, 'url' | 'timestampMs'>;
  account?: string;
  /** Fields over the contract's credentials it is simulated and verified with. */
  credentials?: Record<string, unknown>;
  /** Exactly the headers it sends, where they matter. */
  headers?: Record<string, string>;
  events: NormalisedEvent[];
}

export interface SignInput {
  credentials: Record<string, unknown>;
  signing?: Record<string, string>;
  method: 'GET' | 'POST';
  url: string;
  body: Buffer;
  timestampS: number;
  basicFields?: [string, string];
}

const s = (v: unknown) => (typeof v === 'string' ? v : '');
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** Twilio: base64 HMAC-SHA1 over the URL and the POST parameters sorted by name, then value, each as name+value. */
function twilio(input: SignInput): Record<string, string> {
  const pairs = input.method === 'POST' ? [...new URLSearchParams(input.body.toString('utf8')).entries()] : [];
  pairs.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const data = input.url + pairs.map(([k, v]) => k + v).join('');
  return { 'x-twilio-signature': createHmac('sha1', s(input.credentials.authToken)).update(data).digest('base64') };
}

/**
 * Plivo V3: base64 HMAC-SHA256 over the URL without its query, `?` and the query sorted as `k=v&...`, a `.` when
 * there are both, the POST parameters sorted as `namevalue...`, then `.` and the nonce.
 */
function plivoV3(input: SignInput): Record<string, string> {
  const q = input.url.indexOf('?');
  const base = q < 0 ? input.url : input.url.slice(0, q);
  const sorted = (pairs: [string, string][]) =>
    pairs.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const query = sorted([...new URLSearchParams(q < 0 ? '' : input.url.slice(q + 1)).entries()]);
  const params = input.method === 'POST' ? sorted([...new URLSearchParams(input.body.toString('utf8')).entries()]) : [];
  let data = base;
  if (query.length || params.length) data += `?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  if (query.length && params.length) data += '.';
  const nonce = '12345678901234567890';
  data += `${params.map(([k, v]) => k + v).join('')}.${nonce}`;
  return {
    'x-plivo-signature-v3': createHmac('sha256', s(input.credentials.authToken)).update(data).digest('base64'),
    'x-plivo-signature-v3-nonce': nonce,
  };
}

function meta(input: SignInput): Record<string, string> {
  const hex = createHmac('sha256', s(input.credentials.appSecret)).update(input.body).digest('hex');
  return { 'x-hub-signature-256': `sha256=${hex}` };
}

/** Sinch: base64 HMAC-SHA256 over the raw body, `.nonce`, `.timestamp`. */
function sinch(input: SignInput): Record<string, string> {
  const nonce = '01FJA8B4A7BM43YGWSG9GBV067';
  const ts = String(input.timestampS);
  const sig = createHmac('sha256', s(input.credentials.webhookSecret))
    .update(input.body)
    .update(`.${nonce}.${ts}`)
    .digest('base64');
  return {
    'x-sinch-webhook-signature': sig,
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': ts,
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
  };
}

/** Telnyx: Ed25519 over `timestamp|raw body` with the private key of the account's public key. */
function telnyx(input: SignInput): Record<string, string> {
  const ts = String(input.timestampS);
  const key = createPrivateKey(s(input.signing?.privateKeyPem));
  const sig = edSign(null, Buffer.concat([Buffer.from(`${ts}|`), input.body]), key).toString('base64');
  return { 'telnyx-signature-ed25519': sig, 'telnyx-timestamp': ts };
}

/** Switchboard's JSON contract: `sha256=` hex HMAC-SHA256 over `timestamp.` + raw body. */
function hmacTimestamp(input: SignInput): Record<string, string> {
  const ts = String(input.timestampS);
  const hex = createHmac('sha256', s(input.credentials.webhookSecret)).update(`${ts}.`).update(input.body).digest('hex');
  return { 'x-signature-timestamp': ts, 'x-signature': `sha256=${hex}` };
}

const SIGNERS: Record<SignatureScheme, (input: SignInput) => Record<string, string>> = {
  twilio,
  'plivo-v3': plivoV3,
  meta,
  sinch,
  telnyx,
  'hmac-timestamp': hmacTimestamp,
  basic: (input) => {
    const [user, pass] = input.basicFields ?? ['webhookUsername', 'webhookPassword'];
    return { authorization: basic(s(input.credentials[user]), s(input.credentials[pass])) };
  },
  'header-secret': (input) => ({
    [s(input.credentials.webhookSecretHeader || 'x-kaleyra-secret').toLowerCase()]: s(input.credentials.webhookSecret),
  }),
  // The code travels in the body itself (the fixture carries it).
  'body-code': () => ({}),
};

/** The headers a provider would send with this body, signed independently of the provider module. */
export function signWebhook(scheme: SignatureScheme, input: SignInput): Record<string, string> {
  return SIGNERS[scheme](input);
}

/** A webhook request as the webhook function hands it to a provider module. */
export function webhookRequest(
  url: string,
  rawBody: Buffer | string,
  headers: Record<string, string> = {},
  method: 'GET' | 'POST' = 'POST',
  endpoint: 'message' | 'status' = 'message',
): WebhookRequest {
  const query = Object.fromEntries(new URL(url, 'https://invalid.example').searchParams.entries());
  return { method, url, headers, rawBody: Buffer.from(rawBody), query, endpoint };
}

/** The body of a response fixture as the wire carries it. */
export function responseBody(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** A fixture body with fields set or removed (dotted paths into JSON, or form field names). */
export function editBody(raw: string, format: 'json' | 'form', set: Record<string, unknown> = {}, unset: string[] = []): string {
  if (format === 'form') {
    const params = new URLSearchParams(raw);
    for (const [k, v] of Object.entries(set)) params.set(k, String(v));
    for (const k of unset) params.delete(k);
    return params.toString();
  }
  const doc = JSON.parse(raw) as unknown;
  const walk = (path: string, fn: (parent: Record<string, unknown>, key: string) => void) => {
    const keys = path.split('.');
    let cur = doc as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
    fn(cur, keys[keys.length - 1] as string);
  };
  for (const [path, v] of Object.entries(set)) walk(path, (p, k) => (p[k] = v));
  for (const path of unset) walk(path, (p, k) => delete p[k]);
  return JSON.stringify(doc);
}

/** The SHA-256 a Twilio JSON-bodied webhook URL carries (bodySHA256). */
export const sha256Hex = (body: string) => createHash('sha256').update(body).digest('hex');
