/**
 * Lists and their contacts. A contact's phone is unique within its list through a marker item written in the same
 * transaction; the inbound path finds a contact by phone with one read. A list counts the accounts that use it
 * (`refs`, changed in the accounts' own transactions), so deleting a list in use fails atomically with a 409.
 */
import { BatchWriteCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../ids';
import { ConflictError, KeyTakenError, NotFoundError, StaleVersionError } from '../errors';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { cancellationReasons, getItem, isConditionFailed, strip, queryAll } from './util';

export interface ContactList {
  id: string;
  name: string;
  description?: string;
  refs?: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Contact {
  id: string;
  listId: string;
  phone: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  fields?: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const contactKey = (listId: string, id: string) => ({ pk: `LIST#${listId}`, sk: `CONTACT#${id}` });
export const phoneKey = (listId: string, phone: string) => ({ pk: `LIST#${listId}`, sk: `PHONE#${phone}` });

export async function createList(input: { name: string; description?: string }): Promise<ContactList> {
  const now = nowIso();
  const list: ContactList = { id: ulid(), ...input, refs: 0, createdAt: now, updatedAt: now, version: 1 };
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: TABLE,
            Item: { ...keys.list(list.id), gsi1pk: 'LISTS', gsi1sk: list.id, ...list },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
  return list;
}

export async function getList(id: string): Promise<ContactList | undefined> {
  const item = await getItem<Record<string, unknown>>(keys.list(id));
  return item ? strip<ContactList>(item) : undefined;
}

export async function requireList(id: string): Promise<ContactList> {
  const list = await getList(id);
  if (!list) throw new NotFoundError(`list ${id}`);
  return list;
}

export async function listLists(): Promise<ContactList[]> {
  const items = await queryAll({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': 'LISTS' },
  });
  return items.map((i) => strip<ContactList>(i));
}

export async function updateList(
  current: ContactList,
  changes: { name?: string; description?: string },
): Promise<ContactList> {
  const next = { ...current, ...changes, updatedAt: nowIso(), version: current.version + 1 };
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.list(current.id),
        UpdateExpression: next.description
          ? 'SET #n = :n, description = :d, updatedAt = :u, version = :nv'
          : 'SET #n = :n, updatedAt = :u, version = :nv REMOVE description',
        ConditionExpression: 'version = :v',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: {
          ':n': next.name,
          ':u': next.updatedAt,
          ':nv': next.version,
          ':v': current.version,
          ...(next.description ? { ':d': next.description } : {}),
        },
      }),
    );
    return next;
  } catch (error) {
    if (isConditionFailed(error)) throw new StaleVersionError(`list ${current.id}`);
    throw error;
  }
}

/** Deletes a list and its contacts; a list any account uses is a 409 and nothing changes. */
export async function deleteList(id: string): Promise<void> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: TABLE,
              Key: keys.list(id),
              ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(refs) OR refs <= :zero)',
              ExpressionAttributeValues: { ':zero': 0 },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (cancellationReasons(error)?.[0] === 'ConditionalCheckFailed') {
      if (!(await getList(id))) throw new NotFoundError(`list ${id}`);
      throw new ConflictError('LIST_IN_USE', `list ${id} is used by an account (as its list or whitelist)`);
    }
    throw error;
  }
  const rest = await queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `LIST#${id}` } });
  for (let i = 0; i < rest.length; i += 25) {
    await db.send(
      new BatchWriteCommand({
        RequestItems: {
          [TABLE]: rest.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
        },
      }),
    );
  }
}

/** The transaction items that add (+1) or drop (-1) an account's use of a list; adding requires the list. */
export function listRefItem(listId: string, delta: 1 | -1) {
  return {
    Update: {
      TableName: TABLE,
      Key: keys.list(listId),
      UpdateExpression: 'ADD refs :d',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':d': delta },
    },
  };
}

