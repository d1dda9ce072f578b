/**
 * The inbound processor: turns one queued provider event into stored state, idempotently. A message is deduped,
 * its contact found (or created), the whitelist applied, and the message threaded into the contact's open
 * interaction (or a new one) with a single transaction; a status moves its message forward or waits, parked, for
 * the message to be known. Routing is not done here: it listens on `afterInbound`.
 *
 * DynamoDB requests for a message into an existing interaction: account GetItem, contact phone-marker GetItem and
 * pointer GetItem (these two in parallel), one TransactWriteItems: 4; plus one GetItem of the interaction when
 * `afterInbound` has listeners, plus one marker GetItem per whitelist list when the whitelist is on, plus one
 * GetItem of the provider-id index for a reply that quotes another message.
 */
import {
  isOpen,
  isVerifiablePhone,
  messageTime,
  sessionExpiresAt,
  whitelistRefuses,
  windowExpiresAt,
  type Interaction,
  type Message,
} from '../domain/interaction';
import { partsOf } from '../domain/content';
import { log } from '../logger';
import { now, nowIso } from '../ports/clock';
import { sendMessage } from '../ports/queue';
import { getAccountCached, type Account } from '../store/accounts';
import {
  appendInbound,
  findByProviderId,
  getInteraction,
  getMessage,
  contactAndPointer,
  getOpenPointer,
  markAutoReplyQueued,
  openWithInbound,
  recordStatus,
  type WriteOutcome,
} from '../store/interactions';
import { monotonicFactory, stableUlid, ulid } from '../ids';
import { reconcileByReference } from '../outbound/reconcile';
import { contactIdByPhone, createContactId } from './contacts';
import type { InboundEnvelope, MessageEnvelope, StatusEnvelope, TemplateEnvelope } from './envelope';

export interface InboundStored {
  account: Account;
  interaction: Interaction;
  message: Message;
  /** True when this message opened the interaction. */
  opened: boolean;
}

export type InboundListener = (stored: InboundStored) => Promise<void>;

/**
 * Called after a message is stored (and again when a redelivered message finds it stored, so a listener that
 * failed gets another chance): listeners must be idempotent, guarding their writes with the interaction version.
 * A listener's error fails the queue record, which is retried.
 */
export const afterInbound: InboundListener[] = [];

/** Threading retries when a concurrent writer moved the pointer or closed the interaction under us. */
const MAX_ATTEMPTS = 8;

/** Called with a provider's template report (campaigns keep templates in step); idempotent like the others. */
export const afterTemplateStatus: ((envelope: TemplateEnvelope) => Promise<void>)[] = [];

export async function processInbound(envelope: InboundEnvelope): Promise<void> {
  if (envelope.event.type === 'message') return processMessage(envelope as MessageEnvelope);
  if (envelope.event.type === 'template') {
    for (const listener of afterTemplateStatus) await listener(envelope as TemplateEnvelope);
    return;
  }
  return processStatus(envelope as StatusEnvelope);
}

export interface StatusApplied {
  accountId: string;
  interactionId: string;
  messageSk: string;
  status: StatusEnvelope['event']['status'];
  errorCode?: string;
  errorMessage?: string;
}

/** Called after a delivery status moved a message forward (routing tells the agents). Idempotent, like afterInbound. */
export const afterStatus: ((applied: StatusApplied) => Promise<void>)[] = [];

async function processStatus({ accountId, event, receivedAt }: StatusEnvelope): Promise<void> {
  let outcome = await recordStatus(accountId, event.providerMessageId, {
    status: event.status,
    providerStatus: event.providerStatus,
    at: event.providerTimestamp ?? receivedAt,
    ...(event.errorCode ? { errorCode: event.errorCode } : {}),
    ...(event.errorMessage ? { errorMessage: event.errorMessage } : {}),
  });
  // Unknown provider id but our reference: the send answer was lost; the status names the message.
  if (
    outcome === 'parked' &&
    event.correlationId &&
    (await reconcileByReference(accountId, event.providerMessageId, event.correlationId))
  ) {
    outcome = 'applied';
  }
  if (outcome !== 'applied' || afterStatus.length === 0) return;
  const index = await findByProviderId(accountId, event.providerMessageId);
  if (!index) return;
  const applied: StatusApplied = {
    accountId,
    interactionId: index.interactionId,
    messageSk: index.messageSk,
    status: event.status,
    ...(event.errorCode ? { errorCode: event.errorCode } : {}),
    ...(event.errorMessage ? { errorMessage: event.errorMessage } : {}),
  };
  for (const listener of afterStatus) await listener(applied);
}

/** Per interaction, the last sort time handed out here and a factory that increments within one millisecond. */
const lastIds = new Map<string, { timeMs: number; next: ReturnType<typeof monotonicFactory> }>();

/**
 * A message's ULID carries the time it sorts by. Two messages of one conversation in the same millisecond (no
 * provider timestamp, arrivals a millisecond apart) keep the order they are processed in, which the FIFO group
 * makes the order they arrived in; a message dated earlier than the last one keeps its own earlier time.
 */
