/**
 * Outbound messages: the agent's replies (and templates, canned answers, video links, auto-replies) as message items
 * under their interaction, and the state machine the sender drives them through with conditional writes:
 *
 *   pending ──claim──▶ sending ──▶ sent ──(status callbacks)──▶ delivered / read / failed
 *      ▲                  │  └──▶ failed            (final: with the vocabulary code and detail)
 *      └──── retry ◀──────┘  └──▶ unconfirmed       (crash between the send and its record, see shared/outbound/send.ts)
 *
 * The message id is a ULID and doubles as the correlation id sent to providers that take one. `attempts` counts the
 * provider calls started: the claim is conditional on it, so a stale or duplicated queue message claims nothing.
 * gsi2 finds a message by the reference the provider echoes in its statuses (`OUTREF#{accountId}#{ref}`), for the
 * status path to reconcile a message whose send response was lost.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors';
import { statusRank } from '../domain/status';
import type { ContentPart } from '../domain/content';
import type { MediaRef } from '../providers/types';
import { db, TABLE } from './client';
import { keys } from './keys';
import { cancellationReasons, getItem, isConditionFailed, strip } from './util';

export type OutboundStatus =
  'pending' | 'sending' | 'unconfirmed' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type OutboundKind = 'reply' | 'template' | 'canned' | 'video' | 'auto-reply' | 'campaign';

export interface OutboundTemplate {
  name: string;
  language: string;
  /** The body's parameter values, in order. */
  parameters: string[];
  /** NAMED templates: the name of each body parameter (Meta's `parameter_name`). */
  parameterNames?: string[];
  /** The header's text parameter, when the template's header has one. */
  headerParameters?: string[];
}

export interface OutboundMessageItem {
  interactionId: string;
  /** ULID: the sort key's suffix and the correlation id. */
  id: string;
  accountId: string;
  direction: 'out';
  kind: OutboundKind;
  /** E.164 of the customer. */
  to: string;
  text: string;
  media: MediaRef[];
  /** The typed content the agent sent (absent on items written before parts existed: text and media). */
  parts?: ContentPart[];
  template?: OutboundTemplate;
  /** A translated reply: what the agent wrote, in its language (`text` is what the customer receives). */
  original?: { text: string; language: string };
  agentId?: string;
  /** A campaign message: the campaign and the recipient's place in it. */
  campaignId?: string;
  recipientSeq?: number;
  status: OutboundStatus;
  createdAt: string;
  /** Provider calls started so far. */
  attempts: number;
  /** When the current provider call started (set with `sending`). */
  sendingSince?: string;
  providerMessageId?: string;
  sentAt?: string;
  statusAt?: string;
  errorCode?: string;
  errorMessage?: string;
  /** When the final failure record reached the outbound DLQ. */
  deadLetteredAt?: string;
}

export const messageSk = (id: string) => `MSG#${id}`;
export const messageKey = (interactionId: string, id: string) => ({
  pk: keys.interaction(interactionId).pk,
  sk: messageSk(id),
});
export const outboundRefKey = (accountId: string, ref: string) => `OUTREF#${accountId}#${ref}`;

/** Statuses from which a message has not reached the provider for sure: a send may still finish there. */
const OPEN = [':pending', ':sending', ':unconfirmed'] as const;
const OPEN_VALUES = { ':pending': 'pending', ':sending': 'sending', ':unconfirmed': 'unconfirmed' };

/**
 * Writes a new outbound message and counts it on its interaction in the same transaction, so `messageCount` is
 * exactly the number of message items (the inbound path counts its own the same way). False when one with this id
 * already exists (a repeated auto-reply): nothing is written or counted twice. The count does not move the
 * interaction's version: it guards routing decisions, which a message sent does not change.
 */
export async function insertOutboundMessage(message: OutboundMessageItem, correlationRef: string): Promise<boolean> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: {
                ...messageKey(message.interactionId, message.id),
                gsi2pk: outboundRefKey(message.accountId, correlationRef),
                gsi2sk: 'MSG',
                ...message,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: TABLE,
              Key: keys.interaction(message.interactionId),
              UpdateExpression: 'ADD messageCount :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons?.[0] === 'ConditionalCheckFailed') return false;
    if (reasons?.[1] === 'ConditionalCheckFailed') throw new NotFoundError(`interaction ${message.interactionId}`);
    throw error;
  }
}

export async function getOutboundMessage(interactionId: string, id: string): Promise<OutboundMessageItem | undefined> {
  const item = await getItem<Record<string, unknown>>(messageKey(interactionId, id), true);
  return item && item.direction === 'out' ? strip<OutboundMessageItem>(item) : undefined;
}

/** The message whose correlation reference a provider echoed in a status (Bandwidth tag, Meta biz_opaque_callback_data...). */
export async function findOutboundByRef(accountId: string, ref: string): Promise<OutboundMessageItem | undefined> {
  const out = await db.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': outboundRefKey(accountId, ref) },
      Limit: 1,
    }),
  );
  const item = out.Items?.[0];
  return item ? strip<OutboundMessageItem>(item) : undefined;
}

type UpdateInput = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>;

