/**
 * Agent presence and routing statistics, in an item of their own beside the agent (`AGENT#{id}` / `PRESENCE`),
 * so an admin editing the agent never overwrites them and presence changes never conflict with the profile.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CAPACITY, defaultCapacity, type Capacity } from '../domain/queueing';
import { now, nowIso } from '../ports/clock';
import type { Channel } from '../providers/types';
import { db, TABLE } from './client';
import { spyKey } from './spies';
import { getItem, getItems, retryingConflicts } from './util';

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
  /** How many interactions per channel the agent may hold at once (a copy of the agent's, kept beside its load). */
  capacity: Capacity;
  /** The interactions the agent holds per channel: pending offers and assigned open ones. */
  holds: { sms: string[]; whatsapp: string[] };
}

export const presenceKey = (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'PRESENCE' });

/** The attributes of the presence item that carry capacity and load, per channel. */
export const capacityAttribute = (channel: Channel) => (channel === 'sms' ? 'capSms' : 'capWhatsapp');
export const holdsAttribute = (channel: Channel) => (channel === 'sms' ? 'holdsSms' : 'holdsWhatsapp');

const offline = (agentId: string): Presence => ({
  agentId,
  status: 'offline',
  since: new Date(0).toISOString(),
  connectionIds: [],
  capacity: defaultCapacity(),
  holds: { sms: [], whatsapp: [] },
});

type StoredPresence = Omit<Presence, 'connectionIds' | 'capacity' | 'holds'> & {
  connectionIds?: Set<string>;
  capSms?: number;
  capWhatsapp?: number;
  holdsSms?: Set<string>;
  holdsWhatsapp?: Set<string>;
};

function fromItem(agentId: string, item: StoredPresence | undefined): Presence {
  if (!item) return offline(agentId);
  const { connectionIds, capSms, capWhatsapp, holdsSms, holdsWhatsapp, ...rest } = item;
  return {
    ...offline(agentId),
    ...rest,
    connectionIds: [...(connectionIds ?? [])],
    capacity: { sms: capSms ?? DEFAULT_CAPACITY, whatsapp: capWhatsapp ?? DEFAULT_CAPACITY },
    holds: { sms: [...(holdsSms ?? [])], whatsapp: [...(holdsWhatsapp ?? [])] },
  };
}

/** Room left per channel: capacity minus what the agent holds. */
export const roomOf = (p: Presence): Capacity => ({
  sms: Math.max(0, p.capacity.sms - p.holds.sms.length),
  whatsapp: Math.max(0, p.capacity.whatsapp - p.holds.whatsapp.length),
});

export async function getPresence(agentId: string, consistent = false): Promise<Presence> {
  return fromItem(agentId, await getItem<StoredPresence>(presenceKey(agentId), consistent));
}

/** The capacity update an agent write carries in its own transaction, so the copy never differs from the agent. */
export function capacityUpdate(agentId: string, capacity: Capacity) {
  return {
    TableName: TABLE,
    Key: presenceKey(agentId),
    UpdateExpression: 'SET agentId = :a, capSms = :s, capWhatsapp = :w',
    ExpressionAttributeValues: { ':a': agentId, ':s': capacity.sms, ':w': capacity.whatsapp },
  };
}

/**
 * Takes a slot of the agent's capacity for the interaction, only if one is free: the condition and the add are one
 * write, so two offers or accepts racing for the last slot cannot both win. Taking a slot it already has is free.
 */
export function holdUpdate(agentId: string, channel: Channel, interactionId: string) {
  return {
    TableName: TABLE,
    Key: presenceKey(agentId),
    UpdateExpression: 'SET agentId = :a ADD #h :i',
    ConditionExpression:
      'contains(#h, :id) OR (attribute_not_exists(#c) AND (attribute_not_exists(#h) OR size(#h) < :dflt)) OR (attribute_exists(#c) AND ((attribute_not_exists(#h) AND #c > :zero) OR size(#h) < #c))',
    ExpressionAttributeNames: { '#h': holdsAttribute(channel), '#c': capacityAttribute(channel) },
    ExpressionAttributeValues: {
      ':a': agentId,
      ':i': new Set([interactionId]),
      ':id': interactionId,
      ':dflt': DEFAULT_CAPACITY,
      ':zero': 0,
    },
  };
}

export function releaseUpdate(agentId: string, channel: Channel, interactionId: string) {
  return {
    TableName: TABLE,
    Key: presenceKey(agentId),
    UpdateExpression: 'DELETE #h :i',
    ExpressionAttributeNames: { '#h': holdsAttribute(channel) },
    ExpressionAttributeValues: { ':i': new Set([interactionId]) },
  };
}

export async function presenceOf(agentIds: string[]): Promise<Map<string, Presence>> {
  return (await presenceAndSpies(agentIds)).presence;
}

/**
 * The agents' presence and, in the same BatchGet, the live spy connections of an interaction: an offer reads the
 * members' presence anyway, and the notifier needs the spies of what it offers.
 */
export async function presenceAndSpies(agentIds: string[], interactionId?: string): Promise<{ presence: Map<string, Presence>; spies: string[] }> {
  const presence = new Map<string, Presence>(agentIds.map((id) => [id, offline(id)]));
  const spies: string[] = [];
  const items = await getItems([...agentIds.map(presenceKey), ...(interactionId ? [spyKey(interactionId)] : [])]);
  const nowSeconds = Math.floor(now() / 1000);
  for (const item of items as ((StoredPresence & { sk: string; expiresAt?: number }) | undefined)[]) {
    if (!item) continue;
    if (item.sk === 'SPY') {
      if ((item.expiresAt ?? Infinity) > nowSeconds) spies.push(...(item.connectionIds ?? []));
    } else presence.set(item.agentId, fromItem(item.agentId, item));
  }
  return { presence, spies };
}

export async function setPresence(agentId: string, status: PresenceStatus, reason?: string): Promise<Presence> {
  const since = nowIso();
  const out = await retryingConflicts(() =>
    db.send(
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
    ),
  );
  return fromItem(agentId, out.Attributes as StoredPresence);
}

/** Counts an assignment, for the least-recent and fewest-handled strategies. */
export async function recordAssignment(agentId: string): Promise<void> {
  await retryingConflicts(() =>
    db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: presenceKey(agentId),
        UpdateExpression:
          'SET agentId = :a, lastAssignedAt = :t, #s = if_not_exists(#s, :off), since = if_not_exists(since, :t) ADD handledCount :one',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':a': agentId, ':t': nowIso(), ':one': 1, ':off': 'offline' },
      }),
    ),
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
