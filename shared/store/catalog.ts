/**
 * Dispositions and canned answers, general or per account. General items live under pk `CATALOG`; an account's
 * own items live under the account's partition (`ACCOUNT#{id}`), so deleting the account sweeps them with its
 * memberships. A disposition's name is unique within its scope through a marker item in the same partition,
 * written in the item's own transaction.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../ids';
import { KeyTakenError, NotFoundError, StaleVersionError } from '../errors';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { cancellationReasons, getItem, strip, queryAll } from './util';

export type CatalogKind = 'disposition' | 'canned';

/** Where an item belongs: the general catalog, or one account. */
export interface CatalogScope {
  accountId?: string;
}

export interface Disposition {
  id: string;
  accountId?: string;
  name: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface CannedAnswer {
  id: string;
  accountId?: string;
  name: string;
  text: string;
  shortcut?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface CatalogItems {
  disposition: Disposition;
  canned: CannedAnswer;
}

type TxItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const PREFIX: Record<CatalogKind, string> = { disposition: 'DISPOSITION#', canned: 'CANNED#' };
const LABEL: Record<CatalogKind, string> = { disposition: 'disposition', canned: 'canned answer' };
/** Kinds whose name is unique within the scope. */
const UNIQUE_NAME: Record<CatalogKind, boolean> = { disposition: true, canned: false };

const scopePk = (scope: CatalogScope) => (scope.accountId ? `ACCOUNT#${scope.accountId}` : 'CATALOG');
const itemKey = (kind: CatalogKind, scope: CatalogScope, id: string) => ({
  pk: scopePk(scope),
  sk: `${PREFIX[kind]}${id}`,
});
const nameKey = (kind: CatalogKind, scope: CatalogScope, name: string) => ({
  pk: scopePk(scope),
  sk: `NAME#${PREFIX[kind]}${name.trim().toLowerCase()}`,
});

type Fields<K extends CatalogKind> = Omit<CatalogItems[K], 'id' | 'accountId' | 'createdAt' | 'updatedAt' | 'version'>;

/** Creates an item; a per-account item requires the account (404), a taken disposition name is a 409. */
export async function createCatalogItem<K extends CatalogKind>(
  kind: K,
  scope: CatalogScope,
  fields: Fields<K>,
): Promise<CatalogItems[K]> {
  const now = nowIso();
  const item = {
    ...fields,
    id: ulid(),
    ...(scope.accountId ? { accountId: scope.accountId } : {}),
    createdAt: now,
    updatedAt: now,
    version: 1,
  } as CatalogItems[K];
  const tx: TxItems = [];
  const accountAt = scope.accountId
    ? tx.push({
        ConditionCheck: {
          TableName: TABLE,
          Key: keys.account(scope.accountId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      }) - 1
    : -1;
  const nameAt = UNIQUE_NAME[kind]
    ? tx.push({
        Put: {
          TableName: TABLE,
          Item: { ...nameKey(kind, scope, item.name), itemId: item.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }) - 1
    : -1;
  tx.push({
    Put: {
      TableName: TABLE,
      Item: { ...itemKey(kind, scope, item.id), ...item },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  try {
    await db.send(new TransactWriteCommand({ TransactItems: tx }));
    return item;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (accountAt >= 0 && reasons[accountAt] === 'ConditionalCheckFailed')
      throw new NotFoundError(`account ${scope.accountId}`);
    if (nameAt >= 0 && reasons[nameAt] === 'ConditionalCheckFailed') throw new KeyTakenError('name', item.name);
    throw error;
  }
}

export async function getCatalogItem<K extends CatalogKind>(
  kind: K,
  scope: CatalogScope,
  id: string,
): Promise<CatalogItems[K] | undefined> {
  const item = await getItem<Record<string, unknown>>(itemKey(kind, scope, id));
  return item ? strip<CatalogItems[K]>(item) : undefined;
}

export async function requireCatalogItem<K extends CatalogKind>(
  kind: K,
  scope: CatalogScope,
  id: string,
): Promise<CatalogItems[K]> {
  const item = await getCatalogItem(kind, scope, id);
  if (!item) throw new NotFoundError(`${LABEL[kind]} ${id}`);
  return item;
}

export async function listCatalogItems<K extends CatalogKind>(
  kind: K,
  scope: CatalogScope,
): Promise<CatalogItems[K][]> {
  return (
    await queryAll({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': scopePk(scope), ':s': PREFIX[kind] },
    })
  ).map((i) => strip<CatalogItems[K]>(i));
}

/** Replaces the item guarded by the version read, moving the name marker in the same transaction when it changes. */
export async function updateCatalogItem<K extends CatalogKind>(
  kind: K,
  current: CatalogItems[K],
  next: CatalogItems[K],
): Promise<CatalogItems[K]> {
  const scope: CatalogScope = current.accountId ? { accountId: current.accountId } : {};
  const written = {
    ...next,
    id: current.id,
    createdAt: current.createdAt,
    updatedAt: nowIso(),
    version: current.version + 1,
  } as CatalogItems[K];
  if (current.accountId) written.accountId = current.accountId;
  const tx: TxItems = [
    {
      Put: {
        TableName: TABLE,
        Item: { ...itemKey(kind, scope, current.id), ...written },
        ConditionExpression: 'attribute_exists(pk) AND version = :v',
        ExpressionAttributeValues: { ':v': current.version },
      },
    },
  ];
  const renamed = UNIQUE_NAME[kind] && written.name.trim().toLowerCase() !== current.name.trim().toLowerCase();
  if (renamed) {
    tx.push(
      {
        Put: {
          TableName: TABLE,
          Item: { ...nameKey(kind, scope, written.name), itemId: current.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Delete: { TableName: TABLE, Key: nameKey(kind, scope, current.name) } },
    );
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: tx }));
    return written;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    if (reasons[0] === 'ConditionalCheckFailed') throw new StaleVersionError(`${LABEL[kind]} ${current.id}`);
    if (renamed && reasons[1] === 'ConditionalCheckFailed') throw new KeyTakenError('name', written.name);
    throw error;
  }
}

/** Deletes the item and its name marker; false when it did not exist. */
export async function deleteCatalogItem(
  kind: CatalogKind,
  item: { id: string; name: string; accountId?: string },
): Promise<boolean> {
  const scope: CatalogScope = item.accountId ? { accountId: item.accountId } : {};
  const tx: TxItems = [
    { Delete: { TableName: TABLE, Key: itemKey(kind, scope, item.id), ConditionExpression: 'attribute_exists(pk)' } },
  ];
  if (UNIQUE_NAME[kind]) tx.push({ Delete: { TableName: TABLE, Key: nameKey(kind, scope, item.name) } });
  try {
    await db.send(new TransactWriteCommand({ TransactItems: tx }));
    return true;
  } catch (error) {
    if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') return false;
    throw error;
  }
}
