/**
 * Memberships of agents in accounts, queues and teams: one item under the parent, indexed by agent on gsi1, written
 * with condition checks that both sides exist, so a membership never points at nothing.
 */
import { DeleteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { TtlCache } from './cache';
import { cancellationReasons, queryAll } from './util';

export type ParentKind = 'ACCOUNT' | 'QUEUE' | 'TEAM';

const parentKey = (kind: ParentKind, id: string) => (kind === 'ACCOUNT' ? keys.account(id) : kind === 'QUEUE' ? keys.queue(id) : keys.team(id));
export const membershipKey = (kind: ParentKind, parentId: string, agentId: string) => ({
  pk: `${kind}#${parentId}`,
  sk: `MEMBER#${agentId}`,
});

/**
 * Queue membership is read on every offer and changes rarely: cached 5 s per container, dropped on local writes.
 * Account membership, which decides who may see an interaction at all, is never cached.
 */
const queueMembers = new TtlCache<string[]>(5000);

export function queueMembersCached(queueId: string): Promise<string[]> {
  return queueMembers.get(queueId, () => membersOf('QUEUE', queueId));
}

export async function addMember(kind: ParentKind, parentId: string, agentId: string): Promise<void> {
  if (kind === 'QUEUE') queueMembers.delete(parentId);
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: parentKey(kind, parentId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            ConditionCheck: { TableName: TABLE, Key: keys.agent(agentId), ConditionExpression: 'attribute_exists(pk)' },
          },
          {
            Put: {
              TableName: TABLE,
              Item: {
                ...membershipKey(kind, parentId, agentId),
                gsi1pk: `AGENT#${agentId}#${kind}S`,
                gsi1sk: parentId,
                parentId,
                agentId,
                addedAt: nowIso(),
              },
            },
          },
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons?.[0] === 'ConditionalCheckFailed') throw new NotFoundError(`${kind.toLowerCase()} ${parentId}`);
    if (reasons?.[1] === 'ConditionalCheckFailed') throw new NotFoundError(`agent ${agentId}`);
    throw error;
  }
}

export async function removeMember(kind: ParentKind, parentId: string, agentId: string): Promise<boolean> {
  if (kind === 'QUEUE') queueMembers.delete(parentId);
  const out = await db.send(
    new DeleteCommand({ TableName: TABLE, Key: membershipKey(kind, parentId, agentId), ReturnValues: 'ALL_OLD' }),
  );
  return Boolean(out.Attributes);
}

export async function membersOf(kind: ParentKind, parentId: string): Promise<string[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :m)',
    ExpressionAttributeValues: { ':p': `${kind}#${parentId}`, ':m': 'MEMBER#' },
  });
  return items.map((i) => String(i.agentId));
}

export async function parentsOf(kind: ParentKind, agentId: string): Promise<string[]> {
  const items = await queryAll({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': `AGENT#${agentId}#${kind}S` },
  });
  return items.map((i) => String(i.parentId));
}

export async function isMember(kind: ParentKind, parentId: string, agentId: string): Promise<boolean> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :p AND sk = :s',
    ExpressionAttributeValues: { ':p': `${kind}#${parentId}`, ':s': `MEMBER#${agentId}` },
  });
  return items.length > 0;
}

/** Deletes every membership under a parent (when the account or queue goes). */
export async function removeAllMembers(kind: ParentKind, parentId: string): Promise<void> {
  for (const agentId of await membersOf(kind, parentId)) await removeMember(kind, parentId, agentId);
}

/** The membership keys of an agent, in accounts, queues and teams, for deleting the agent. */
export async function membershipKeysOfAgent(agentId: string): Promise<{ pk: string; sk: string }[]> {
  const [accounts, queues, teams] = await Promise.all([parentsOf('ACCOUNT', agentId), parentsOf('QUEUE', agentId), parentsOf('TEAM', agentId)]);
  return [
    ...accounts.map((a) => membershipKey('ACCOUNT', a, agentId)),
    ...queues.map((q) => membershipKey('QUEUE', q, agentId)),
    ...teams.map((t) => membershipKey('TEAM', t, agentId)),
  ];
}
