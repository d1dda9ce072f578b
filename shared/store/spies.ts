/**
 * Who is spying on an interaction: one item under the interaction's partition (`SPY`) holding the supervisors'
 * connection ids, so deleting the interaction removes it and the notifier reads it in the same BatchGet as the
 * agents' presence (no extra request per event). It expires with API Gateway's 2-hour connection limit; a
 * connection that answers Gone is taken out of it.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../ports/clock';
import { db, TABLE } from './client';
import { getItem } from './util';

const SPY_LIFETIME_SECONDS = 2 * 60 * 60 + 60;

export const spyKey = (interactionId: string) => ({ pk: `INTERACTION#${interactionId}`, sk: 'SPY' });

export async function addSpy(interactionId: string, connectionId: string, agentId: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: spyKey(interactionId),
      UpdateExpression: 'SET interactionId = :i, expiresAt = :e, lastSpyAgentId = :a ADD connectionIds :c',
      ExpressionAttributeValues: { ':i': interactionId, ':e': Math.floor(now() / 1000) + SPY_LIFETIME_SECONDS, ':a': agentId, ':c': new Set([connectionId]) },
    }),
  );
}

export async function removeSpy(interactionId: string, connectionId: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: spyKey(interactionId),
      UpdateExpression: 'DELETE connectionIds :c',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':c': new Set([connectionId]) },
    }),
  ).catch(() => undefined);
}

/** The live spy connections of one interaction. */
export async function spiesOf(interactionId: string): Promise<string[]> {
  const item = await getItem<{ connectionIds?: Set<string>; expiresAt?: number }>(spyKey(interactionId));
  if (!item || (item.expiresAt ?? Infinity) <= Math.floor(now() / 1000)) return [];
  return [...(item.connectionIds ?? [])];
}