export type NewContact = Omit<Contact, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export async function createContact(input: NewContact): Promise<Contact> {
  const now = nowIso();
  const contact: Contact = { ...input, id: ulid(), createdAt: now, updatedAt: now, version: 1 };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: TABLE,
              Key: keys.list(input.listId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: { ...phoneKey(input.listId, input.phone), contactId: contact.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: { ...contactKey(input.listId, contact.id), ...contact },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return contact;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons?.[0] === 'ConditionalCheckFailed') throw new NotFoundError(`list ${input.listId}`);
    if (reasons?.[1] === 'ConditionalCheckFailed') throw new KeyTakenError('phone', input.phone);
    throw error;
  }
}

export async function getContact(listId: string, id: string): Promise<Contact | undefined> {
  const item = await getItem<Record<string, unknown>>(contactKey(listId, id));
  return item ? strip<Contact>(item) : undefined;
}

/** The id of the contact with this phone in the list, with one read of its phone marker. */
export async function contactIdByPhone(listId: string, phone: string): Promise<string | undefined> {
  const marker = await getItem<{ contactId?: string }>(phoneKey(listId, phone));
  return marker?.contactId;
}

export async function findContactByPhone(listId: string, phone: string): Promise<Contact | undefined> {
  const id = await contactIdByPhone(listId, phone);
  return id ? getContact(listId, id) : undefined;
}

/** The inbound path's look-up: the contact with this phone in the list, created when new. Safe under races. */
export async function findOrCreateContact(
  listId: string,
  phone: string,
): Promise<{ contact: Contact; created: boolean }> {
  const found = await findContactByPhone(listId, phone);
  if (found) return { contact: found, created: false };
  try {
    return { contact: await createContact({ listId, phone }), created: true };
  } catch (error) {
    if (!(error instanceof KeyTakenError)) throw error;
    const winner = await findContactByPhone(listId, phone);
    if (!winner) throw error;
    return { contact: winner, created: false };
  }
}

export async function listContacts(listId: string): Promise<Contact[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :p AND begins_with(sk, :c)',
    ExpressionAttributeValues: { ':p': `LIST#${listId}`, ':c': 'CONTACT#' },
  });
  return items.map((i) => strip<Contact>(i));
}

/**
 * A list's contacts a page at a time, in the list's order: a campaign writes its recipients from a list of any size
 * without holding the whole list (and its recipients) in memory at once.
 */
export async function* contactPages(listId: string, pageSize = 500): AsyncGenerator<Contact[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':p': `LIST#${listId}`, ':c': 'CONTACT#' },
        Limit: pageSize,
        ExclusiveStartKey: start,
      }),
    );
    const items = (out.Items ?? []).map((i) => strip<Contact>(i));
    if (items.length) yield items;
    start = out.LastEvaluatedKey;
  } while (start);
}

export async function updateContact(current: Contact, changes: Partial<NewContact>): Promise<Contact> {
  const next: Contact = {
    ...current,
    ...changes,
    listId: current.listId,
    updatedAt: nowIso(),
    version: current.version + 1,
  };
  const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
    {
      Put: {
        TableName: TABLE,
        Item: { ...contactKey(current.listId, current.id), ...next },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': current.version },
      },
    },
  ];
  if (next.phone !== current.phone) {
    items.push(
      {
        Put: {
          TableName: TABLE,
          Item: { ...phoneKey(current.listId, next.phone), contactId: current.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Delete: { TableName: TABLE, Key: phoneKey(current.listId, current.phone) } },
    );
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
    return next;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons?.[0] === 'ConditionalCheckFailed') throw new StaleVersionError(`contact ${current.id}`);
    if (reasons?.[1] === 'ConditionalCheckFailed') throw new KeyTakenError('phone', next.phone);
    throw error;
  }
}

export async function deleteContact(contact: Contact): Promise<void> {
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: TABLE, Key: contactKey(contact.listId, contact.id) } },
        { Delete: { TableName: TABLE, Key: phoneKey(contact.listId, contact.phone) } },
      ],
    }),
  );
}
