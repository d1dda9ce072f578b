/**
 * Queues: a name and a strategy for offering interactions to the member agents, kept like every named group
 * (groups.ts): members live under the queue's partition, and deleting a queue removes them too.
 */
import type { QUEUE_STRATEGIES } from '../admin/queue-schema';
import { TtlCache } from './cache';
import { groupRepository, type GroupBase } from './groups';

export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number];

export interface Queue extends GroupBase {
  strategy: QueueStrategy;
  /** One-at-a-time strategies: how long an offer rings one agent before the next is tried (default 30). */
  offerTimeoutSeconds?: number;
  /** Whether an agent who declined an interaction may be offered it again in the same wait (default no). */
  reofferDeclined?: boolean;
}

const listing = new TtlCache<Queue[]>(5000, 1);

export const queues = groupRepository<Queue>('QUEUE', { afterWrite: () => listing.clear() });

export const createQueue = queues.create;
export const getQueue = queues.get;
export const requireQueue = queues.require;
export const listQueues = queues.list;
export const updateQueue = queues.update;
export const deleteQueue = queues.remove;

/**
 * The listing as the board reads it, every second or so: from this container's cache for up to 5 s. A write in this
 * process drops it at once (the local engine is one process); other containers see a change within the 5 s.
 */
export async function listQueuesCached(): Promise<Queue[]> {
  return listing.get('all', listQueues);
}
