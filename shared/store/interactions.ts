/**
 * Interactions and their messages. An interaction is one item (`INTERACTION#{id}` / `INTERACTION`, listed per
 * account on gsi1 and per day on gsi2 by creation time) with its messages under the same partition (`MSG#{ulid}`, so a Query returns
 * them in order). Beside them: the open-interaction pointer per account + contact (`OPEN#...`), the dedupe marker
 * per provider message id (`DEDUPE#...`, with a TTL), the provider-id index (`PMSG#...` -> interaction + message)
 * and statuses parked until their message is known (`PSTATUS#...`). Every inbound write is one transaction that
 * includes the dedupe marker, so a message is stored exactly once or not at all.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { StaleVersionError } from '../errors';
import { statusRank } from '../domain/status';
import { partsOf } from '../domain/content';
import type { CloseReason, Interaction, Message, MessageTranslation } from '../domain/interaction';
import { now, nowIso } from '../ports/clock';
import type { DeliveryStatus } from '../providers/types';
import { db, TABLE } from './client';
import { keys } from './keys';
import type { RoutedInteraction } from './routing';
import { transitionItems, writeTransition } from './transition';
import { phoneKey } from './lists';
import { cancellationReasons, getItem, getItems, isConditionFailed, strip, queryAll } from './util';

/** Dedupe markers and parked statuses outlive any provider's redelivery window (Meta retries for 7 days). */
export const DEDUPE_TTL_SECONDS = 8 * 24 * 60 * 60;

export const itemKeys = {
  interaction: keys.interaction,
  message: (interactionId: string, messageId: string) => ({
    pk: `INTERACTION#${interactionId}`,
    sk: `MSG#${messageId}`,
  }),
  pointer: (accountId: string, phone: string) => ({ pk: `OPEN#${accountId}#${phone}`, sk: 'OPEN' }),
  dedupe: (accountId: string, providerMessageId: string) => ({
    pk: `DEDUPE#${accountId}#${providerMessageId}`,
    sk: 'DEDUPE',
  }),
  providerIndex: (accountId: string, providerMessageId: string) => ({
    pk: `PMSG#${accountId}#${providerMessageId}`,
    sk: 'PMSG',
  }),
  parkedStatus: (accountId: string, providerMessageId: string) => ({
    pk: `PSTATUS#${accountId}#${providerMessageId}`,
    sk: 'PSTATUS',
  }),
  /** The contact's link to each of its interactions, under the contact's list (erasure finds them by it). */
  contactLink: (listId: string, contactId: string, interactionId: string) => ({
    pk: `LIST#${listId}`,
    sk: `INTOF#${contactId}#${interactionId}`,
  }),
};

/** The open-interaction pointer carries what the inbound path needs to join without reading the interaction. */
export interface OpenPointer {
  interactionId: string;
  sessionExpiresAt?: string;
}

export interface ProviderIndex {
  interactionId: string;
  messageSk: string;
}

type TxItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const ttl = () => Math.floor(now() / 1000) + DEDUPE_TTL_SECONDS;

/**
 * The stored interaction, listed per account on gsi1 and across accounts on gsi2 in one partition per UTC day
 * (supervisors' lists and searches read these by start time: see interaction-queries.ts).
 */
export function interactionItem(interaction: Interaction) {
  return {
    ...itemKeys.interaction(interaction.id),
    gsi1pk: `ACCOUNT#${interaction.accountId}#INTERACTIONS`,
    gsi1sk: `${interaction.createdAt}#${interaction.id}`,
    gsi2pk: `INTERACTIONS#${interaction.createdAt.slice(0, 10)}`,
    gsi2sk: `${interaction.createdAt}#${interaction.id}`,
    ...interaction,
  };
}

function messageItem(message: Message) {
  return { ...itemKeys.message(message.interactionId, message.id), ...message };
}

