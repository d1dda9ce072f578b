/**
 * Agent presence and routing statistics, in an item of their own beside the agent (`AGENT#{id}` / `PRESENCE`),
 * so an admin editing the agent never overwrites them and presence changes never conflict with the profile.
 */
import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { getItem } from './util';

export type PresenceStatus = 'online' | 'paused' | 'offline';

export interface Presence {
  agentId: string;
  status: PresenceStatus;
  reason?: string;
  since: string;
  lastAssignedAt?: string;
  handledCount?: number;
  /** The agent's open WebSocket connections (kept by shared/store/connections.ts). */
  connectionIds: string[];
}

const presenceKey = (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'PRESENCE' });

const offline = (agentId: string): Presence => ({
  agentId,
  status: 'offline',
  since: new Date(0).toISOString(),
  connectionIds: [],
});

type StoredPresence = Omit<Presence, 'connectionIds'> & { connectionIds?: Set<string> };

function fromItem(agentId: string, item: StoredPresence | undefined): Presence {
  if (!item) return offline(agentId);
  return { ...offline(agentId), ...item, connectionIds: [...(item.connectionIds ?? [])] };
}

export async function getPresence(agentId: string): Promise<Presence> {
  return fromItem(agentId, await getItem<StoredPresence>(presenceKey(agentId)));
}

export async function presenceOf(agentIds: string[]): Promise<Map<string, Presence>> {
  const result = new Map<string, Presence>(agentIds.map((id) => [id, offline(id)]));
  for (let i = 0; i < agentIds.length; i += 100) {
    const chunk = agentIds.slice(i, i + 100);
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [TABLE]: { Keys: chunk.map(presenceKey) },
    };
    while (request && Object.keys(request).length > 0) {
      const out = await db.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of (out.Responses?.[TABLE] ?? []) as StoredPresence[])
        result.set(item.agentId, fromItem(item.agentId, item));
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return result;
}

export async function setPresence(agentId: string, status: PresenceStatus, reason?: string): Promise<Presence> {
  const since = nowIso();
  const out = await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: presenceKey(agentId),
      UpdateExpression: reason
        ? 'SET agentId = :a, #s = :s, since = :t, reason = :r'
        : 'SET agentId = :a, #s = :s, since = :t REMOVE reason',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':a': agentId, ':s': status, ':t': since, ...(reason ? { ':r': reason } : {}) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return fromItem(agentId, out.Attributes as StoredPresence);
}

/** Counts an assignment, for the least-recent and fewest-handled strategies. */
export async function recordAssignment(agentId: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: presenceKey(agentId),
      UpdateExpression:
        'SET agentId = :a, lastAssignedAt = :t, #s = if_not_exists(#s, :off), since = if_not_exists(since, :t) ADD handledCount :one',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':a': agentId, ':t': nowIso(), ':one': 1, ':off': 'offline' },
    }),
  );
}

/** The last agent a round-robin queue served. */
export async function lastServed(queueId: string): Promise<string | undefined> {
  const item = await getItem<{ agentId: string }>({ pk: `QUEUE#${queueId}`, sk: 'ROUND_ROBIN' });
  return item?.agentId;
}

export async function setLastServed(queueId: string, agentId: string): Promise<void> {
  await db.send(new PutCommand({ TableName: TABLE, Item: { pk: `QUEUE#${queueId}`, sk: 'ROUND_ROBIN', agentId } }));
}
