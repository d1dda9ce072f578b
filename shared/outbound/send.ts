/**
 * The sender's use case: one outbound job in, at most one provider call out, and a recorded outcome.
 *
 * - A job names a message item; the message's status decides: `pending` is sent, `sent`/`failed`/later statuses
 *   make the job a duplicate (no-op), `sending` means an earlier run started a provider call and never recorded its
 *   outcome (a crash, a timeout of the function, or a concurrent duplicate delivery).
 * - Before the provider call the message moves `pending -> sending` with `sendingSince`, conditional on the attempt,
 *   so two deliveries of one job never both call the provider.
 * - Retryable outcomes (429, 5xx, timeouts, network errors) put the same job back with attempt + 1 and a delay from
 *   exponential backoff with full jitter (2 s base, 900 s cap), or the provider's Retry-After when that is longer.
 *   After 6 attempts, or on any other outcome, the failure is final: the message is `failed` with the vocabulary code,
 *   the agents are told, and the outbound DLQ receives `{ message, code, detail, attempts }`.
 *
 * Found `sending` (the call's outcome is unknown):
 * - Providers that echo our correlation id in their status callbacks (see ./correlation): nothing is sent again. The
 *   job is re-checked until 2 minutes after the call started; then the message becomes `unconfirmed` and the agents
 *   are told. Nothing else is armed: the provider's status callback is what settles it (the status path can find
 *   the message by its reference on gsi2, `findOutboundByRef`). A duplicate is worse than a reply marked unsure.
 * - Providers that take no client reference (Twilio, Telnyx, Plivo; Connectel and CSC Telecom as implemented): the
 *   reply is sent again once the first call cannot still be running (30 s, the function's timeout). At least once:
 *   the customer may get it twice, but never not at all.
 */
import { createHash } from 'node:crypto';
import { accountCredentials, receiveUrl } from '../admin/account-credentials';
import { config } from '../config';
import { log } from '../logger';
import { now, nowIso } from '../ports/clock';
import { sendMessage } from '../ports/queue';
import { providerFor } from '../providers';
import { retryAfterMs } from '../providers/util';
import type { HttpRequestSpec, HttpResponseSpec, OutboundMedia, OutboundMessage, ProviderModule, SendContext, SendOutcome } from '../providers/types';
import { notifyAccount, type RealtimeEvent } from '../realtime/notify';
import { getAccount, getAccountCached, type Account } from '../store/accounts';
import { recordProviderMessageId } from '../store/interactions';
import {
  claimForSending,
  getInteractionForOutbound,
  getOutboundMessage,
  insertOutboundMessage,
  markDeadLettered,
  markFailed,
  markSent,
  markUnconfirmed,
  messageSk,
  reclaimForSending,
  releaseForRetry,
  type InteractionForOutbound,
  type OutboundMessageItem,
} from '../store/outbound';
import { correlationRef, ECHOES_CORRELATION } from './correlation';
import { afterSend, beforeSend, type SendReport } from './send-listeners';

export { afterSend, beforeSend, type SendReport } from './send-listeners';
import type { AutoReplyJob, DeadLetterRecord, OutboundJob, SendJob } from './messages';
import { windowClosesAt, windowRefuses } from './window';

export const MAX_ATTEMPTS = 6;
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 900_000;
export const SEND_TIMEOUT_MS = 10_000;
/** How long a correlated send may stay unrecorded before the message is declared `unconfirmed` (120 s by default). */
const unconfirmedGraceMs = () => config.SEND_UNCONFIRMED_GRACE_SECONDS * 1000;
/** A call older than the function's timeout cannot still be running. */
export const RESEND_AFTER_MS = 30_000;
/** Tokens are renewed this long before the provider says they expire. */
const TOKEN_MARGIN_MS = 60_000;

type Failure = Extract<SendOutcome, { ok: false }>;

/** Full jitter: a random delay up to min(cap, base * 2^attempt), or Retry-After when that is longer; in whole seconds. */
export function backoffSeconds(attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  const ms = Math.max(random() * ceiling, retryAfterMs ?? 0);
  return Math.min(BACKOFF_CAP_MS / 1000, Math.max(1, Math.ceil(ms / 1000)));
}