/** Messages written before messages had parts read as their text and media. */
function withParts(message: Message): Message {
  return message.parts && message.parts.length > 0 ? message : { ...message, parts: partsOf(message) };
}

export async function getInteraction(id: string, consistent = false): Promise<Interaction | undefined> {
  const item = await getItem<Record<string, unknown>>(itemKeys.interaction(id), consistent);
  return item ? strip<Interaction>(item) : undefined;
}

/** Every message of the interaction, oldest first (ULID order). */
export async function listMessages(interactionId: string): Promise<Message[]> {
  return (
    await queryAll({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':p': `INTERACTION#${interactionId}`, ':m': 'MSG#' },
      ConsistentRead: true,
    })
  ).map((i) => withParts(strip<Message>(i)));
}

/** The account's interactions, oldest first (gsi1 by creation time). */
export async function listInteractionsOf(accountId: string): Promise<Interaction[]> {
  return (
    await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `ACCOUNT#${accountId}#INTERACTIONS` },
    })
  ).map((i) => strip<Interaction>(i));
}

const toPointer = (item: OpenPointer | undefined): OpenPointer | undefined =>
  item ? { interactionId: item.interactionId, ...(item.sessionExpiresAt ? { sessionExpiresAt: item.sessionExpiresAt } : {}) } : undefined;

export async function getOpenPointer(accountId: string, phone: string): Promise<OpenPointer | undefined> {
  return toPointer(await getItem<OpenPointer>(itemKeys.pointer(accountId, phone), true));
}

/**
 * What a message from `phone` needs first, in one strongly consistent BatchGet: its contact's id in the account's
 * list (when `listId` is given) and the account's open-interaction pointer for that phone.
 */
export async function contactAndPointer(
  accountId: string,
  listId: string | undefined,
  phone: string,
  likelyInteractionId?: string,
): Promise<{ contactId?: string; pointer?: OpenPointer; interaction?: Interaction }> {
  const keys = [itemKeys.pointer(accountId, phone)];
  const markerAt = listId ? keys.push(phoneKey(listId, phone)) - 1 : -1;
  const interactionAt = likelyInteractionId ? keys.push(itemKeys.interaction(likelyInteractionId)) - 1 : -1;
  const items = await getItems(keys, true);
  const [pointer, marker, interactionItem] = [items[0], items[markerAt], items[interactionAt]];
  const contactId = marker?.contactId;
  const open = toPointer(pointer as OpenPointer | undefined);
  // The interaction the caller guessed, when the pointer names it: read in the same request, so a follow-up needs no
  // read of its interaction after the append (see appendInbound's `before`).
  const interaction = open && interactionItem && interactionItem.id === open.interactionId ? strip<Interaction>(interactionItem) : undefined;
  return { ...(typeof contactId === 'string' ? { contactId } : {}), ...(open ? { pointer: open } : {}), ...(interaction ? { interaction } : {}) };
}

/** The open pointers of several contacts of one account, by phone (a campaign tick's recipients, read together). */
export async function getOpenPointers(accountId: string, phones: string[]): Promise<Map<string, OpenPointer>> {
  const items = await getItems(phones.map((phone) => itemKeys.pointer(accountId, phone)), true);
  const pointers = new Map<string, OpenPointer>();
  phones.forEach((phone, i) => {
    const pointer = toPointer(items[i] as OpenPointer | undefined);
    if (pointer) pointers.set(phone, pointer);
  });
  return pointers;
}

/** The interaction a new message from this contact would join, if one is open. */
export async function openInteractionFor(accountId: string, phone: string): Promise<Interaction | undefined> {
  const pointer = await getOpenPointer(accountId, phone);
  if (!pointer) return undefined;
  const interaction = await getInteraction(pointer.interactionId, true);
  if (!interaction || interaction.status !== 'open') return undefined;
  if (interaction.sessionExpiresAt && Date.parse(interaction.sessionExpiresAt) <= now()) return undefined;
  return interaction;
}

