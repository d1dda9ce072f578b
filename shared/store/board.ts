/**
 * The live board's counters: gauges (`BOARD` / `QUEUE#{id}` or `ACCOUNT#{id}`: waiting, offered, inProgress) and
 * daily figures (`BOARD#{yyyy-mm-dd}` / `QUEUE#...`, `ACCOUNT#...`, `AGENT#...`: accepted, acceptWaitMs,
 * acceptedInSl, closed, handled, handleMs), changed only in the transaction that changes an interaction, so the
 * board is read from a few items and never from a scan. Beside them: the WebSocket connections subscribed to the
 * board, and the slot of the last push (at most one push a second, across every container).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dayOf, type CounterDelta } from '../domain/queueing';
import { db, TABLE } from './client';
import { isConditionFailed, queryAll } from './util';

/** Daily counters are kept for five weeks. */
const DAILY_TTL_SECONDS = 35 * 24 * 60 * 60;

export const gaugeKey = (entity: string) => ({ pk: 'BOARD', sk: entity });
export const dailyKey = (day: string, entity: string) => ({ pk: `BOARD#${day}`, sk: entity });
const SUBSCRIBERS = { pk: 'BOARD', sk: 'SUBSCRIBERS' };
const PUSHED = { pk: 'BOARD', sk: 'PUSHED' };

/** The ADD update of one counter item (for the interaction's transaction). */
export function counterUpdate(delta: CounterDelta, nowMs: number) {
  const names: Record<string, string> = { '#e': 'entity' };
  const values: Record<string, unknown> = { ':e': delta.entity };
  const adds = Object.entries(delta.deltas).map(([field, by], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = by;
    return `#f${i} :v${i}`;
  });
  let set = 'SET #e = :e';
  if (delta.daily) {
    names['#x'] = 'expiresAt';
    values[':x'] = Math.floor(nowMs / 1000) + DAILY_TTL_SECONDS;
    set += ', #x = :x';
  }
  return {
    TableName: TABLE,
    Key: delta.daily ? dailyKey(dayOf(nowMs), delta.entity) : gaugeKey(delta.entity),
    UpdateExpression: `${set} ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export type Counters = Record<string, number>;

/** Every gauge and every daily counter of the day, keyed by entity. Two queries, whatever the number of interactions. */
export async function readCounters(day: string): Promise<{ gauges: Map<string, Counters>; daily: Map<string, Counters> }> {
  const [gauges, daily] = await Promise.all(
    ['BOARD', `BOARD#${day}`].map((pk) =>
      queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk }, ConsistentRead: true }),
    ),
  );
  const toMap = (items: Record<string, unknown>[]) =>
    new Map(
      items
        .filter((i) => typeof i.entity === 'string')
        .map((i) => [String(i.entity), Object.fromEntries(Object.entries(i).filter(([, v]) => typeof v === 'number')) as Counters]),
    );
  return { gauges: toMap(gauges!), daily: toMap(daily!) };
}

export async function subscribe(connectionId: string): Promise<void> {
  await db.send(
    new UpdateCommand({ TableName: TABLE, Key: SUBSCRIBERS, UpdateExpression: 'ADD ids :c', ExpressionAttributeValues: { ':c': new Set([connectionId]) } }),
  );
}

export async function unsubscribe(connectionId: string): Promise<void> {
  await db.send(
    new UpdateCommand({ TableName: TABLE, Key: SUBSCRIBERS, UpdateExpression: 'DELETE ids :c', ExpressionAttributeValues: { ':c': new Set([connectionId]) } }),
  );
}

export async function subscribers(): Promise<string[]> {
  const out = await db.send(new GetCommand({ TableName: TABLE, Key: SUBSCRIBERS, ConsistentRead: true }));
  return [...((out.Item?.ids as Set<string> | undefined) ?? [])];
}

/**
 * Claims the push of one one-second slot: only the first caller for a later slot than the last one pushed wins, and
 * only a second or more after the last push, so a timer delivered twice, armed by several containers or fired late
 * pushes once and never within a second of another. Returns what the previous push recorded (the counts agents were
 * last told) when it wins, `'pushed'` when this slot or a later one was pushed already, `'early'` when it is too soon.
 */
export async function claimPushSlot(
  slot: number,
  nowMs: number,
  counts: Record<string, string>,
): Promise<Record<string, string> | 'pushed' | 'early'> {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: PUSHED,
        UpdateExpression: 'SET slot = :s, pushedAt = :now, counts = :c',
        ConditionExpression: 'attribute_not_exists(slot) OR (slot < :s AND pushedAt <= :cutoff)',
        ExpressionAttributeValues: { ':s': slot, ':now': nowMs, ':cutoff': nowMs - 1000, ':c': counts },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return (out.Attributes?.counts as Record<string, string> | undefined) ?? {};
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const last = await db.send(new GetCommand({ TableName: TABLE, Key: PUSHED, ConsistentRead: true }));
    return Number(last.Item?.slot ?? 0) >= slot ? 'pushed' : 'early';
  }
}
