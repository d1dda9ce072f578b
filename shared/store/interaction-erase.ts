/**
 * Deleting an interaction with everything that points at it: its own partition (the interaction, its messages,
 * notes and spy subscriptions, with the media references they hold), the provider-id index and parked statuses of
 * its messages, the open pointer when it still names it, the contact's link, and its timers. An open interaction is
 * closed first, so routing and timers stop acting on it. The interaction item goes last: a delete that fails half
 * way leaves it in place, and deleting again finishes the job.
 *
 * Dedupe markers stay until their TTL, emptied of the interaction id: a provider's late redelivery of a deleted
 * message must stay a duplicate, not bring the conversation back.
 */
import { BatchWriteCommand, DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Interaction } from '../domain/interaction';
import { StaleVersionError } from '../errors';
import { cancelTimers, timerName } from '../ports/timers';
import { db, TABLE } from './client';
import { closeInteraction, DEDUPE_TTL_SECONDS, getInteraction, itemKeys } from './interactions';
import { now } from '../ports/clock';
import { isConditionFailed, queryAll } from './util';

type Key = { pk: string; sk: string };

/** The timers routing and the session arm per interaction (see shared/routing/service.ts). */
const TIMER_KINDS = ['route', 'inactivity', 'session'] as const;

async function batchDelete(keys: Key[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let request: Record<string, { DeleteRequest: { Key: Key } }[]> | undefined = {
      [TABLE]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
    };
    for (let attempt = 0; request && (request[TABLE]?.length ?? 0) > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out = await db.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
    }
  }
}

async function closeIfOpen(interaction: Interaction): Promise<void> {
  let current: Interaction | undefined = interaction;
  for (let attempt = 0; current && current.status === 'open' && attempt < 5; attempt++) {
    try {
      await closeInteraction(current, 'deleted');
      return;
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      current = await getInteraction(current.id, true);
    }
  }
}

/** Deletes the interaction and every item that belongs to it; false when there was none. */
export async function deleteInteraction(id: string): Promise<boolean> {
  const interaction = await getInteraction(id, true);
  if (!interaction) return false;
  await closeIfOpen(interaction);
  await cancelTimers(TIMER_KINDS.map((kind) => timerName(id, kind)));

  const own = await queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `INTERACTION#${id}` }, ConsistentRead: true });
  const related: Key[] = [];
  const dedupes: Key[] = [];
  for (const item of own) {
    const sk = String(item.sk);
    if (!sk.startsWith('MSG#')) continue;
    const providerMessageId = typeof item.providerMessageId === 'string' ? item.providerMessageId : undefined;
    if (providerMessageId) {
      related.push(itemKeys.providerIndex(interaction.accountId, providerMessageId), itemKeys.parkedStatus(interaction.accountId, providerMessageId));
    }
    if (item.direction === 'in') dedupes.push(itemKeys.dedupe(interaction.accountId, providerMessageId ?? sk.slice(4)));
  }
  if (interaction.listId && interaction.contactId) related.push(itemKeys.contactLink(interaction.listId, interaction.contactId, id));
  await batchDelete(related);
  // Markers keep their TTL and lose the reference (see the module comment).
  const expiresAt = Math.floor(now() / 1000) + DEDUPE_TTL_SECONDS;
  await Promise.all(dedupes.map((key) => db.send(new PutCommand({ TableName: TABLE, Item: { ...key, erased: true, expiresAt } }))));
  await db
    .send(
      new DeleteCommand({
        TableName: TABLE,
        Key: itemKeys.pointer(interaction.accountId, interaction.contactPhone),
        ConditionExpression: 'interactionId = :id',
        ExpressionAttributeValues: { ':id': id },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailed(error)) throw error;
    });
  const ownKeys = own.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })).filter((k) => k.sk !== 'INTERACTION');
  await batchDelete(ownKeys);
  await batchDelete([itemKeys.interaction(id)]);
  return true;
}

/** The ids of a contact's interactions, through the contact's links. */
export async function interactionsOfContact(listId: string, contactId: string): Promise<string[]> {
  const links = await queryAll({
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':p': `LIST#${listId}`, ':s': `INTOF#${contactId}#` },
    ConsistentRead: true,
  });
  return links.map((l) => String(l.interactionId));
}
