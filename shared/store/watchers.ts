/**
 * Supervisors' WebSocket subscriptions: a supervisor (or admin) connection may watch every account, or the
 * accounts it names, without being a member of them. One item per watching connection under a single partition
 * (`WATCHERS`): there are a handful of supervisors, so the notifier reads them all with one Query (cached a second
 * per container) instead of one per account. An item expires with its connection; $disconnect removes it sooner.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '../ports/clock';
import { TtlCache } from './cache';
import { db, TABLE } from './client';
import { keys } from './keys';
import { getItem } from './util';
import type { Connection } from './connections';

export interface Watcher {
  connectionId: string;
  agentId: string;
  /** Every account, or only `accountIds`. */
  all: boolean;
  accountIds: string[];
}

const LIFETIME_SECONDS = 2 * 60 * 60 + 300;
const watcherKey = (connectionId: string) => ({ pk: 'WATCHERS', sk: `CONN#${connectionId}` });

export async function getConnection(connectionId: string): Promise<Connection | undefined> {
  return getItem<Connection>(keys.connection(connectionId), true);
}

export async function saveWatcher(watcher: Watcher): Promise<void> {
  watchers.clear();
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: { ...watcherKey(watcher.connectionId), ...watcher, expiresAt: Math.floor(now() / 1000) + LIFETIME_SECONDS },
    }),
  );
}

export async function removeWatcher(connectionId: string): Promise<void> {
  watchers.clear();
  await db.send(new DeleteCommand({ TableName: TABLE, Key: watcherKey(connectionId) }));
}

async function loadWatchers(): Promise<Watcher[]> {
  const out = await db.send(
    new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'WATCHERS' } }),
  );
  const nowSeconds = Math.floor(now() / 1000);
  return ((out.Items ?? []) as (Watcher & { expiresAt?: number })[])
    .filter((w) => (w.expiresAt ?? Infinity) > nowSeconds)
    .map((w) => ({ connectionId: w.connectionId, agentId: w.agentId, all: w.all, accountIds: w.accountIds ?? [] }));
}

/** A subscription reaches other containers' notifiers within this time. */
export const WATCHERS_TTL_MS = 1000;
const watchers = new TtlCache<Watcher[]>(WATCHERS_TTL_MS, 1);

/** The connections watching the account. */
export async function watchersOf(accountId: string): Promise<string[]> {
  const all = await watchers.get('all', loadWatchers);
  return all.filter((w) => w.all || w.accountIds.includes(accountId)).map((w) => w.connectionId);
}
