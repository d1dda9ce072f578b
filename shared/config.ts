/**
 * Configuration, parsed once from the environment when this module loads. Nothing else reads `process.env`.
 * In the cloud the stacks set these per function; locally the engine sets them before it loads any handler.
 */
import * as z from 'zod/mini';
import { issuesToDetails } from './validation';

const optionalString = z.optional(z.string().check(z.minLength(1)));
const integer = (min: number, max: number, fallback: number) =>
  z._default(z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= min && n <= max, `an integer from ${min} to ${max}`)), fallback);

const schema = z.object({
  STAGE: z._default(z.string(), 'local'),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  TABLE_NAME: z._default(z.string().check(z.minLength(3)), 'switchboard'),
  /** A DynamoDB-compatible endpoint (dynoxide locally); unset in the cloud. */
  DDB_ENDPOINT: optionalString,
  SQS_ENDPOINT: optionalString,
  INBOUND_QUEUE_URL: optionalString,
  OUTBOUND_QUEUE_URL: optionalString,
  TIMERS_QUEUE_URL: optionalString,
  EXPORTS_QUEUE_URL: optionalString,
  OUTBOUND_DLQ_URL: optionalString,
  /** The WebSocket management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}` in the cloud). */
  WS_CALLBACK_URL: optionalString,
  /** `aws`: SQS DelaySeconds + Scheduler; `store`: timers kept in the table and fired by the local engine. */
  TIMERS_ADAPTER: z._default(z.enum(['aws', 'store']), 'aws'),
  /** Timers due within this many seconds go through SQS DelaySeconds; later ones through Scheduler. 0 = Scheduler. */
  TIMER_SQS_THRESHOLD_SECONDS: z._default(
    z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 0 && n <= 900)),
    900,
  ),
  SCHEDULE_GROUP: optionalString,
  SCHEDULER_ROLE_ARN: optionalString,
  TIMERS_FUNCTION_ARN: optionalString,
  /** The token-signing secret: the value locally, the Secrets Manager ARN in the cloud. */
  TOKEN_SECRET: optionalString,
  TOKEN_SECRET_ARN: optionalString,
  /** The credentials key: a KMS key ARN in the cloud, a base64 256-bit key locally. */
  CREDENTIALS_KEY_ARN: optionalString,
  LOCAL_DATA_KEY: optionalString,
  /** The default public base URL of receive URLs when an account gives no domain. */
  PUBLIC_BASE_URL: optionalString,
  /** Login throttling (shared/domain/login-throttle.ts): attempts per username from one address before delays. */
  LOGIN_FREE_ATTEMPTS: integer(1, 1000, 5),
  /** Attempts from one address, across usernames, before delays. */
  LOGIN_ADDRESS_FREE_ATTEMPTS: integer(1, 100000, 20),
  /** The first delay once a budget is spent; each further attempt doubles it. */
  LOGIN_DELAY_BASE_MS: integer(1, 3_600_000, 1000),
  LOGIN_DELAY_MAX_SECONDS: integer(1, 86400, 900),
  /** A budget starts again this long after its first attempt. */
  LOGIN_WINDOW_SECONDS: integer(1, 7 * 86400, 3600),
  /** A refused login answers after this fixed delay: every refusal looks (and takes) the same, and costs no CPU. */
  LOGIN_REFUSAL_DELAY_MS: integer(0, 10_000, 250),
  /** Days the audit log keeps a row (a TTL on each row; DynamoDB removes expired rows, listings hide them at once). */
  AUDIT_RETENTION_DAYS: integer(1, 3650, 365),
  /** Blob storage for exports and transcripts: `s3` (BLOB_BUCKET, presigned links) or `local` (BLOB_DIR, signed links). */
  BLOB_ADAPTER: z._default(z.enum(['s3', 'local']), 's3'),
  BLOB_BUCKET: optionalString,
  BLOB_DIR: optionalString,
  /** How long an export's download link works, in seconds. */
  EXPORT_LINK_TTL_SECONDS: integer(60, 604800, 3600),
  /** The board's service level: the share of interactions accepted within this many seconds of entering a queue. */
  SERVICE_LEVEL_SECONDS: integer(1, 86400, 60),
  /** Amazon Translate's endpoint; unset in the cloud (the region's), a fake on loopback in tests. */
  TRANSLATE_ENDPOINT: optionalString,
  /** Google Cloud Translation's base URL (`https://translation.googleapis.com` unless a test aims it at a fake). */
  GOOGLE_TRANSLATE_BASE_URL: z._default(z.url({ protocol: /^https?$/ }), 'https://translation.googleapis.com'),
  /** How long a translation may take before the message goes on untranslated. */
  TRANSLATION_TIMEOUT_MS: integer(100, 60_000, 5000),
  /** The assistant's generative mode: the Bedrock model (Converse API) it calls; unset turns the mode off. */
  BEDROCK_MODEL_ID: optionalString,
  /** Bedrock Runtime's endpoint; unset in the cloud, a fake on loopback in tests. */
  BEDROCK_ENDPOINT: optionalString,
  /** How invitation mails go out: `smtp` (SMTP_URL, nodemailer) or `ses` (Amazon SES v2); unset: SMTP when SMTP_URL is set, else no mail. */
  MAIL_TRANSPORT: z.optional(z.enum(['smtp', 'ses'])),
  /** `smtp://[user:pass@]host:port` or `smtps://…` (implicit TLS); locally the relay invitation mails go through. */
  SMTP_URL: z.optional(z.url({ protocol: /^smtps?$/ })),
  /** The sender of invitation mails (in the cloud, an SES-verified identity: `cdk deploy -c mailFrom=...`). */
  MAIL_FROM: z.optional(z.email()),
  /** Amazon SES's endpoint; unset in the cloud (the region's), a fake on loopback in tests. */
  SES_ENDPOINT: optionalString,
  /** Where the console is (invitation links open its set-password page); default: PUBLIC_BASE_URL + `/console/`. */
  CONSOLE_URL: z.optional(z.url({ protocol: /^https?$/ })),
  /** An interrupted send to a provider that echoes our correlation id stays `sending` this long, then `unconfirmed`. */
  SEND_UNCONFIRMED_GRACE_SECONDS: integer(1, 3600, 120),
  /** A campaign recipient whose message has not moved for this long is driven again (a send job lost in a crash). */
  CAMPAIGN_STUCK_SECONDS: integer(1, 86400, 60),
  /** A campaign message left `unconfirmed` with no provider status for this long (from its send) is sent again. */
  CAMPAIGN_RESEND_UNCONFIRMED_SECONDS: integer(1, 86400, 180),
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
});