async function reportSend(report: SendReport): Promise<void> {
  for (const listener of afterSend) await listener(report);
}

export async function processOutboundJob(job: OutboundJob): Promise<void> {
  if (job.kind === 'auto-reply') return processAutoReply(job);
  return processSend(job);
}

/** The whitelist auto-reply has no message item yet: write it (id = correlation id, so a repeat is one message). */
async function processAutoReply(job: AutoReplyJob): Promise<void> {
  const account = await getAccount(job.accountId);
  if (!account) return log.warn('dropping an auto-reply for an account that no longer exists', { accountId: job.accountId });
  await insertOutboundMessage(
    {
      interactionId: job.interactionId,
      id: job.correlationId,
      accountId: job.accountId,
      direction: 'out',
      kind: 'auto-reply',
      to: job.to,
      text: job.text,
      media: [],
      status: 'pending',
      createdAt: nowIso(),
      attempts: 0,
    },
    correlationRef(account.type, job.correlationId),
  );
  await processSend({ kind: 'send', accountId: job.accountId, interactionId: job.interactionId, messageId: job.correlationId, attempt: 0 });
}

async function processSend(job: SendJob): Promise<void> {
  const message = await getOutboundMessage(job.interactionId, job.messageId);
  if (!message || message.accountId !== job.accountId) {
    return log.warn('dropping an outbound job whose message does not exist', { interactionId: job.interactionId, messageId: job.messageId });
  }
  if (message.status === 'failed') {
    // Failed but the DLQ record never written (a crash in between): write it now.
    if (!message.deadLetteredAt) await deadLetter(message, message.errorCode ?? 'PROVIDER_ERROR', message.errorMessage ?? '');
    return;
  }
  if (message.status !== 'pending' && message.status !== 'sending') return; // already sent (or settled): a duplicate
  // A job older than the message's attempts is a duplicate of one already handled.
  if (message.status === 'pending' ? job.attempt > message.attempts : job.attempt + 1 < message.attempts) return;

  // The account as the message path reads it (a 5 s cache, dropped on this process's writes), as the inbound path does.
  const account = await getAccountCached(job.accountId);
  const interaction = await getInteractionForOutbound(job.interactionId);
  if (!account || !interaction) {
    return finalFailure(account, interaction, message, 'INVALID_REQUEST', account ? 'the interaction no longer exists' : 'the account no longer exists');
  }
  if (message.status === 'sending') return resumeInterrupted(job, account, interaction, message);

  if (windowRefuses(interaction, message.template !== undefined, now())) {
    const closesAt = windowClosesAt(interaction);
    const when = closesAt !== undefined && Number.isFinite(closesAt) ? ` at ${new Date(closesAt).toISOString()}` : '';
    return finalFailure(account, interaction, message, 'WINDOW_CLOSED', `the WhatsApp customer-service window closed${when}; only a template may be sent`);
  }
  for (const gate of beforeSend) if (!(await gate(message))) return;
  const claimed = await claimForSending(message, message.attempts, nowIso());
  if (!claimed) return; // another delivery of this job claimed it
  await attemptSend(account, interaction, claimed);
}