/** Closes an open interaction, guarded by its version; a lost race is a StaleVersionError. */
export async function closeInteraction(
  current: Interaction,
  reason: CloseReason,
  disposition?: string,
): Promise<Interaction> {
  const at = nowIso();
  const next: Interaction = {
    ...current,
    status: 'closed',
    closedAt: at,
    closeReason: reason,
    ...(disposition ? { disposition } : {}),
    updatedAt: at,
    version: current.version + 1,
  };
  const update = closeUpdate(current, reason, at, disposition);
  // Closing frees the agents' slots, leaves the line and counts on the board, in the same transaction.
  const companions = transitionItems(current as RoutedInteraction, next as RoutedInteraction);
  if (companions.items.length > 0) {
    await writeTransition({ Update: update }, companions, `interaction ${current.id}`);
    return next;
  }
  try {
    await db.send(new UpdateCommand(update));
    return next;
  } catch (error) {
    if (isConditionFailed(error)) throw new StaleVersionError(`interaction ${current.id}`);
    throw error;
  }
}

function closeUpdate(
  current: Pick<Interaction, 'id' | 'version'>,
  reason: CloseReason,
  at: string,
  disposition?: string,
) {
  return {
    TableName: TABLE,
    Key: itemKeys.interaction(current.id),
    UpdateExpression: `SET #s = :closed, closedAt = :at, closeReason = :r, updatedAt = :at, version = :nv${disposition ? ', disposition = :d' : ''}`,
    ConditionExpression: 'version = :v',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':closed': 'closed',
      ':at': at,
      ':r': reason,
      ':v': current.version,
      ':nv': current.version + 1,
      ...(disposition ? { ':d': disposition } : {}),
    },
  };
}

/** The three items every stored inbound message brings: dedupe marker, the message, the provider-id index. */
function inboundItems(accountId: string, message: Message): TxItems {
  const providerMessageId = message.providerMessageId ?? message.id;
  return [
    {
      Put: {
        TableName: TABLE,
        Item: {
          ...itemKeys.dedupe(accountId, providerMessageId),
          interactionId: message.interactionId,
          expiresAt: ttl(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: TABLE, Item: messageItem(message) } },
    {
      Put: {
        TableName: TABLE,
        Item: {
          ...itemKeys.providerIndex(accountId, providerMessageId),
          interactionId: message.interactionId,
          messageSk: `MSG#${message.id}`,
        },
      },
    },
  ];
}

/** stored; duplicate (the dedupe marker exists: already stored once); conflict (another condition failed: re-read). */
export type WriteOutcome = 'stored' | 'duplicate' | 'conflict';

async function transact(items: TxItems): Promise<WriteOutcome> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
    return 'stored';
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons[0] === 'ConditionalCheckFailed') return 'duplicate';
    if (reasons.some((r) => r === 'ConditionalCheckFailed' || r === 'TransactionConflict')) return 'conflict';
    throw error;
  }
}

/**
 * Appends an inbound message to the open interaction the pointer names: one transaction, no read of the
 * interaction. `conflict` means the interaction is closed (or its WhatsApp session over): open a new one.
 *
 * With `before` (the interaction as the caller read it) the append also requires its version unchanged, `conflict`
 * when it moved, and answers the interaction as this write leaves it: the update's own changes applied to `before`.
 */
