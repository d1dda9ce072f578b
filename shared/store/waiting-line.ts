/**
 * The waiting line of each queue, kept in the store so it survives restarts: one item per waiting interaction under
 * the queue's partition (`QUEUE#{id}` / `WAIT#{enteredAt}#{interactionId}`), so a Query returns the line in the order
 * interactions first entered the queue; gsi1 lists the same items per account, oldest first. The items are written
 * only in the transaction that changes the interaction (shared/store/transition.ts): never out of step with it.
 */
import type { LineEntry } from '../domain/queueing';
import type { Channel } from '../providers/types';
import { TABLE } from './client';
import { queryAll } from './util';
import { db } from './client';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';

export const lineKey = (queueId: string, enteredAt: string, interactionId: string) => ({
  pk: `QUEUE#${queueId}`,
  sk: `WAIT#${enteredAt}#${interactionId}`,
});

export interface LineItem extends LineEntry {
  contactPhone: string;
}

export function lineItem(entry: LineItem) {
  return {
    ...lineKey(entry.queueId, entry.enteredAt, entry.interactionId),
    gsi1pk: `ACCOUNT#${entry.accountId}#WAITING`,
    gsi1sk: `${entry.enteredAt}#${entry.interactionId}`,
    ...entry,
  };
}

function fromItem(item: Record<string, unknown>): LineItem {
  return {
    interactionId: String(item.interactionId),
    queueId: String(item.queueId),
    accountId: String(item.accountId),
    channel: item.channel as Channel,
    contactPhone: String(item.contactPhone ?? ''),
    enteredAt: String(item.enteredAt),
    phase: String(item.phase),
    offeredTo: (item.offeredTo as string[] | undefined) ?? [],
    declined: (item.declined as string[] | undefined) ?? [],
  };
}

/** The first `limit` of the queue's line, longest waiting first (strongly consistent: it decides offers). */
export async function lineHead(queueId: string, limit: number): Promise<LineItem[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :w)',
      ExpressionAttributeValues: { ':p': `QUEUE#${queueId}`, ':w': 'WAIT#' },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map(fromItem);
}

/** The whole line of a queue, in order. */
export async function fullLine(queueId: string): Promise<LineItem[]> {
  return (
    await queryAll({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :w)',
      ExpressionAttributeValues: { ':p': `QUEUE#${queueId}`, ':w': 'WAIT#' },
      ConsistentRead: true,
    })
  ).map(fromItem);
}

/** When the account's longest-waiting interaction entered its queue, if one waits. */
export async function oldestWaitingOf(accountId: string): Promise<string | undefined> {
  const out = await db.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `ACCOUNT#${accountId}#WAITING` },
      Limit: 1,
    }),
  );
  const first = out.Items?.[0];
  return first ? String(first.enteredAt) : undefined;
}
