/**
 * Local timers: one item per timer name in the table, indexed by due time on gsi2, so the engine's poller finds
 * what is due and a restart of the engine loses none. Arming the same name replaces the item.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE } from '../store/client';
import type { TimerEvent } from './timers';

const TIMERS_PARTITION = 'TIMERS';

function key(name: string) {
  return { pk: `TIMER#${name}`, sk: 'TIMER' };
}

export async function armInStore(timer: TimerEvent): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        ...key(timer.name),
        gsi2pk: TIMERS_PARTITION,
        gsi2sk: `${new Date(timer.dueAt).toISOString()}#${timer.name}`,
        timer,
      },
    }),
  );
}

export async function cancelInStore(name: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: TABLE, Key: key(name) }));
}

/** Timers due at or before `nowMs`, oldest first. */
export async function dueTimers(nowMs: number, limit = 50): Promise<TimerEvent[]> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :p AND gsi2sk <= :due',
      ExpressionAttributeValues: { ':p': TIMERS_PARTITION, ':due': `${new Date(nowMs).toISOString()}#~` },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => item.timer as TimerEvent);
}

/**
 * Claims a due timer: deletes it only if it is still the same arming (same due time), so a timer re-armed
 * meanwhile survives. Returns false when someone else claimed it or it was replaced.
 */
export async function claimTimer(timer: TimerEvent): Promise<boolean> {
  try {
    await db.send(
      new DeleteCommand({
        TableName: TABLE,
        Key: key(timer.name),
        ConditionExpression: '#t.dueAt = :due',
        ExpressionAttributeNames: { '#t': 'timer' },
        ExpressionAttributeValues: { ':due': timer.dueAt },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