function messageId(interactionId: string, timeMs: number): string {
  const last = lastIds.get(interactionId);
  if (last && timeMs < last.timeMs) return ulid(timeMs);
  const entry = last ?? { timeMs, next: monotonicFactory() };
  entry.timeMs = timeMs;
  if (!last) {
    if (lastIds.size >= 10_000) lastIds.delete(lastIds.keys().next().value as string);
    lastIds.set(interactionId, entry);
  }
  return entry.next(timeMs);
}

type ReplyTo = Message['replyTo'];

function newMessage(envelope: MessageEnvelope, interactionId: string, replyTo: ReplyTo): Message {
  const { event, receivedAt } = envelope;
  const parts = partsOf(event);
  return {
    interactionId,
    id: messageId(interactionId, messageTime(event.providerTimestamp, Date.parse(receivedAt))),
    direction: 'in',
    text: event.text,
    media: event.media,
    parts,
    ...(replyTo ? { replyTo } : {}),
    providerMessageId: event.providerMessageId,
    ...(event.providerTimestamp ? { providerTimestamp: event.providerTimestamp } : {}),
    receivedAt,
    status: 'received',
  };
}

function newInteraction(
  account: Account,
  contactId: string,
  phone: string,
  lastInboundAt: string,
  closed?: 'whitelist',
): Interaction {
  const createdAt = nowIso();
  const session = sessionExpiresAt(account.channel, createdAt);
  const window = windowExpiresAt(account.channel, lastInboundAt);
  return {
    id: ulid(),
    accountId: account.id,
    channel: account.channel,
    contactId,
    contactPhone: phone,
    listId: account.listId,
    status: closed ? 'closed' : 'open',
    createdAt,
    updatedAt: createdAt,
    lastInboundAt,
    ...(window ? { windowExpiresAt: window } : {}),
    ...(session ? { sessionExpiresAt: session } : {}),
    messageCount: 1,
    unread: closed ? 0 : 1,
    version: 1,
    ...(isVerifiablePhone(phone) ? {} : { senderUnverifiable: true as const }),
    ...(closed ? { closedAt: createdAt, closeReason: closed } : {}),
  };
}

async function processMessage(envelope: MessageEnvelope): Promise<void> {
  const { accountId, event } = envelope;
  const account = await getAccountCached(accountId);
  // The account was deleted after the webhook accepted the event: nothing can hold the message any more.
  if (!account) return log.warn('dropping an inbound message for an account that no longer exists', { accountId });
  const phone = event.from;
  const whitelist = account.settings.whitelist;
  // A sender that is no phone number is kept on its interaction but never becomes a list contact (nor a whitelisted one).
  const verifiable = isVerifiablePhone(phone);
  const conversation = `${account.id}#${phone}`;
  const [{ contactId: knownContactId, pointer, interaction: known }, memberOfAny] = await Promise.all([
    contactAndPointer(account.id, verifiable ? account.listId : undefined, phone, lastInteractionOf.get(conversation)),
    whitelist.enabled ? verifiable && inAnyList(whitelist.listIds, phone) : Promise.resolve(true),
  ]);
  const contactId = knownContactId ?? (verifiable ? await createContactId(account.listId, phone) : '');

  const replyTo = await quoted(account.id, event.replyTo);
  if (whitelistRefuses(whitelist, memberOfAny)) return refuse(envelope, account, contactId, replyTo);

  let current = pointer;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // The interaction read beside the pointer serves the first attempt only: after a conflict it may be stale.
    const outcome = await thread(envelope, account, contactId, current, replyTo, attempt === 1 ? known : undefined);
    if (outcome.result === 'duplicate') return notifyDuplicate(account, event.providerMessageId);
    if (outcome.result === 'stored') {
      remember(conversation, outcome.stored.message.interactionId);
      return notify({ account, ...outcome.stored });
    }
    current = await getOpenPointer(account.id, phone);
  }
  throw new Error(`could not thread message ${event.providerMessageId}: the interaction kept changing`);
}

/**
 * Per conversation (account and phone), the interaction its last message went to in this process. The next message
 * of the conversation reads that interaction beside its pointer, in the same request, and appends only if it is
 * unchanged since (appendInbound's `before`): what the interaction is after the append is then known without reading it again,
 * one request less per follow-up. A wrong or stale guess costs nothing but the read.
 */
const lastInteractionOf = new Map<string, string>();

function remember(conversation: string, interactionId: string): void {
  lastInteractionOf.delete(conversation);
  if (lastInteractionOf.size >= 10_000) lastInteractionOf.delete(lastInteractionOf.keys().next().value as string);
  lastInteractionOf.set(conversation, interactionId);
}

type ThreadOutcome =
  | { result: 'stored'; stored: Omit<InboundStored, 'account' | 'interaction'> & { interaction?: Interaction } }
  | { result: Exclude<WriteOutcome, 'stored'> };