async function conditionalUpdate(input: UpdateInput): Promise<OutboundMessageItem | undefined> {
  try {
    const out = await db.send(new UpdateCommand({ ...input, TableName: TABLE, ReturnValues: 'ALL_NEW' }));
    return out.Attributes ? strip<OutboundMessageItem>(out.Attributes) : undefined;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

/**
 * pending -> sending, only for the attempt the queue message carries: undefined when another delivery got there
 * first or the queue message is stale. `attempts` is incremented before the provider is called.
 */
export function claimForSending(
  message: Pick<OutboundMessageItem, 'interactionId' | 'id'>,
  attempt: number,
  at: string,
) {
  return conditionalUpdate({
    Key: messageKey(message.interactionId, message.id),
    UpdateExpression: 'SET #s = :sending, sendingSince = :at, attempts = :next',
    ConditionExpression: '#s = :pending AND attempts = :attempt',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':sending': 'sending',
      ':pending': 'pending',
      ':at': at,
      ':attempt': attempt,
      ':next': attempt + 1,
    },
  });
}

/** sending -> sending again, for a re-send after a crash (providers with no correlation field): only if nobody else re-claimed. */
export function reclaimForSending(message: OutboundMessageItem, at: string) {
  return conditionalUpdate({
    Key: messageKey(message.interactionId, message.id),
    UpdateExpression: 'SET sendingSince = :at',
    ConditionExpression: '#s = :sending AND sendingSince = :since AND attempts = :attempts',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':sending': 'sending',
      ':at': at,
      ':since': message.sendingSince ?? '',
      ':attempts': message.attempts,
    },
  });
}

/** sending -> pending, after a retryable failure; the next queue message carries `attempts` as its attempt. */
export function releaseForRetry(
  message: Pick<OutboundMessageItem, 'interactionId' | 'id'>,
  code: string,
  detail: string,
) {
  return conditionalUpdate({
    Key: messageKey(message.interactionId, message.id),
    UpdateExpression: 'SET #s = :pending, errorCode = :code, errorMessage = :detail REMOVE sendingSince',
    ConditionExpression: '#s = :sending',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':code': code, ':detail': detail },
  });
}

/** -> sent with the provider's id, while the message has not yet reached a final or provider-reported state. */
export function markSent(
  message: Pick<OutboundMessageItem, 'interactionId' | 'id'>,
  providerMessageId: string,
  at: string,
) {
  return conditionalUpdate({
    Key: messageKey(message.interactionId, message.id),
    // statusRank is what the status path compares (shared/domain/status): a late `queued` must not move it back.
    UpdateExpression:
      'SET #s = :sent, statusRank = :rank, providerMessageId = :pmid, sentAt = :at, statusAt = :at REMOVE sendingSince, errorCode, errorMessage',
    ConditionExpression: `#s IN (${OPEN.join(', ')})`,
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ...OPEN_VALUES,
      ':sent': 'sent',
      ':rank': statusRank('sent'),
      ':pmid': providerMessageId,
      ':at': at,
    },
  });
}

/** -> failed for good, with the vocabulary code and the provider's detail. */
export function markFailed(
  message: Pick<OutboundMessageItem, 'interactionId' | 'id'>,
  code: string,
  detail: string,
  at: string,
) {
  return conditionalUpdate({
    Key: messageKey(message.interactionId, message.id),
    UpdateExpression:
      'SET #s = :failed, statusRank = :rank, errorCode = :code, errorMessage = :detail, statusAt = :at REMOVE sendingSince',
    ConditionExpression: `#s IN (${OPEN.join(', ')})`,
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ...OPEN_VALUES,
      ':failed': 'failed',
      ':rank': statusRank('failed'),
      ':code': code,
      ':detail': detail,
      ':at': at,
    },
  });
}

/** sending -> unconfirmed: the provider may or may not have the message; its status callback will tell. */
export function markUnconfirmed(message: OutboundMessageItem, at: string) {
  return conditionalUpdate({
    Key: messageKey(message.interactionId, message.id),
    UpdateExpression: 'SET #s = :unconfirmed, statusAt = :at',
    ConditionExpression: '#s = :sending AND attempts = :attempts',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: {
      ':sending': 'sending',
      ':unconfirmed': 'unconfirmed',
      ':at': at,
      ':attempts': message.attempts,
    },
  });
}

/** unconfirmed -> pending, for a campaign message the provider never reported: it is sent again. */
export function requeueUnconfirmed(message: Pick<OutboundMessageItem, 'interactionId' | 'id'>) {
  return conditionalUpdate({
    Key: messageKey(message.interactionId, message.id),
    UpdateExpression: 'SET #s = :pending REMOVE sendingSince',
    ConditionExpression: '#s = :unconfirmed AND attribute_not_exists(providerMessageId)',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':pending': 'pending', ':unconfirmed': 'unconfirmed' },
  });
}

export async function markDeadLettered(
  message: Pick<OutboundMessageItem, 'interactionId' | 'id'>,
  at: string,
): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: messageKey(message.interactionId, message.id),
      UpdateExpression: 'SET deadLetteredAt = :at',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}

/** The interaction fields the outbound path reads (the interaction item itself belongs to the inbound path). */
export interface InteractionForOutbound {
  id: string;
  accountId: string;
  channel: 'sms' | 'whatsapp';
  contactId?: string;
  contactPhone: string;
  listId?: string;
  status: 'open' | 'closed';
  lastInboundAt?: string;
  windowExpiresAt?: string;
  version?: number;
}

export async function getInteractionForOutbound(id: string): Promise<InteractionForOutbound | undefined> {
  const out = await db.send(new GetCommand({ TableName: TABLE, Key: keys.interaction(id), ConsistentRead: true }));
  return out.Item ? strip<InteractionForOutbound>(out.Item) : undefined;
}
