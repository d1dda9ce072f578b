/**
 * Local timers: one item per timer name in the table, indexed by due time on gsi2, so the engine's poller finds
 * what is due and a restart of the engine loses none. Arming the same name replaces the item. A fired timer is
 * leased, not deleted: it is deleted only once its handler succeeded, and fires again if the lease runs out.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { now } from './clock';
import { db, TABLE } from '../store/client';
import type { TimerEvent } from './timers';

const TIMERS_PARTITION = 'TIMERS';

function key(name: string) {
  return { pk: `TIMER#${name}`, sk: 'TIMER' };
}

let dueListener: (() => void) | undefined;

/** The local engine's poller listens here: a timer armed due now is fired at once, not at the next poll. */
export function onTimerDueNow(listener: (() => void) | undefined): void {
  dueListener = listener;
}

export async function armInStore(timer: TimerEvent): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        ...key(timer.name),
        gsi2pk: TIMERS_PARTITION,
        gsi2sk: sortKey(timer.dueAt, timer.name),
        timer,
      },
    }),
  );
  if (timer.dueAt <= now()) dueListener?.();
}

export async function cancelInStore(name: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: TABLE, Key: key(name) }));
}

/** Deletes the timers in batches of 25 (BatchWriteItem), retrying what the store left unprocessed. */
export async function cancelManyInStore(names: string[]): Promise<void> {
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += 25) {
    let request: Record<string, { DeleteRequest: { Key: Record<string, unknown> } }[]> | undefined = {
      [TABLE]: unique.slice(i, i + 25).map((name) => ({ DeleteRequest: { Key: key(name) } })),
    };
    for (let attempt = 0; request && (request[TABLE]?.length ?? 0) > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      const out = await db.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
    }
  }
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

/** A claim on a fired timer: it holds the timer until `until`, after which the timer is due again. */
export interface TimerClaim {
  leaseId: string;
  until: number;
}

const sortKey = (atMs: number, name: string) => `${new Date(atMs).toISOString()}#${name}`;

/**
 * Claims a due timer with a lease instead of deleting it: the item stays, due again at the lease's end, so a timer
 * whose handler never finished (the engine was killed) fires again. Only the same arming (same due time) whose
 * earlier lease, if any, has run out can be claimed, so a timer re-armed meanwhile is untouched and two pollers never
 * both hold it. Returns false when someone else holds it or it was replaced.
 */
export async function claimTimer(timer: TimerEvent, leaseMs = 30_000, nowMs = now(), owner = 'local'): Promise<TimerClaim | false> {
  const claim: TimerClaim = { leaseId: randomUUID(), until: nowMs + leaseMs };
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key(timer.name),
        UpdateExpression: 'SET leaseId = :l, leaseUntil = :u, leaseOwner = :o, gsi2sk = :sk',
        ConditionExpression: '#t.dueAt = :due AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
        ExpressionAttributeNames: { '#t': 'timer' },
        ExpressionAttributeValues: {
          ':due': timer.dueAt,
          ':now': nowMs,
          ':l': claim.leaseId,
          ':u': claim.until,
          ':o': owner,
          ':sk': sortKey(claim.until, timer.name),
        },
      }),
    );
    return claim;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** The handler succeeded: deletes the timer, unless it was re-armed (a new item without this lease) meanwhile. */
export async function completeTimer(name: string, claim: TimerClaim): Promise<void> {
  try {
    await db.send(
      new DeleteCommand({
        TableName: TABLE,
        Key: key(name),
        ConditionExpression: 'leaseId = :l',
        ExpressionAttributeValues: { ':l': claim.leaseId },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/** The handler failed: the claim is shortened so the timer is due again at `atMs` (unless it was re-armed). */
export async function retryTimerAt(name: string, claim: TimerClaim, atMs: number): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key(name),
        UpdateExpression: 'SET leaseUntil = :u, gsi2sk = :sk',
        ConditionExpression: 'leaseId = :l',
        ExpressionAttributeValues: { ':l': claim.leaseId, ':u': atMs, ':sk': sortKey(atMs, name) },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/**
 * At an engine's start: every timer in the store, and the claims an earlier process left (it was killed while a
 * handler ran). Those are made due again at once, since no handler of an earlier process is still running.
 */
export async function recoverTimers(owner: string): Promise<{ timers: number; released: number }> {
  let timers = 0;
  let released = 0;
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': TIMERS_PARTITION },
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      timers += 1;
      if (typeof item.leaseId !== 'string' || item.leaseOwner === owner) continue;
      const timer = item.timer as TimerEvent;
      try {
        await db.send(
          new UpdateCommand({
            TableName: TABLE,
            Key: key(timer.name),
            UpdateExpression: 'SET gsi2sk = :sk REMOVE leaseId, leaseUntil, leaseOwner',
            ConditionExpression: 'leaseId = :l',
            ExpressionAttributeValues: { ':l': item.leaseId, ':sk': sortKey(timer.dueAt, timer.name) },
          }),
        );
        released += 1;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return { timers, released };
}
