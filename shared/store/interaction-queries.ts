/**
 * Supervisors' reads over interactions: lists with filters and advanced searches, always through an index by start
 * time, never a Scan. One account's interactions sit on gsi1 (`ACCOUNT#{id}#INTERACTIONS`, sorted by start); all
 * accounts' on gsi2 in one partition per UTC day (`INTERACTIONS#2026-12-01`, sorted by start), so a 7-day search
 * reads 7 partitions whatever the table holds. Conditions are checked over bounded pages: one page reads at most
 * `MAX_READ_PER_PAGE` items, and a page cut short returns a cursor that resumes exactly where it stopped.
 */
import type { Interaction } from '../domain/interaction';
import { ValidationError } from '../errors';
import { now } from '../ports/clock';
import type { RoutedInteraction } from './routing';
import { strip } from './util';
import { walkPartitions } from './walk';

export const MAX_READ_PER_PAGE = 2000;
/** Without a start bound, a list across accounts reads back this many days. */
export const DEFAULT_WINDOW_DAYS = 90;
/** Sorting by last message sorts the whole matching window in memory: at most this many interactions. */
export const MAX_SORT_WINDOW = 5000;

const DAY_MS = 24 * 60 * 60 * 1000;

export type InteractionRow = RoutedInteraction & {
  firstResponseAt?: string;
  lastOutboundAt?: string;
};

export const accountIndexKey = (accountId: string) => `ACCOUNT#${accountId}#INTERACTIONS`;
export const dayIndexKey = (createdAt: string) => `INTERACTIONS#${createdAt.slice(0, 10)}`;

/** The time of the last message either way (the customer's or an agent's). */
export function lastMessageAt(i: InteractionRow): string {
  return i.lastOutboundAt && i.lastOutboundAt > i.lastInboundAt ? i.lastOutboundAt : i.lastInboundAt;
}

export function firstResponseSeconds(i: InteractionRow): number | undefined {
  return i.firstResponseAt ? Math.max(0, Math.round((Date.parse(i.firstResponseAt) - Date.parse(i.createdAt)) / 1000)) : undefined;
}

/** From start to close; an open interaction has none yet. */
export function handleSeconds(i: Pick<Interaction, 'createdAt' | 'closedAt'>): number | undefined {
  return i.closedAt ? Math.max(0, Math.round((Date.parse(i.closedAt) - Date.parse(i.createdAt)) / 1000)) : undefined;
}

export interface InteractionQuery {
  /** One account (its gsi1 partition), or every account (the day partitions of gsi2). */
  accountId?: string;
  /** Start-time bounds, epoch ms, inclusive. */
  from?: number;
  to?: number;
  sort: 'startedAt' | 'lastMessageAt';
  order: 'asc' | 'desc';
  predicate: (row: InteractionRow) => boolean;
  limit: number;
  cursor?: string;
}

export interface InteractionPage {
  items: InteractionRow[];
  nextCursor?: string;
  itemsRead: number;
  queries: number;
}

function days(fromMs: number, toMs: number, order: 'asc' | 'desc'): string[] {
  const out: string[] = [];
  for (let d = Math.floor(fromMs / DAY_MS) * DAY_MS; d <= toMs; d += DAY_MS) out.push(dayIndexKey(new Date(d).toISOString()));
  return order === 'desc' ? out.reverse() : out;
}

function plan(query: Pick<InteractionQuery, 'accountId' | 'from' | 'to' | 'order'>) {
  const to = query.to ?? now() + DAY_MS;
  const from = query.from ?? (query.accountId ? 0 : to - DEFAULT_WINDOW_DAYS * DAY_MS);
  if (from > to) return undefined;
  const bounds = { from: new Date(from).toISOString(), to: `${new Date(to).toISOString()}~` };
  return query.accountId
    ? { index: 'gsi1' as const, partitions: [accountIndexKey(query.accountId)], ...(query.from !== undefined ? { from: bounds.from } : {}), to: bounds.to }
    : { index: 'gsi2' as const, partitions: days(from, to, query.order), from: bounds.from, to: bounds.to };
}

const row = (item: Record<string, unknown>) => strip<InteractionRow>(item);

