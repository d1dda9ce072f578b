/**
 * The items one interaction change brings with it, written in the same transaction: capacity slots taken (each
 * conditional on a free slot) and released, the waiting-line item moved, put or removed, and the board counters
 * adjusted. The version condition on the interaction makes each change happen once, so none of these is ever
 * counted twice, also when a timer fires twice or an accept races a timeout.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, StaleVersionError } from '../errors';
import { config } from '../config';
import { transition, type QueueingFacts, type Transition } from '../domain/queueing';
import { now } from '../ports/clock';
import { counterUpdate } from './board';
import { db, TABLE } from './client';
import { holdUpdate, releaseUpdate } from './presence';
import type { RoutedInteraction } from './routing';
import { cancellationReasons } from './util';
import { lineItem, lineKey } from './waiting-line';

type TxItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** 409 AT_CAPACITY: the agent holds as many interactions on the channel as its capacity allows. */
export class AtCapacityError extends ConflictError {
  constructor(readonly agentId: string) {
    super('AT_CAPACITY', `agent ${agentId} holds as many interactions as its capacity allows`);
  }
}

const facts = (i: RoutedInteraction): QueueingFacts => i as unknown as QueueingFacts;

export interface TransitionItems {
  items: TxItems;
  /** For each item index that takes a slot, the agent whose slot it is. */
  holdAt: Map<number, string>;
  change: Transition;
}

/** The items beside the interaction's own write; `offset` is how many items come before them in the transaction. */
export function transitionItems(before: RoutedInteraction, after: RoutedInteraction, offset = 1): TransitionItems {
  const at = now();
  const change = transition(facts(before), facts(after), at, config.SERVICE_LEVEL_SECONDS);
  const items: TxItems = [];
  const holdAt = new Map<number, string>();
  for (const agentId of change.added) {
    holdAt.set(offset + items.length, agentId);
    items.push({ Update: holdUpdate(agentId, after.channel, after.id) });
  }
  for (const agentId of change.released) items.push({ Update: releaseUpdate(agentId, before.channel, before.id) });
  const { lineBefore, lineAfter } = change;
  if (lineBefore && (!lineAfter || lineBefore.queueId !== lineAfter.queueId || lineBefore.enteredAt !== lineAfter.enteredAt)) {
    items.push({ Delete: { TableName: TABLE, Key: lineKey(lineBefore.queueId, lineBefore.enteredAt, before.id) } });
  }
  if (lineAfter && after.routing) {
    items.push({
      Put: {
        TableName: TABLE,
        Item: lineItem({
          interactionId: after.id,
          queueId: lineAfter.queueId,
          accountId: after.accountId,
          channel: after.channel,
          contactPhone: after.contactPhone,
          enteredAt: lineAfter.enteredAt,
          phase: after.routing.phase,
          offeredTo: after.routing.offeredTo,
          declined: after.routing.declined ?? [],
        }),
      },
    });
  }
  for (const delta of change.counters) items.push({ Update: counterUpdate(delta, at) });
  return { items, holdAt, change };
}

/**
 * Runs the interaction's write with its companions as one transaction. A failed version condition (item 0) is a
 * StaleVersionError, a full agent an AtCapacityError; a conflict with another transaction on a shared counter is
 * retried, since nothing of a cancelled transaction was applied.
 */
export async function writeTransition(own: TxItems[number], companions: TransitionItems, what: string): Promise<void> {
  const TransactItems = [own, ...companions.items];
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems }));
      return;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[0] === 'ConditionalCheckFailed') throw new StaleVersionError(what);
      const full = reasons.findIndex((r) => r === 'ConditionalCheckFailed');
      if (full >= 0 && companions.holdAt.has(full)) throw new AtCapacityError(companions.holdAt.get(full)!);
      if (reasons.includes('TransactionConflict') && attempt < 8) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
        continue;
      }
      throw error;
    }
  }
}
