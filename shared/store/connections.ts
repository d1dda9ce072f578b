/**
 * WebSocket connections, one item each, found by agent through gsi2. An item expires a little after API Gateway's
 * 2 h connection limit, so a connection whose $disconnect was lost does not linger.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../ports/clock';
import { keys } from './keys';
import { db, TABLE } from './client';

export interface Connection {
  connectionId: string;
  agentId: string;
  role: string;
  connectedAt: string;
}

const LIFETIME_SECONDS = 2 * 60 * 60 + 300;

export async function saveConnection(c: Connection): Promise<void> {
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

/** Removes a connection and returns what it was, or undefined when it was already gone. */
export async function removeConnection(connectionId: string): Promise<Connection | undefined> {
  const out = await db.send(
    new DeleteCommand({ TableName: TABLE, Key: keys.connection(connectionId), ReturnValues: 'ALL_OLD' }),
  );
  return out.Attributes as Connection | undefined;
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
