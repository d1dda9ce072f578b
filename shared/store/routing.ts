/**
 * Routing's writes to an interaction: its routing state, assigned agent and queue, unread count, tags. Every write
 * is conditional on the version read and on the interaction being open, so an accept racing a timeout, or two
 * accepts, end with exactly one outcome; the loser gets a StaleVersionError.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StaleVersionError } from '../errors';
import type { Interaction } from '../domain/interaction';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { transitionItems, writeTransition } from './transition';
import { isConditionFailed } from './util';

/** `waiting`: in a queue's line, offered to nobody yet; `offered`: offered to the agents in `offeredTo`. */
export type RoutingPhase = 'offered' | 'waiting' | 'assigned' | 'waiting-agent' | 'waiting-queue' | 'transfer' | 'unassigned';

export interface RoutingState {
  phase: RoutingPhase;
  /** The plan step the interaction is on (where a timeout continues from). */
  step: number;
  offeredTo: string[];
  queueId?: string;
  transferFrom?: string;
  deadline?: string;
  /** When the interaction first entered the queue it waits in (its place in the line), for this wait. */
  enteredAt?: string;
  /** Agents who rejected it or let its offer time out during this wait. */
  declined?: string[];
  /** When the agent handling it accepted it. */
  assignedAt?: string;
  /** When it was first offered to anyone in this wait (the order a queue serves its line in). */
  offeredAt?: string;
}

export type RoutedInteraction = Interaction & { routing?: RoutingState; tags?: string[] };

export type InteractionChanges = Partial<
  Pick<RoutedInteraction, 'routing' | 'agentId' | 'queueId' | 'unread' | 'tags'>
>;

export async function updateInteraction(
  current: RoutedInteraction,
  changes: InteractionChanges,
): Promise<RoutedInteraction> {
  const next: RoutedInteraction = { ...current, ...changes, updatedAt: nowIso(), version: current.version + 1 };
  const sets: string[] = ['updatedAt = :u', 'version = :nv'];
  const removes: string[] = [];
  const names: Record<string, string> = { '#st': 'status' };
  const values: Record<string, unknown> = {
    ':u': next.updatedAt,
    ':nv': next.version,
    ':v': current.version,
    ':open': 'open',
  };
  for (const [field, value] of Object.entries(changes)) {
    names[`#${field}`] = field;
    if (value === undefined) removes.push(`#${field}`);
    else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  const update = {
    TableName: TABLE,
    Key: keys.interaction(current.id),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: 'version = :v AND #st = :open',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  // Capacity, the waiting line and the board counters change with the interaction, in one transaction.
  const companions = transitionItems(current, next);
  if (companions.items.length > 0) {
    await writeTransition({ Update: update }, companions, `interaction ${current.id}`);
    return next;
  }
  try {
    await db.send(new UpdateCommand(update));
    return next;
  } catch (error) {
    if (isConditionFailed(error)) throw new StaleVersionError(`interaction ${current.id}`);
    throw error;
  }
}
