/**
 * Agents (users of every role). Username and extension are unique through marker items written in the same
 * transaction as the agent, never by a read-then-write; the username marker is also how login finds the agent.
 */
import { DeleteCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../ids';
import { ConflictError, KeyTakenError, NotFoundError, StaleVersionError } from '../errors';
import type { Role } from '../http/auth';
import { defaultCapacity, type Capacity } from '../domain/queueing';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { capacityUpdate } from './presence';
import { TtlCache } from './cache';
import { cancellationReasons, getItem, isConditionFailed, strip, queryAll } from './util';

const listing = new TtlCache<Agent[]>(5000, 1);

export type Typology = 'phonebar' | 'external' | 'webrtc' | 'mobile';

export interface Agent {
  id: string;
  username: string;
  fullName: string;
  alias?: string;
  typology: Typology;
  email?: string;
  extension: string;
  description?: string;
  voicemail: boolean;
  remoteControl: boolean;
  remoteControlPort?: number;
  pushGateway?: string;
  role: Role;
  disabled: boolean;
  /** Set and cleared only by an admin (the agents page's Locked state); failed logins are throttled, never lock. */
  locked: boolean;
  passwordHash?: string;
  /** Raised on every revocation; a token carrying an older version is refused. Absent means 0. */
  tokenVersion?: number;
  /** The id of the one invitation that may still set the password. */
  inviteId?: string;
  /** Presence, owned by the routing capability. */
  presence?: 'online' | 'paused' | 'offline';
  pauseReason?: string;
  /** How many interactions the agent may hold at once per channel (pending offers and assigned open ones). */
  capacity?: Capacity;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type AgentView = Omit<Agent, 'passwordHash' | 'inviteId' | 'tokenVersion'> & { passwordSet: boolean };

export function agentView(agent: Agent): AgentView {
  // failedLogins: the counter of the hard lock this codebase had before throttling; older items may still carry it.
  const { passwordHash, inviteId: _i, tokenVersion: _t, failedLogins: _f, ...rest } = agent as Agent & { failedLogins?: number };
  return { ...rest, capacity: agent.capacity ?? defaultCapacity(), passwordSet: Boolean(passwordHash) };
}

const usernameKey = (u: string) => keys.unique('username', u.toLowerCase());
const extensionKey = (e: string) => keys.unique('extension', e);

/** The next free extension number (an atomic counter; a collision with a hand-picked one is retried). */
async function nextExtension(): Promise<string> {
  const out = await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: { pk: 'COUNTER#extension', sk: 'COUNTER' },
      UpdateExpression: 'ADD #v :one',
      ExpressionAttributeNames: { '#v': 'value' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return String(1000 + Number(out.Attributes?.value ?? 1));
}

export type NewAgent = Omit<
  Agent,
  'id' | 'createdAt' | 'updatedAt' | 'version' | 'extension' | 'locked' | 'tokenVersion'
> & {
  extension?: string;
};

export async function createAgent(input: NewAgent): Promise<Agent> {
  const generated = input.extension === undefined;
  for (let attempt = 0; ; attempt++) {
    const extension = input.extension ?? (await nextExtension());
    const now = nowIso();
    const agent: Agent = {
      ...input,
      capacity: input.capacity ?? defaultCapacity(),
      extension,
      id: ulid(),
      locked: false,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: TABLE,
                Item: { ...keys.agent(agent.id), gsi1pk: 'AGENTS', gsi1sk: agent.id, ...agent },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: TABLE,
                Item: { ...usernameKey(agent.username), agentId: agent.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: TABLE,
                Item: { ...extensionKey(extension), agentId: agent.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            // The capacity is copied beside the agent's load, where offers and accepts check it.
            { Update: capacityUpdate(agent.id, agent.capacity!) },
          ],
        }),
      );
      listing.clear();
      return agent;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[1] === 'ConditionalCheckFailed') throw new KeyTakenError('username', input.username);
      if (reasons[2] === 'ConditionalCheckFailed') {
        if (generated && attempt < 20) continue;
        throw new KeyTakenError('extension', extension);
      }
      throw error;
    }
  }
}

export async function getAgent(id: string): Promise<Agent | undefined> {
  const item = await getItem<Record<string, unknown>>(keys.agent(id));
  return item ? strip<Agent>(item) : undefined;
}

export async function requireAgent(id: string): Promise<Agent> {
  const agent = await getAgent(id);
  if (!agent) throw new NotFoundError(`agent ${id}`);
  return agent;
}

