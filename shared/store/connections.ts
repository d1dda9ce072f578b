/**
 * WebSocket connections, one item each, found by agent through gsi2. An item expires a little after API Gateway's
 * 2 h connection limit, so a connection whose $disconnect was lost does not linger. The agent's presence item also
 * keeps the set of its connection ids, so one BatchGet tells the notifier who is online and where to post.
 */
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../ports/clock';
import { keys } from './keys';
import { unsubscribe } from './board';
import { db, TABLE } from './client';
import { getItem, retryingConflicts } from './util';

export interface Connection {
  connectionId: string;
  agentId: string;
  role: string;
  connectedAt: string;
  /** Subscribed to the supervisors' board. */
  board?: boolean;
}

const LIFETIME_SECONDS = 2 * 60 * 60 + 300;

const presenceKey = (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'PRESENCE' });

/** Adds or removes a connection id in the agent's presence item; returns how many remain. */
async function trackConnection(agentId: string, connectionId: string, change: 'ADD' | 'DELETE'): Promise<number> {
  const out = await retryingConflicts(() =>
    db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: presenceKey(agentId),
        UpdateExpression: change === 'ADD' ? 'SET agentId = :a ADD connectionIds :c' : 'DELETE connectionIds :c',
        ExpressionAttributeValues: { ':c': new Set([connectionId]), ...(change === 'ADD' ? { ':a': agentId } : {}) },
        ReturnValues: 'UPDATED_NEW',
      }),
    ),
  );
  return (out.Attributes?.connectionIds as Set<string> | undefined)?.size ?? 0;
}

export async function saveConnection(c: Connection): Promise<void> {
  await trackConnection(c.agentId, c.connectionId, 'ADD');
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        ...keys.connection(c.connectionId),
        ...c,
        gsi2pk: `AGENTCONN#${c.agentId}`,
        gsi2sk: c.connectionId,
        expiresAt: Math.floor(now() / 1000) + LIFETIME_SECONDS,
      },
    }),
  );
}

/**
 * Removes a connection and returns what it was (with how many connections its agent still has), or undefined when
 * it was already gone.
 */
export async function removeConnection(
  connectionId: string,
): Promise<(Connection & { remaining: number }) | undefined> {
  const out = await db.send(
    new DeleteCommand({ TableName: TABLE, Key: keys.connection(connectionId), ReturnValues: 'ALL_OLD' }),
  );
  const gone = out.Attributes as Connection | undefined;
  if (!gone) {
    // Gone before its item was read (or twice): it must not linger among the board's subscribers either.
    await unsubscribe(connectionId);
    return undefined;
  }
  if (gone.board) await unsubscribe(connectionId);
  return { ...gone, remaining: await trackConnection(gone.agentId, connectionId, 'DELETE') };
}

export async function getConnection(connectionId: string): Promise<Connection | undefined> {
  const item = await getItem<Connection & { pk: string }>(keys.connection(connectionId), true);
  return item
    ? {
        connectionId: item.connectionId,
        agentId: item.agentId,
        role: item.role,
        connectedAt: item.connectedAt,
        ...(item.board ? { board: true } : {}),
      }
    : undefined;
}

export async function markBoardSubscriber(connectionId: string, on: boolean): Promise<void> {
  await db
    .send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.connection(connectionId),
        UpdateExpression: on ? 'SET board = :t' : 'REMOVE board',
        ConditionExpression: 'attribute_exists(pk)',
        ...(on ? { ExpressionAttributeValues: { ':t': true } } : {}),
      }),
    )
    .catch((error: unknown) => {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    });
}

export async function connectionsOf(agentId: string): Promise<Connection[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :p',
      ExpressionAttributeValues: { ':p': `AGENTCONN#${agentId}` },
    }),
  );
  const nowSeconds = Math.floor(now() / 1000);
  // TTL deletion is lazy in DynamoDB too: filter what has expired.
  return ((out.Items ?? []) as (Connection & { expiresAt?: number })[]).filter(
    (c) => (c.expiresAt ?? Infinity) > nowSeconds,
  );
}

/** Removes the given connections of an agent at once (they cannot exist any more); returns how many items were removed. */
export async function forgetConnections(agentId: string, connectionIds: string[]): Promise<number> {
  let removed = 0;
  for (const connectionId of connectionIds) {
    const out = await db.send(new DeleteCommand({ TableName: TABLE, Key: keys.connection(connectionId), ReturnValues: 'ALL_OLD' }));
    if (out.Attributes) removed += 1;
  }
  if (connectionIds.length > 0) {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: presenceKey(agentId),
        UpdateExpression: 'DELETE connectionIds :c',
        ExpressionAttributeValues: { ':c': new Set(connectionIds) },
      }),
    );
  }
  return removed;
}