/** One page of interactions matching the predicate, by start time or by last message. */
export async function queryInteractions(query: InteractionQuery): Promise<InteractionPage> {
  const where = plan(query);
  if (!where) return { items: [], itemsRead: 0, queries: 0 };
  if (query.sort === 'startedAt') {
    const page = await walkPartitions({
      ...where,
      order: query.order,
      predicate: (item) => query.predicate(row(item)),
      limit: query.limit,
      maxRead: MAX_READ_PER_PAGE,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return { items: page.items.map(row), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), itemsRead: page.itemsRead, queries: page.queries };
  }
  // By last message: read the whole matching window (bounded), sort it, and page by position.
  const offset = query.cursor ? decodeOffset(query.cursor) : 0;
  const all: InteractionRow[] = [];
  let cursor: string | undefined;
  let itemsRead = 0;
  let queries = 0;
  do {
    const page = await walkPartitions({ ...where, order: 'desc', predicate: (item) => query.predicate(row(item)), limit: MAX_SORT_WINDOW + 1 - all.length, maxRead: MAX_SORT_WINDOW * 4, ...(cursor ? { cursor } : {}) });
    all.push(...page.items.map(row));
    itemsRead += page.itemsRead;
    queries += page.queries;
    cursor = page.nextCursor;
    if (all.length > MAX_SORT_WINDOW || (cursor && itemsRead >= MAX_SORT_WINDOW * 4)) {
      throw new ValidationError('too many interactions to sort by last message', [
        { path: 'query.from', message: `narrow the start range or the filters to at most ${MAX_SORT_WINDOW} interactions, or sort by startedAt` },
      ]);
    }
  } while (cursor);
  const dir = query.order === 'asc' ? 1 : -1;
  all.sort((a, b) => {
    const x = lastMessageAt(a);
    const y = lastMessageAt(b);
    return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * dir;
  });
  const items = all.slice(offset, offset + query.limit);
  const next = offset + query.limit;
  return { items, ...(next < all.length ? { nextCursor: Buffer.from(`o${next}`).toString('base64url') } : {}), itemsRead, queries };
}

function decodeOffset(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^o\d+$/.test(text)) throw new ValidationError('invalid cursor', [{ path: 'query.cursor', message: 'not a cursor from a previous page of this query' }]);
  return Number(text.slice(1));
}

/** Every interaction matching, page after page (exports): calls `each` per page so memory stays one page. */
export async function forEachInteraction(
  query: Omit<InteractionQuery, 'limit' | 'cursor' | 'sort'>,
  each: (rows: InteractionRow[]) => Promise<void> | void,
): Promise<number> {
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await queryInteractions({ ...query, sort: 'startedAt', limit: 500, ...(cursor ? { cursor } : {}) });
    if (page.items.length) await each(page.items);
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

export interface AccountsPageQuery {
  accountIds: readonly string[];
  predicate: (row: InteractionRow) => boolean;
  limit: number;
  cursor?: string;
}

interface AccountsCursor {
  /** The account whose partition the page stopped in. */
  a: string;
  /** The key to resume after in it ({} for its start). */
  k: Record<string, unknown>;
}

const invalidCursor = () => new ValidationError('invalid cursor', [{ path: 'query.cursor', message: 'not a cursor from a previous page of this list' }]);

function decodeAccountsCursor(cursor: string): AccountsCursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as AccountsCursor;
    if (typeof parsed.a === 'string' && parsed.k && typeof parsed.k === 'object') return parsed;
  } catch {
    // falls through to the 400
  }
  throw invalidCursor();
}

/**
 * The interactions of several accounts (an agent's, or every account for a supervisor), one page at a time: account
 * by account in id order, each account's newest first, over its gsi1 partition with a bounded read per page. The
 * cursor names the account it stopped in (not its position), so an account added or removed between two pages
 * neither repeats nor skips the others' interactions.
 */
export async function queryInteractionsOfAccounts(query: AccountsPageQuery): Promise<InteractionPage> {
  const sorted = [...new Set(query.accountIds)].sort();
  const at = query.cursor ? decodeAccountsCursor(query.cursor) : undefined;
  const from = at ? sorted.filter((id) => id >= at.a) : sorted;
  // The account the cursor stopped in may be gone: resume at the next one, from its start.
  const resume = at && from[0] === at.a && Object.keys(at.k).length > 0 ? at.k : undefined;
  if (!from.length) return { items: [], itemsRead: 0, queries: 0 };
  const page = await walkPartitions({
    index: 'gsi1',
    partitions: from.map(accountIndexKey),
    order: 'desc',
    predicate: (item) => query.predicate(row(item)),
    limit: query.limit,
    maxRead: MAX_READ_PER_PAGE,
    ...(resume ? { cursor: Buffer.from(JSON.stringify({ p: 0, k: resume })).toString('base64url') } : {}),
  });
  let nextCursor: string | undefined;
  if (page.nextCursor) {
    const inner = JSON.parse(Buffer.from(page.nextCursor, 'base64url').toString('utf8')) as { p: number; k: Record<string, unknown> };
    nextCursor = Buffer.from(JSON.stringify({ a: from[inner.p]!, k: inner.k } satisfies AccountsCursor)).toString('base64url');
  }
  return { items: page.items.map(row), ...(nextCursor ? { nextCursor } : {}), itemsRead: page.itemsRead, queries: page.queries };
}
