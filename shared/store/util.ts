/** Helpers every repository uses: condition failures as domain errors, cursors, and in-memory listing. */
import { BatchGetCommand, GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors';
import { db, TABLE } from './client';

export function isConditionFailed(error: unknown): boolean {
  return (error as Error)?.name === 'ConditionalCheckFailedException';
}

/** For a cancelled transaction: the reason code of each item, in order ('None' where that item was fine). */
export function cancellationReasons(error: unknown): string[] | undefined {
  if ((error as Error)?.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

export async function getItem<T>(key: { pk: string; sk: string }, consistent = false): Promise<T | undefined> {
  const out = await db.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: consistent }));
  return out.Item as T | undefined;
}

/**
 * Items by key with BatchGetItem (one request per 100 keys; unprocessed keys asked again), each answer in the order of
 * `keys`, undefined where there is no item: the look-ups one step needs in one request, not one request each.
 */
export async function getItems(keys: { pk: string; sk: string }[], consistent = false): Promise<(Record<string, unknown> | undefined)[]> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [TABLE]: { Keys: keys.slice(i, i + 100), ConsistentRead: consistent },
    };
    while (request && Object.keys(request).length > 0) {
      const out = await db.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[TABLE] ?? []) found.set(`${String(item.pk)}\n${String(item.sk)}`, item);
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return keys.map((k) => found.get(`${k.pk}\n${k.sk}`));
}

/** Every item a Query matches, page after page (partitions and indexes that a listing reads whole). */
export async function queryAll(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ TableName: TABLE, ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Strips the table's own attributes before an item leaves the store layer. */
export function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest as T;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface ListQuery {
  q?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

/**
 * Search, sort and cursor-paginate a set already read from one partition (admin lists are hundreds of items,
 * read with one Query, never a Scan). The cursor is the position after the last item, opaque to clients.
 */
export function paginate<T extends Record<string, unknown>>(
  all: T[],
  query: ListQuery,
  searchable: (keyof T)[],
  sortable: readonly string[],
): Page<T> {
  const needle = query.q?.trim().toLowerCase();
  let items = needle
    ? all.filter((item) =>
        searchable.some((field) =>
          String(item[field] ?? '')
            .toLowerCase()
            .includes(needle),
        ),
      )
    : all;
  const sort = query.sort ?? sortable[0] ?? 'id';
  if (!sortable.includes(sort)) {
    throw new ValidationError(`cannot sort by ${sort}`, [
      { path: 'query.sort', message: `one of ${sortable.join(', ')}` },
    ]);
  }
  const dir = query.order === 'desc' ? -1 : 1;
  items = [...items].sort((a, b) => {
    const x = String(a[sort] ?? '');
    const y = String(b[sort] ?? '');
    return (x < y ? -1 : x > y ? 1 : String(a.id) < String(b.id) ? -1 : 1) * dir;
  });
  let start = 0;
  if (query.cursor) {
    const text = Buffer.from(query.cursor, 'base64url').toString('utf8');
    const decoded = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(decoded)) {
      throw new ValidationError('invalid cursor', [
        { path: 'query.cursor', message: 'not a cursor from a previous page' },
      ]);
    }
    start = decoded;
  }
  const page = items.slice(start, start + query.limit);
  const next = start + query.limit;
  return {
    items: page,
    ...(next < items.length ? { nextCursor: Buffer.from(String(next)).toString('base64url') } : {}),
  };
}

/**
 * Runs a single-item write again when it met a transaction in flight on the same item (TransactionConflict): items
 * that transactions also touch (an agent's presence, which holds its capacity slots) see this under contention, and
 * the write is safe to repeat because it did not happen.
 */
export async function retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if ((error as Error)?.name !== 'TransactionConflictException' || attempt >= 8) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
    }
  }
}