export async function appendInbound(input: {
  accountId: string;
  message: Message;
  lastInboundAt: string;
  windowExpiresAt?: string;
  before?: Interaction;
}): Promise<{ result: WriteOutcome; interaction?: Interaction }> {
  const { before } = input;
  const at = nowIso();
  const result = await transact([
    ...inboundItems(input.accountId, input.message),
    {
      Update: {
        TableName: TABLE,
        Key: itemKeys.interaction(input.message.interactionId),
        UpdateExpression: `SET updatedAt = :at, lastInboundAt = :li${input.windowExpiresAt ? ', windowExpiresAt = :w' : ''} ADD version :one, messageCount :one, unread :one`,
        ConditionExpression: `#s = :open AND (attribute_not_exists(sessionExpiresAt) OR sessionExpiresAt > :at)${before ? ' AND version = :v' : ''}`,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':at': at,
          ':li': input.lastInboundAt,
          ':one': 1,
          ':open': 'open',
          ...(input.windowExpiresAt ? { ':w': input.windowExpiresAt } : {}),
          ...(before ? { ':v': before.version } : {}),
        },
      },
    },
  ]);
  if (result !== 'stored' || !before) return { result };
  // The SET and ADD above, applied to the version the condition held to.
  const interaction: Interaction = {
    ...before,
    updatedAt: at,
    lastInboundAt: input.lastInboundAt,
    ...(input.windowExpiresAt ? { windowExpiresAt: input.windowExpiresAt } : {}),
    version: before.version + 1,
    messageCount: (before.messageCount ?? 0) + 1,
    unread: (before.unread ?? 0) + 1,
  };
  return { result, interaction };
}

/**
 * Opens a new interaction holding its first message. With `pointer: 'new'` the open pointer is created (it must not
 * exist); with `pointer: { replaces }` it is moved from the interaction it named (which must still be the one).
 * `expire` closes that previous interaction in the same transaction (a WhatsApp session past its 24 h). With
 * `pointer: 'none'` no pointer is written (an interaction recorded closed, e.g. refused by the whitelist).
 */
export function openWithInbound(input: {
  interaction: Interaction;
  message: Message;
  pointer: 'new' | 'none' | { replaces: string };
  expire?: Interaction;
}): Promise<WriteOutcome> {
  const { interaction } = input;
  const items: TxItems = [
    ...inboundItems(interaction.accountId, input.message),
    { Put: { TableName: TABLE, Item: interactionItem(interaction), ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: TABLE, Item: { ...itemKeys.contactLink(interaction.listId, interaction.contactId, interaction.id), interactionId: interaction.id } } },
  ];
  if (input.pointer !== 'none') {
    const pointerItem = {
      ...itemKeys.pointer(interaction.accountId, interaction.contactPhone),
      interactionId: interaction.id,
      ...(interaction.sessionExpiresAt ? { sessionExpiresAt: interaction.sessionExpiresAt } : {}),
    };
    items.push({
      Put:
        input.pointer === 'new'
          ? { TableName: TABLE, Item: pointerItem, ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              TableName: TABLE,
              Item: pointerItem,
              ConditionExpression: 'interactionId = :old',
              ExpressionAttributeValues: { ':old': input.pointer.replaces },
            },
    });
  }
  if (input.expire) {
    const at = nowIso();
    const expired = { ...input.expire, status: 'closed' as const, closedAt: at, closeReason: 'session-expired', updatedAt: at, version: input.expire.version + 1 };
    items.push({ Update: closeUpdate(input.expire, 'session-expired', at) });
    items.push(...transitionItems(input.expire as RoutedInteraction, expired as RoutedInteraction, items.length).items);
  }
  return transact(items);
}

/** Where a provider message id was stored, if it was. */
export async function findByProviderId(
  accountId: string,
  providerMessageId: string,
): Promise<ProviderIndex | undefined> {
  const item = await getItem<ProviderIndex>(itemKeys.providerIndex(accountId, providerMessageId), true);
  return item ? { interactionId: item.interactionId, messageSk: item.messageSk } : undefined;
}

export async function getMessage(interactionId: string, messageSk: string): Promise<Message | undefined> {
  const out = await db.send(
    new GetCommand({
      TableName: TABLE,
      Key: { pk: `INTERACTION#${interactionId}`, sk: messageSk },
      ConsistentRead: true,
    }),
  );
  return out.Item ? withParts(strip<Message>(out.Item)) : undefined;
}