/** One attempt: join the interaction the pointer names, or open a new one in place of a closed or expired one. */
async function thread(
  envelope: MessageEnvelope,
  account: Account,
  contactId: string,
  pointer: Awaited<ReturnType<typeof getOpenPointer>>,
  replyTo: ReplyTo,
  known?: Interaction,
): Promise<ThreadOutcome> {
  const lastInboundAt = envelope.receivedAt;
  const expired = pointer !== undefined && !isOpen({ status: 'open', ...pointer }, now());
  if (pointer && !expired) {
    const message = newMessage(envelope, pointer.interactionId, replyTo);
    const window = windowExpiresAt(account.channel, lastInboundAt);
    const before = known?.id === pointer.interactionId && known.status === 'open' ? known : undefined;
    const { result, interaction } = await appendInbound({
      accountId: account.id,
      message,
      lastInboundAt,
      ...(window ? { windowExpiresAt: window } : {}),
      ...(before ? { before } : {}),
    });
    if (result === 'stored') return { result, stored: { message, opened: false, ...(interaction ? { interaction } : {}) } };
    if (result === 'duplicate') return { result };
    // The interaction closed: fall through and open a new one in its place.
  }
  let expire: Interaction | undefined;
  if (pointer) {
    const previous = await getInteraction(pointer.interactionId, true);
    if (previous?.status === 'open' && !isOpen(previous, now())) expire = previous;
    else if (previous?.status === 'open') return { result: 'conflict' }; // reopened meanwhile: read the pointer again
  }
  const interaction = newInteraction(account, contactId, envelope.event.from, lastInboundAt);
  const message = newMessage(envelope, interaction.id, replyTo);
  const result = await openWithInbound({
    interaction,
    message,
    pointer: pointer ? { replaces: pointer.interactionId } : 'new',
    ...(expire ? { expire } : {}),
  });
  return result === 'stored' ? { result, stored: { interaction, message, opened: true } } : { result };
}

/**
 * The message a reply quotes, linked by the provider's id to ours when we stored it (one GetItem, only for a
 * reply). A quote of a message we never saw keeps the provider's id alone.
 */
async function quoted(accountId: string, providerMessageId: string | undefined): Promise<ReplyTo> {
  if (!providerMessageId) return undefined;
  const index = await findByProviderId(accountId, providerMessageId);
  const messageId = index?.messageSk.replace(/^MSG#/, '');
  return { providerMessageId, ...(messageId ? { messageId } : {}) };
}

async function inAnyList(listIds: string[], phone: string): Promise<boolean> {
  const found = await Promise.all(listIds.map((listId) => contactIdByPhone(listId, phone)));
  return found.some((id) => id !== undefined);
}

/** Not whitelisted: the message is kept on an interaction recorded closed, and the auto-reply goes out. */
async function refuse(envelope: MessageEnvelope, account: Account, contactId: string, replyTo: ReplyTo): Promise<void> {
  const interaction = newInteraction(account, contactId, envelope.event.from, envelope.receivedAt, 'whitelist');
  const message = newMessage(envelope, interaction.id, replyTo);
  const result = await openWithInbound({ interaction, message, pointer: 'none' });
  if (result === 'conflict') throw new Error('the whitelist interaction could not be recorded');
  let target: Interaction | undefined = interaction;
  if (result === 'duplicate') {
    // A redelivery: queue the auto-reply only if the first delivery stored the message but failed before queuing it.
    const index = await findByProviderId(account.id, envelope.event.providerMessageId);
    target = index ? await getInteraction(index.interactionId, true) : undefined;
    if (!target || target.closeReason !== 'whitelist' || (target as { autoReplyQueuedAt?: string }).autoReplyQueuedAt)
      return;
  }
  const text = account.settings.whitelist.autoReply;
  // Nothing goes automatically to a sender that is not a phone number.
  if (text && isVerifiablePhone(envelope.event.from)) {
    await sendMessage('outbound', {
      body: JSON.stringify({
        kind: 'auto-reply',
        accountId: account.id,
        interactionId: target.id,
        to: envelope.event.from,
        text,
        // Stable across redeliveries so the sender sends it once.
        correlationId: stableUlid(Date.parse(target.createdAt), `whitelist-auto-reply#${target.id}`),
      }),
    });
  }
  await markAutoReplyQueued(target.id);
}

async function notify(stored: Omit<InboundStored, 'interaction'> & { interaction?: Interaction }): Promise<void> {
  if (afterInbound.length === 0) return;
  // A new interaction is exactly what was just written (its group is processed one message at a time), and so is a
  // follow-up appended to the version read beside its pointer: no re-read.
  const interaction = stored.interaction ?? (await getInteraction(stored.message.interactionId, true));
  if (!interaction) return;
  for (const listener of afterInbound) await listener({ ...stored, interaction });
}

async function notifyDuplicate(account: Account, providerMessageId: string): Promise<void> {
  if (afterInbound.length === 0) return;
  const index = await findByProviderId(account.id, providerMessageId);
  if (!index) return;
  const [interaction, message] = await Promise.all([
    getInteraction(index.interactionId, true),
    getMessage(index.interactionId, index.messageSk),
  ]);
  if (!interaction || !message) return;
  for (const listener of afterInbound) await listener({ account, interaction, message, opened: false });
}
