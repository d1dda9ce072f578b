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

type Key = { pk: string; sk: string };
type Item = Record<string, unknown>;

/** getItems calls waiting for this turn's BatchGetItem, strongly consistent ones apart from the others. */
interface PendingReads {
  calls: { keys: Key[]; resolve: (items: (Item | undefined)[]) => void; reject: (error: unknown) => void }[];
}
const pendingReads: Record<'consistent' | 'eventual', PendingReads> = { consistent: { calls: [] }, eventual: { calls: [] } };

const keyText = (k: Key) => `${k.pk}\n${k.sk}`;

/**
 * Items by key with BatchGetItem, each answer in the order of `keys`, undefined where there is no item: the look-ups
 * one step needs in one request, not one request each.
 *
 * Calls made in the same turn of the event loop share their requests: each call joins the batch of its turn, and the
 * batch goes out once the turn's promise jobs have run (as DataLoader schedules), at most 100 distinct keys per
 * request, unprocessed keys asked again. The inbound consumer runs a batch's conversations concurrently, so their
 * first reads (each contact's open pointer and list marker) become one request instead of one per message. Nothing
 * is served from an earlier request: every read is sent after its call, so a call still sees every write that
 * finished before it.
 */
export function getItems(keys: Key[], consistent = false): Promise<(Item | undefined)[]> {
  if (keys.length === 0) return Promise.resolve([]);
  const pending = pendingReads[consistent ? 'consistent' : 'eventual'];
  return new Promise((resolve, reject) => {
    pending.calls.push({ keys, resolve, reject });
    if (pending.calls.length === 1) void Promise.resolve().then(() => process.nextTick(() => void readBatch(pending, consistent)));
  });
}

async function readBatch(pending: PendingReads, consistent: boolean): Promise<void> {
  const calls = pending.calls;
  pending.calls = [];
  const distinct = new Map<string, Key>();
  for (const call of calls) for (const k of call.keys) distinct.set(keyText(k), { pk: k.pk, sk: k.sk });
  const found = new Map<string, Item>();
  try {
    const all = [...distinct.values()];
    const chunks: Key[][] = [];
    for (let i = 0; i < all.length; i += 100) chunks.push(all.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (chunk) => {
        let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> | undefined = { [TABLE]: { Keys: chunk, ConsistentRead: consistent } };
        while (request && Object.keys(request).length > 0) {
          const out = await db.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of out.Responses?.[TABLE] ?? []) found.set(keyText(item as Key), item);
          request = out.UnprocessedKeys as typeof request;
        }
      }),
    );
  } catch (error) {
    for (const call of calls) call.reject(error);
    return;
  }
  // A key two calls asked for: the second gets its own copy, so no caller sees another's changes to an item.
  const handedOut = new Set<string>();
  for (const call of calls)
    call.resolve(
      call.keys.map((k) => {
        const text = keyText(k);
        const item = found.get(text);
        if (item && handedOut.has(text)) return structuredClone(item);
        handedOut.add(text);
        return item;
      }),
    );
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