/** The message was left `sending` by a run whose outcome was never recorded. */
async function resumeInterrupted(job: SendJob, account: Account, interaction: InteractionForOutbound, message: OutboundMessageItem): Promise<void> {
  const elapsed = now() - Date.parse(message.sendingSince ?? message.createdAt);
  const recheck = (waitMs: number) =>
    sendMessage('outbound', { body: JSON.stringify(job), delaySeconds: Math.min(900, Math.max(1, Math.ceil(waitMs / 1000))) });

  if (ECHOES_CORRELATION[account.type]) {
    if (elapsed < unconfirmedGraceMs()) return recheck(unconfirmedGraceMs() - elapsed);
    const marked = await markUnconfirmed(message, nowIso());
    if (marked) {
      log.warn('outbound message unconfirmed: its send was interrupted; waiting for the provider status', { messageId: message.id, provider: account.type });
      await tell(account.id, interaction, marked, {
        type: 'message.status',
        status: 'unconfirmed',
        detail: 'the provider may or may not have accepted this message; its delivery status will tell',
      });
    }
    return;
  }
  if (elapsed < RESEND_AFTER_MS) return recheck(RESEND_AFTER_MS - elapsed);
  if (windowRefuses(interaction, message.template !== undefined, now())) {
    return finalFailure(account, interaction, message, 'WINDOW_CLOSED', 'the WhatsApp customer-service window closed before the reply could be re-sent');
  }
  const reclaimed = await reclaimForSending(message, nowIso());
  if (!reclaimed) return;
  log.warn('re-sending an outbound message whose first send was interrupted (provider takes no correlation id)', { messageId: message.id, provider: account.type });
  await attemptSend(account, interaction, reclaimed);
}

async function attemptSend(account: Account, interaction: InteractionForOutbound, message: OutboundMessageItem): Promise<void> {
  const outcome = await callProvider(account, message);
  if (outcome.ok) return recordSent(account, interaction, message, outcome.providerMessageId);
  if (outcome.retryable && message.attempts < MAX_ATTEMPTS) return scheduleRetry(account, interaction, message, outcome);
  const facts = { messageId: message.id, accountId: account.id, provider: account.type, code: outcome.code, detail: outcome.detail, attempts: message.attempts };
  // Giving up on a provider that never answered is an operator's problem; a refusal (bad number, ...) is the message's.
  if (outcome.retryable) log.error('outbound send gave up: the provider stayed unreachable or kept answering a retryable error', facts);
  else log.warn('outbound send refused by the provider', facts);
  const detail = outcome.retryable ? `${outcome.detail} (gave up after ${message.attempts} attempts)` : outcome.detail;
  return finalFailure(account, interaction, message, outcome.code, detail);
}

async function recordSent(account: Account, interaction: InteractionForOutbound, message: OutboundMessageItem, providerMessageId: string): Promise<void> {
  const sent = await markSent(message, providerMessageId, nowIso());
  if (!sent) return log.warn('a sent message was already settled', { messageId: message.id });
  if (message.kind === 'campaign') {
    // No agent is waiting for a campaign message: the index first, then the campaign hears of it. A status that beat
    // this record was parked and is applied now: the campaign hears of the message as it stands after it. A status
    // arriving after the index is written reaches the campaign through the status path itself.
    const early = await recordProviderMessageId(account.id, providerMessageId, message.interactionId, messageSk(message.id));
    const latest = early ? ((await getOutboundMessage(message.interactionId, message.id)) ?? sent) : sent;
    return reportSend({ message: latest, outcome: { ok: true, providerMessageId }, retrying: false });
  }
  // The index the status path looks statuses up by; applies a status that arrived before this record.
  const early = await recordProviderMessageId(account.id, providerMessageId, message.interactionId, messageSk(message.id));
  await tell(account.id, interaction, sent, { type: 'message.sent', status: 'sent', providerMessageId });
  // A delivery status that beat this record was parked; now applied, the agents hear of it too.
  if (early) await tell(account.id, interaction, sent, { type: 'message.status', status: early.status, providerMessageId, ...(early.errorCode ? { errorCode: early.errorCode } : {}) });
}

async function scheduleRetry(account: Account, interaction: InteractionForOutbound, message: OutboundMessageItem, outcome: Failure): Promise<void> {
  const released = await releaseForRetry(message, outcome.code, outcome.detail);
  if (!released) return;
  const delaySeconds = backoffSeconds(message.attempts - 1, outcome.retryAfterMs);
  const job: SendJob = { kind: 'send', accountId: account.id, interactionId: message.interactionId, messageId: message.id, attempt: message.attempts };
  log.warn('outbound send failed, will retry: the provider is unreachable or answered a retryable error', {
    messageId: message.id,
    accountId: account.id,
    provider: account.type,
    code: outcome.code,
    detail: outcome.detail,
    attempt: message.attempts,
    maxAttempts: MAX_ATTEMPTS,
    delaySeconds,
  });
  await sendMessage('outbound', { body: JSON.stringify(job), delaySeconds });
  await reportSend({ message: released, outcome, retrying: true });
  // The agent hears of the first failed attempt at once, not only of the outcome once every retry is spent.
  if (message.attempts === 1) {
    await tell(account.id, interaction, released, {
      type: 'message.retrying',
      status: released.status,
      code: outcome.code,
      detail: outcome.detail,
      attempt: message.attempts,
      maxAttempts: MAX_ATTEMPTS,
      retryInSeconds: delaySeconds,
    });
  }
}

