/**
 * Queues: a name and a strategy for offering interactions to the member agents. Members live under the queue's
 * partition (see memberships.ts); deleting a queue removes them too, so no agent keeps pointing at a gone queue.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { NotFoundError, StaleVersionError } from '../errors';
import type { QUEUE_STRATEGIES } from '../admin/queue-schema';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { removeAllMembers } from './memberships';
import { TtlCache } from './cache';
import { getItem, isConditionFailed, strip, queryAll } from './util';

export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number];

export interface Queue {
  id: string;
  name: string;
  strategy: QueueStrategy;
  description?: string;
  /** One-at-a-time strategies: how long an offer rings one agent before the next is tried (default 30). */
  offerTimeoutSeconds?: number;
  /** Whether an agent who declined an interaction may be offered it again in the same wait (default no). */
  reofferDeclined?: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const listing = new TtlCache<Queue[]>(5000, 1);

const queueItem = (queue: Queue) => ({ ...keys.queue(queue.id), gsi1pk: 'QUEUES', gsi1sk: queue.id, ...queue });

export async function createQueue(input: {
  name: string;
  strategy: QueueStrategy;
  description?: string;
  offerTimeoutSeconds?: number;
  reofferDeclined?: boolean;
}): Promise<Queue> {
  const now = nowIso();
  const queue: Queue = { id: ulid(), ...input, createdAt: now, updatedAt: now, version: 1 };
  await db.send(
    new PutCommand({ TableName: TABLE, Item: queueItem(queue), ConditionExpression: 'attribute_not_exists(pk)' }),
  );
  listing.clear();
  return queue;
}

export async function getQueue(id: string): Promise<Queue | undefined> {
  const item = await getItem<Record<string, unknown>>(keys.queue(id));
  return item ? strip<Queue>(item) : undefined;
}

export async function requireQueue(id: string): Promise<Queue> {
  const queue = await getQueue(id);
  if (!queue) throw new NotFoundError(`queue ${id}`);
  return queue;
}

export async function listQueues(): Promise<Queue[]> {
  return (
    await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'QUEUES' },
    })
  ).map((i) => strip<Queue>(i));
}

/**
 * The listing as the board reads it, every second or so: from this container's cache for up to 5 s. A write in this
 * process drops it at once (the local engine is one process); other containers see a change within the 5 s.
 */
export async function listQueuesCached(): Promise<Queue[]> {
  return listing.get('all', listQueues);
}

/** Replaces the queue guarded by the version read; a concurrent change is a 409, not a lost update. */
export async function updateQueue(current: Queue, next: Queue): Promise<Queue> {
  const written: Queue = {
    ...next,
    id: current.id,
    createdAt: current.createdAt,
    updatedAt: nowIso(),
    version: current.version + 1,
  };
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE,
        Item: queueItem(written),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': current.version },
      }),
    );
    listing.clear();
    return written;
  } catch (error) {
    if (isConditionFailed(error)) throw new StaleVersionError(`queue ${current.id}`);
    throw error;
  }
}

/** Deletes the queue, then its memberships. Returns false when it did not exist. */
export async function deleteQueue(id: string): Promise<boolean> {
  const out = await db.send(new DeleteCommand({ TableName: TABLE, Key: keys.queue(id), ReturnValues: 'ALL_OLD' }));
  listing.clear();
  await removeAllMembers('QUEUE', id);
  return Boolean(out.Attributes);
}
