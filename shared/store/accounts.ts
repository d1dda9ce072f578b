/**
 * Accounts. The key is unique per channel through a marker item, and the account's lists are counted on the list
 * items, all in the account's own transaction: a taken key is a 409, a missing list a 400, and nothing half-done.
 * Credentials are stored only as an encrypted blob plus the names of the fields that are set.
 */
import { BatchWriteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { KeyTakenError, NotFoundError, StaleVersionError, ValidationError } from '../errors';
import type { AccountSettings } from '../admin/account-schema';
import type { Channel, ProviderType } from '../providers/types';
import { db, TABLE } from './client';
import { keys } from './keys';
import { listRefItem } from './lists';
import { TtlCache } from './cache';
import { cancellationReasons, getItem, strip, queryAll } from './util';

/** Accounts are read on every webhook and every message: cached for a few seconds, dropped on every local write. */
const accountCache = new TtlCache<Account | undefined>(5000);
const listing = new TtlCache<Account[]>(5000, 1);

export interface Account {
  id: string;
  channel: Channel;
  name: string;
  key: string;
  type: ProviderType;
  phone: string;
  listId: string;
  domain?: string;
  description?: string;
  proxyToken: string;
  /** Encrypted JSON of the provider credentials (and the video API key). */
  credentialsBlob: string;
  credentialFields: string[];
  /** The admin's explicit opt-out: this account takes webhooks with no authentication beyond the proxy token. */
  allowUnauthenticatedWebhooks?: boolean;
  settings: AccountSettings;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const keyMarker = (channel: string, key: string) => keys.unique('accountKey', `${channel}#${key.toLowerCase()}`);

/** Every list an account holds a reference on, once each (one transaction may not touch an item twice). */
export function listsOf(account: Pick<Account, 'listId' | 'settings'>): string[] {
  return [...new Set([account.listId, ...account.settings.whitelist.listIds])];
}

function accountItem(account: Account) {
  return { ...keys.account(account.id), gsi1pk: 'ACCOUNTS', gsi1sk: account.id, ...account };
}

type TxItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Maps a cancelled account transaction to the field at fault. `lists` are the ids whose +1 items start at `listStart`. */
function mapCancellation(
  error: unknown,
  reasons: string[],
  layout: { keyAt?: number; key?: string; listStart: number; lists: string[]; versionAt?: number; id: string; mainList: string; whitelist: string[] },
): never {
  if (layout.versionAt !== undefined && reasons[layout.versionAt] === 'ConditionalCheckFailed')
    throw new StaleVersionError(`account ${layout.id}`);
  if (layout.keyAt !== undefined && reasons[layout.keyAt] === 'ConditionalCheckFailed')
    throw new KeyTakenError('key', layout.key ?? '');
  const missing = layout.lists.filter((_, i) => reasons[layout.listStart + i] === 'ConditionalCheckFailed');
  if (missing.length > 0) {
    throw new ValidationError(
      `no such list: ${missing.join(', ')}`,
      missing.map((id) => ({
        path: id === layout.mainList ? 'body.listId' : `body.settings.whitelist.listIds.${layout.whitelist.indexOf(id)}`,
        message: `list ${id} does not exist`,
      })),
    );
  }
  throw error;
}

export async function insertAccount(account: Account): Promise<void> {
  accountCache.delete(account.id);
  const lists = listsOf(account);
  const items: TxItems = [
    { Put: { TableName: TABLE, Item: accountItem(account), ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Put: {
        TableName: TABLE,
        Item: { ...keyMarker(account.channel, account.key), accountId: account.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...lists.map((id) => listRefItem(id, 1)),
  ];
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
    listing.clear();
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    mapCancellation(error, reasons, { keyAt: 1, key: account.key, listStart: 2, lists, id: account.id, mainList: account.listId, whitelist: account.settings.whitelist.listIds });
  }
}

export async function replaceAccount(current: Account, next: Account): Promise<void> {
  accountCache.delete(current.id);
  const before = listsOf(current);
  const after = listsOf(next);
  const added = after.filter((id) => !before.includes(id));
  const dropped = before.filter((id) => !after.includes(id));
  const keyChanged = next.key.toLowerCase() !== current.key.toLowerCase();
  const items: TxItems = [
    {
      Put: {
        TableName: TABLE,
        Item: accountItem(next),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': current.version },
      },
    },
  ];
  const keyAt = keyChanged ? items.length : undefined;
  if (keyChanged) {
    items.push(
      {
        Put: {
          TableName: TABLE,
          Item: { ...keyMarker(next.channel, next.key), accountId: next.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Delete: { TableName: TABLE, Key: keyMarker(current.channel, current.key) } },
    );
  }
  const listStart = items.length;
  items.push(
    ...added.map((id) => listRefItem(id, 1)),
    ...dropped.map((id) => ({ Update: { ...listRefItem(id, -1).Update, ConditionExpression: undefined } })),
  );
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
    listing.clear();
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    mapCancellation(error, reasons, { versionAt: 0, keyAt, key: next.key, listStart, lists: added, id: next.id, mainList: next.listId, whitelist: next.settings.whitelist.listIds });
  }
}

export async function getAccount(id: string): Promise<Account | undefined> {
  const item = await getItem<Record<string, unknown>>(keys.account(id));
  return item ? strip<Account>(item) : undefined;
}

/**
 * The account as the message path reads it: from the cache when read in the last 5 s. A change made elsewhere (an
 * admin in another container) reaches the message path within those 5 s.
 */
export async function getAccountCached(id: string): Promise<Account | undefined> {
  return accountCache.get(id, () => getAccount(id));
}

export async function requireAccount(id: string): Promise<Account> {
  const account = await getAccount(id);
  if (!account) throw new NotFoundError(`account ${id}`);
  return account;
}

/** The listing as the board reads it: cached for up to 5 s, like listQueuesCached (queues.ts). */
export async function listAllAccountsCached(): Promise<Account[]> {
  return listing.get('all', listAllAccounts);
}

export async function listAllAccounts(): Promise<Account[]> {
  return (
    await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'ACCOUNTS' },
    })
  ).map((i) => strip<Account>(i));
}

/**
 * Deletes the account, its key marker and its list references atomically, then everything under its partition
 * (memberships, its own dispositions and canned answers). Returns false when it did not exist.
 */
export async function removeAccount(account: Account): Promise<boolean> {
  accountCache.delete(account.id);
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: TABLE, Key: keys.account(account.id), ConditionExpression: 'attribute_exists(pk)' } },
          { Delete: { TableName: TABLE, Key: keyMarker(account.channel, account.key) } },
          ...listsOf(account).map((id) => ({
            Update: { ...listRefItem(id, -1).Update, ConditionExpression: undefined },
          })),
        ],
      }),
    );
    listing.clear();
  } catch (error) {
    if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') return false;
    throw error;
  }
  const rest: { pk: string; sk: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': `ACCOUNT#${account.id}` },
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: start,
      }),
    );
    rest.push(...((out.Items ?? []) as { pk: string; sk: string }[]));
    start = out.LastEvaluatedKey;
  } while (start);
  for (let i = 0; i < rest.length; i += 25) {
    await db.send(
      new BatchWriteCommand({
        RequestItems: { [TABLE]: rest.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
      }),
    );
  }
  return true;
}