/** Writes a message item as it is and counts it on its interaction, in one transaction (tests arrange with it). */
export async function insertMessage(message: Message): Promise<void> {
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: messageItem(message), ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Update: {
            TableName: TABLE,
            Key: itemKeys.interaction(message.interactionId),
            UpdateExpression: 'ADD messageCount :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    }),
  );
}

/** Marks a closed-by-whitelist interaction as having queued its auto-reply, so a redelivery does not queue it again. */
export async function markAutoReplyQueued(interactionId: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: itemKeys.interaction(interactionId),
      UpdateExpression: 'SET autoReplyQueuedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': nowIso() },
    }),
  );
}

export interface StatusUpdate {
  status: DeliveryStatus;
  providerStatus?: string;
  errorCode?: string;
  errorMessage?: string;
  at: string;
}

/** Applies a status to a known message when it moves the message forward; returns whether it did. */
export async function applyStatusTo(index: ProviderIndex, update: StatusUpdate): Promise<boolean> {
  const rank = statusRank(update.status);
  const values: Record<string, unknown> = { ':s': update.status, ':r': rank, ':at': update.at };
  let set = 'SET #s = :s, statusRank = :r, statusAt = :at';
  if (update.providerStatus) {
    set += ', providerStatus = :ps';
    values[':ps'] = update.providerStatus;
  }
  if (update.errorCode) {
    set += ', errorCode = :ec';
    values[':ec'] = update.errorCode;
  }
  if (update.errorMessage) {
    set += ', errorMessage = :em';
    values[':em'] = update.errorMessage;
  }
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `INTERACTION#${index.interactionId}`, sk: index.messageSk },
        UpdateExpression: set,
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(statusRank) OR statusRank < :r)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Keeps a status whose message is not known yet; of several, the furthest one is kept. */
export async function parkStatus(accountId: string, providerMessageId: string, update: StatusUpdate): Promise<void> {
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...itemKeys.parkedStatus(accountId, providerMessageId),
          ...update,
          statusRank: statusRank(update.status),
          expiresAt: ttl(),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR statusRank < :r',
        ExpressionAttributeValues: { ':r': statusRank(update.status) },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** Applies a status parked for this provider id; returns it when it moved the message forward. */
async function applyParked(
  accountId: string,
  providerMessageId: string,
  index: ProviderIndex,
): Promise<StatusUpdate | undefined> {
  const key = itemKeys.parkedStatus(accountId, providerMessageId);
  const parked = await getItem<StatusUpdate & { statusRank: number }>(key, true);
  if (!parked) return undefined;
  const applied = await applyStatusTo(index, {
    status: parked.status,
    at: parked.at,
    ...(parked.providerStatus ? { providerStatus: parked.providerStatus } : {}),
    ...(parked.errorCode ? { errorCode: parked.errorCode } : {}),
    ...(parked.errorMessage ? { errorMessage: parked.errorMessage } : {}),
  });
  // Only the status just applied is removed: one parked meanwhile with a higher rank stays for the next pass.
  await db
    .send(
      new DeleteCommand({
        TableName: TABLE,
        Key: key,
        ConditionExpression: 'statusRank = :r',
        ExpressionAttributeValues: { ':r': parked.statusRank },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailed(error)) throw error;
    });
  return applied ? parked : undefined;
}

/**
 * Records which message a provider id belongs to (the outbound path calls it once the provider accepted a send)
 * and applies a status that arrived before it. The status path parks first and then looks for the index, this
 * path writes the index first and then looks for a parked status, so whichever runs second sees the other.
 */
export async function recordProviderMessageId(
  accountId: string,
  providerMessageId: string,
  interactionId: string,
  messageSk: string,
): Promise<StatusUpdate | undefined> {
  const index = { interactionId, messageSk };
  await db.send(
    new PutCommand({ TableName: TABLE, Item: { ...itemKeys.providerIndex(accountId, providerMessageId), ...index } }),
  );
  // A status that arrived before this record: applied now, and returned so the caller can tell the agents.
  return applyParked(accountId, providerMessageId, index);
}

/** The status path: apply to the known message, or park it and apply it at once if the message appeared meanwhile. */
export async function recordStatus(
  accountId: string,
  providerMessageId: string,
  update: StatusUpdate,
): Promise<'applied' | 'stale' | 'parked'> {
  const index = await findByProviderId(accountId, providerMessageId);
  if (index) return (await applyStatusTo(index, update)) ? 'applied' : 'stale';
  await parkStatus(accountId, providerMessageId, update);
  const late = await findByProviderId(accountId, providerMessageId);
  if (!late) return 'parked';
  await applyParked(accountId, providerMessageId, late);
  return 'applied';
}

/** What an interaction opened or joined by a campaign message records of it (the agent sees what the reply answers). */
export interface CampaignRef {
  id: string;
  name: string;
  templateId: string;
  templateName: string;
  /** The recipient's place in the campaign. */
  seq: number;
}

/**
 * Opens an interaction with no inbound message yet: a campaign's template opens it, the customer's reply joins it
 * (and routes it, since it was never routed). No window until the template is delivered (`openWindowFrom`).
 */
export function openForOutbound(input: {
  interaction: Omit<Interaction, 'lastInboundAt'> & { campaign: CampaignRef };
  pointer: 'new' | { replaces: string };
  expire?: Pick<Interaction, 'id' | 'version'>;
}): Promise<WriteOutcome> {
  // Stored without lastInboundAt: the customer has not written yet.
  const interaction = input.interaction as unknown as Interaction;
  const pointerItem = {
    ...itemKeys.pointer(interaction.accountId, interaction.contactPhone),
    interactionId: interaction.id,
    ...(interaction.sessionExpiresAt ? { sessionExpiresAt: interaction.sessionExpiresAt } : {}),
  };
  const items: TxItems = [
    { Put: { TableName: TABLE, Item: interactionItem(interaction), ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Put:
        input.pointer === 'new'
          ? { TableName: TABLE, Item: pointerItem, ConditionExpression: 'attribute_not_exists(pk)' }
          : { TableName: TABLE, Item: pointerItem, ConditionExpression: 'interactionId = :old', ExpressionAttributeValues: { ':old': input.pointer.replaces } },
    },
  ];
  if (input.expire) items.push({ Update: closeUpdate(input.expire, 'session-expired', nowIso()) });
  return transact(items);
}

/** Records on an open interaction the campaign whose message joins it; false when it closed meanwhile. */
export async function tagWithCampaign(interactionId: string, campaign: CampaignRef): Promise<boolean> {
  const at = nowIso();
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: itemKeys.interaction(interactionId),
        UpdateExpression: 'SET campaign = :c, updatedAt = :at ADD version :one',
        ConditionExpression: '#s = :open AND (attribute_not_exists(sessionExpiresAt) OR sessionExpiresAt > :at)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':c': campaign, ':at': at, ':one': 1, ':open': 'open' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/**
 * The customer-service window a delivered template opens (seed 002: 24 h from when the first template is delivered),
 * unless the interaction already has a later one.
 */
export async function openWindowFrom(interactionId: string, windowExpiresAt: string): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: itemKeys.interaction(interactionId),
        UpdateExpression: 'SET windowExpiresAt = :w, updatedAt = :at ADD version :one',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(windowExpiresAt) OR windowExpiresAt < :w)',
        ExpressionAttributeValues: { ':w': windowExpiresAt, ':at': nowIso(), ':one': 1 },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Stores a message's translation beside its original; false when the message does not exist. */
export async function setMessageTranslation(interactionId: string, messageId: string, translation: MessageTranslation): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: itemKeys.message(interactionId, messageId),
        UpdateExpression: 'SET #t = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#t': 'translation' },
        ExpressionAttributeValues: { ':t': translation },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