export async function findAgentByUsername(username: string): Promise<Agent | undefined> {
  const marker = await getItem<{ agentId: string }>(usernameKey(username), true);
  return marker ? getAgent(marker.agentId) : undefined;
}

/** The listing as the board reads it: cached for up to 5 s, like listQueuesCached (queues.ts). */
export async function listAgentsCached(): Promise<Agent[]> {
  return listing.get('all', listAgents);
}

export async function listAgents(): Promise<Agent[]> {
  return (
    await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'AGENTS' },
    })
  ).map((i) => strip<Agent>(i));
}

/**
 * Applies a change guarded by the version read, moving the username and extension markers in the same
 * transaction when they change.
 */
export async function updateAgent(current: Agent, changes: Partial<Agent>): Promise<Agent> {
  const next: Agent = { ...current, ...changes, updatedAt: nowIso(), version: current.version + 1 };
  const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
    {
      Put: {
        TableName: TABLE,
        Item: { ...keys.agent(next.id), gsi1pk: 'AGENTS', gsi1sk: next.id, ...next },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': current.version },
      },
    },
  ];
  const nextCapacity = next.capacity ?? defaultCapacity();
  const currentCapacity = current.capacity ?? defaultCapacity();
  if (nextCapacity.sms !== currentCapacity.sms || nextCapacity.whatsapp !== currentCapacity.whatsapp) {
    items.push({ Update: capacityUpdate(next.id, nextCapacity) });
  }
  const usernameChanged = next.username.toLowerCase() !== current.username.toLowerCase();
  const extensionChanged = next.extension !== current.extension;
  if (usernameChanged) {
    items.push(
      {
        Put: {
          TableName: TABLE,
          Item: { ...usernameKey(next.username), agentId: next.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Delete: { TableName: TABLE, Key: usernameKey(current.username) } },
    );
  }
  if (extensionChanged) {
    items.push(
      {
        Put: {
          TableName: TABLE,
          Item: { ...extensionKey(next.extension), agentId: next.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Delete: { TableName: TABLE, Key: extensionKey(current.extension) } },
    );
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
    listing.clear();
    return next;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons[0] === 'ConditionalCheckFailed') throw new StaleVersionError(`agent ${current.id}`);
    const failedAt = reasons.findIndex((r, i) => i > 0 && r === 'ConditionalCheckFailed');
    const usernameAt = items.findIndex((item) => item.Put?.Item?.pk === usernameKey(next.username).pk);
    if (usernameChanged && failedAt === usernameAt) throw new KeyTakenError('username', next.username);
    if (extensionChanged) throw new KeyTakenError('extension', next.extension);
    throw error;
  }
}

export async function recordSuccessfulLogin(id: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: keys.agent(id),
      UpdateExpression: 'SET lastLoginAt = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': nowIso() },
    }),
  );
}

/**
 * Ends every token issued to the agent so far (a membership change, which does not go through `updateAgent`). The
 * item's `version` moves too, so an admin edit read before this fails as stale rather than writing the old token
 * version back. Returns false when the agent does not exist.
 */
export async function revokeTokens(id: string): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.agent(id),
        UpdateExpression: 'SET updatedAt = :now ADD tokenVersion :one, version :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': nowIso(), ':one': 1 },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Sets the password through a one-time invitation: the condition on inviteId makes a second use fail. */
export async function redeemInvitation(id: string, inviteId: string, passwordHash: string): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.agent(id),
        UpdateExpression:
          'SET passwordHash = :h, updatedAt = :now ADD version :one, tokenVersion :one REMOVE inviteId',
        ConditionExpression: 'inviteId = :i',
        ExpressionAttributeValues: {
          ':h': passwordHash,
          ':now': nowIso(),
          ':one': 1,
          ':i': inviteId,
        },
      }),
    );
  } catch (error) {
    if (isConditionFailed(error))
      throw new ConflictError('INVITATION_USED', 'this invitation has been used or replaced');
    throw error;
  }
}

export async function deleteAgent(agent: Agent, memberships: { pk: string; sk: string }[]): Promise<void> {
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: TABLE, Key: keys.agent(agent.id) } },
        { Delete: { TableName: TABLE, Key: usernameKey(agent.username) } },
        { Delete: { TableName: TABLE, Key: extensionKey(agent.extension) } },
      ],
    }),
  );
  listing.clear();
  for (const key of memberships) await db.send(new DeleteCommand({ TableName: TABLE, Key: key }));
}