export type Config = z.infer<typeof schema> & {
  /** Provider API base URL overrides, from `PROVIDER_BASE_URL_<TYPE>` (tests aim these at fake servers). */
  providerBaseUrls: Record<string, string>;
  /**
   * Media allow-list overrides, from `MEDIA_HOSTS_<TYPE>` (comma-separated `host`, `*.domain`, `host:port` or
   * `http://host:port`): they replace the provider's documented media hosts, and are trusted as named, so tests can
   * aim a provider's media at a fake on loopback. Unset in production.
   */
  mediaHosts: Record<string, string[]>;
};

function load(env: NodeJS.ProcessEnv): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const details = issuesToDetails(result.error.issues);
    throw new Error(`invalid configuration: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  }
  const providerBaseUrls: Record<string, string> = {};
  const mediaHosts: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(env)) {
    const m = /^PROVIDER_BASE_URL_([A-Z0-9]+)$/.exec(key);
    if (m?.[1] && value) providerBaseUrls[m[1].toLowerCase()] = value;
    const h = /^MEDIA_HOSTS_([A-Z0-9]+)$/.exec(key);
    if (h?.[1] && value) mediaHosts[h[1].toLowerCase()] = value.split(',').map((v) => v.trim()).filter(Boolean);
  }
  return { ...result.data, providerBaseUrls, mediaHosts };
}

export const config: Config = load(process.env);

/**
 * Re-reads the environment into `config`. Only the local engine calls it: it learns its own ports once its servers
 * are bound, after some modules may already have loaded. Clients that depend on these values are created lazily.
 */
export function reloadConfig(): void {
  const next = load(process.env);
  // A setting unset since the last load goes too, not only the ones set or changed.
  for (const key of Object.keys(config)) if (!(key in next)) delete (config as Record<string, unknown>)[key];
  Object.assign(config, next);
}

/** A setting this function cannot work without: a clear error naming it rather than an undefined further down. */
export function required<K extends keyof Config>(key: K): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new Error(`configuration ${String(key)} is not set`);
  return value as NonNullable<Config[K]>;
}