async function finalFailure(
  account: Account | undefined,
  interaction: InteractionForOutbound | undefined,
  message: OutboundMessageItem,
  code: string,
  detail: string,
): Promise<void> {
  const failed = await markFailed(message, code, detail, nowIso());
  if (!failed) return;
  await deadLetter(failed, code, detail);
  await reportSend({ message: failed, outcome: { ok: false, code: code as Failure['code'], retryable: false, detail }, retrying: false });
  if (account) await tell(account.id, interaction, failed, { type: 'message.failed', status: 'failed', code, detail });
}

async function deadLetter(message: OutboundMessageItem, code: string, detail: string): Promise<void> {
  const record: DeadLetterRecord = { message: { ...message }, code, detail, attempts: message.attempts };
  await sendMessage('outbound-dlq', { body: JSON.stringify(record) });
  await markDeadLettered(message, nowIso());
}

/** Agents learn what became of a message; a notification that cannot be delivered never fails the send. */
async function tell(
  accountId: string,
  interaction: InteractionForOutbound | undefined,
  message: OutboundMessageItem,
  event: Pick<RealtimeEvent, 'type'> & Record<string, unknown>,
): Promise<void> {
  // A campaign's thousands of messages are not news to agents; they see the campaign message when the customer replies.
  if (message.kind === 'campaign') return;
  try {
    await notifyAccount(accountId, {
      ...event,
      type: event.type,
      accountId,
      interactionId: message.interactionId,
      ...(interaction?.version !== undefined ? { version: interaction.version } : {}),
      messageId: message.id,
      ...(message.agentId ? { agentId: message.agentId } : {}),
    });
  } catch (error) {
    log.warn('outbound notification failed', { messageId: message.id, error });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The provider call

const tokens = new Map<string, { token: string; until: number }>();

function tokenKey(account: Account): string {
  // The credentials blob changes when an admin rotates them: a token of the old ones is not reused.
  return `${account.id}:${createHash('sha256').update(account.credentialsBlob).digest('hex').slice(0, 16)}`;
}

async function http(spec: HttpRequestSpec): Promise<HttpResponseSpec> {
  const res = await fetch(spec.url, {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

function networkFailure(error: unknown): Failure {
  const name = (error as Error)?.name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = timedOut ? `no answer within ${SEND_TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error)?.message ?? 'network error');
  return { ok: false, code: 'PROVIDER_UNAVAILABLE', retryable: true, detail: `the provider could not be reached: ${reason}` };
}

type Ctx = Omit<SendContext<Record<string, unknown>>, 'accessToken'>;

/** A bearer token from `authorize`, cached until shortly before it expires (Sinch OAuth2, IntelePeer 24 h). */
async function accessToken(provider: ProviderModule<Record<string, unknown>>, ctx: Ctx, key: string, fresh: boolean): Promise<string | Failure> {
  const hit = tokens.get(key);
  if (!fresh && hit && hit.until > now()) return hit.token;
  const auth = provider.authorize!(ctx);
  let res: HttpResponseSpec;
  try {
    res = await http(auth.request);
  } catch (error) {
    return networkFailure(error);
  }
  try {
    const { token, expiresInSeconds } = auth.parse(res);
    const lifetime = expiresInSeconds * 1000;
    tokens.set(key, { token, until: now() + Math.max(lifetime / 2, lifetime - TOKEN_MARGIN_MS) });
    return token;
  } catch (error) {
    const detail = `token request: HTTP ${res.status}: ${(error as Error).message}`;
    if (res.status === 429 || res.status >= 500) return { ok: false, code: 'PROVIDER_UNAVAILABLE', retryable: true, detail };
    return { ok: false, code: 'AUTH_FAILED', retryable: false, detail };
  }
}

/**
 * A provider that asks to be retried later (429, or a 5xx such as 503 with Retry-After) is waited for, whatever its
 * module's classification passed on: the header of any retryable answer counts.
 */
function withRetryAfter(outcome: SendOutcome, res: HttpResponseSpec): SendOutcome {
  if (outcome.ok || !outcome.retryable || outcome.retryAfterMs !== undefined) return outcome;
  const wait = retryAfterMs(res.headers);
  return wait === undefined ? outcome : { ...outcome, retryAfterMs: wait };
}

/** What the provider module sends: the item's parts when it has them, else its text and media. */
function outboundContent(message: OutboundMessageItem): Pick<OutboundMessage, 'text' | 'media' | 'location' | 'interactive'> {
  const parts = message.parts;
  if (!parts || parts.length === 0) return { text: message.text, ...(message.media.length ? { media: message.media } : {}) };
  const text = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
  const media = parts.flatMap((p): OutboundMedia[] =>
    p.type === 'media' && p.url
      ? [{ url: p.url, ...(p.contentType ? { contentType: p.contentType } : {}), ...(p.caption ? { caption: p.caption } : {}), ...(p.filename ? { filename: p.filename } : {}) }]
      : [],
  );
  const location = parts.find((p) => p.type === 'location');
  const interactive = parts.find((p) => p.type === 'interactive');
  return {
    text,
    ...(media.length ? { media } : {}),
    ...(location ? { location: { type: 'location', latitude: location.latitude, longitude: location.longitude, ...(location.name ? { name: location.name } : {}), ...(location.address ? { address: location.address } : {}) } } : {}),
    ...(interactive ? { interactive } : {}),
  };
}

async function callProvider(account: Account, message: OutboundMessageItem): Promise<SendOutcome> {
  const provider = providerFor(account.type);
  const credentials = await accountCredentials(account);
  const own = typeof credentials.baseUrl === 'string' && credentials.baseUrl ? credentials.baseUrl : undefined;
  const ctx: Ctx = {
    credentials,
    account: { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken },
    baseUrl: config.providerBaseUrls[account.type] ?? own ?? provider.defaultBaseUrl,
  };
  const outbound: OutboundMessage = {
    to: message.to,
    ...(message.template ? { template: message.template } : outboundContent(message)),
    correlationId: message.id,
    statusCallbackUrl: `${receiveUrl(account)}/status`,
  };
  const send = async (token: string | undefined): Promise<SendOutcome> => {
    let spec: HttpRequestSpec;
    try {
      spec = provider.buildSend({ ...ctx, ...(token ? { accessToken: token } : {}) }, outbound);
    } catch (error) {
      return { ok: false, code: 'INVALID_REQUEST', retryable: false, detail: `the request could not be built: ${(error as Error).message}` };
    }
    let res: HttpResponseSpec;
    try {
      res = await http(spec);
    } catch (error) {
      return networkFailure(error);
    }
    try {
      return withRetryAfter(provider.parseSendResponse(res), res);
    } catch (error) {
      return { ok: false, code: 'PROVIDER_ERROR', retryable: false, detail: `unreadable answer (HTTP ${res.status}): ${(error as Error).message}` };
    }
  };

  if (!provider.authorize) return send(undefined);
  const key = tokenKey(account);
  const token = await accessToken(provider, ctx, key, false);
  if (typeof token !== 'string') return token;
  const outcome = await send(token);
  if (outcome.ok || outcome.code !== 'AUTH_FAILED') return outcome;
  // The cached token may have been revoked or expired early: renew it once and try again (the 401 sent nothing).
  tokens.delete(key);
  const renewed = await accessToken(provider, ctx, key, true);
  return typeof renewed === 'string' ? send(renewed) : renewed;
}

/** For tests: forget cached tokens. */
export function clearTokenCache(): void {
  tokens.clear();
}
