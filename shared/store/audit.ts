/**
 * The audit log: who did what, when, to which ids. Every admin and supervisor write, export, transcript download,
 * spy and delete adds a row; security code adds its own (logins, take-overs) with `recordAudit`.
 *
 * Rows sit in one partition per month (`AUDIT#2026-12`, sorted by time: audit writes are a trickle, so a month is
 * never a hot partition) and on gsi1 per actor (`AUDIT#ACTOR#{id}`). Each carries a TTL (`expiresAt`) set from
 * `AUDIT_RETENTION_DAYS`; DynamoDB deletes expired rows within a day or two, and listings hide them at once.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../ids';
import { config } from '../config';
import { now } from '../ports/clock';
import { db, TABLE } from './client';
import { strip } from './util';
import { walkPartitions, type FilterExpression } from './walk';

export interface AuditActor {
  /** The user id; for an unknown user (a failed login) whatever identifies the attempt, e.g. `username:bob`. */
  id: string;
  username?: string;
  role?: string;
}

export interface AuditInput {
  actor: AuditActor;
  /** What happened: `interaction.export`, `interaction.spy`, `auth.login`, or the route key of a generic write. */
  action: string;
  targetIds?: string[];
  /** The kind of the targets: `interaction`, `account`, `agent`, ... */
  targetType?: string;
  outcome?: 'ok' | 'denied' | 'failed';
  /** Small, non-secret facts (a filter, a count, a reason). Never credentials or message text. */
  details?: Record<string, unknown>;
  ip?: string;
  requestId?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string;
  actorUsername?: string;
  actorRole?: string;
  action: string;
  targetType?: string;
  targetIds: string[];
  outcome: 'ok' | 'denied' | 'failed';
  details?: Record<string, unknown>;
  ip?: string;
  requestId?: string;
  expiresAt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A bulk action lists at most this many target ids in its row; `details.targetCount` says how many there were. */
const MAX_TARGETS = 1000;

const month = (iso: string) => iso.slice(0, 7);
const partition = (m: string) => `AUDIT#${m}`;

export async function recordAudit(input: AuditInput): Promise<AuditEntry> {
  const atMs = now();
  const at = new Date(atMs).toISOString();
  const id = ulid(atMs);
  const targets = input.targetIds ?? [];
  const entry: AuditEntry = {
    id,
    at,
    actorId: input.actor.id,
    ...(input.actor.username ? { actorUsername: input.actor.username } : {}),
    ...(input.actor.role ? { actorRole: input.actor.role } : {}),
    action: input.action,
    ...(input.targetType ? { targetType: input.targetType } : {}),
    targetIds: targets.slice(0, MAX_TARGETS),
    outcome: input.outcome ?? 'ok',
    ...(input.details || targets.length > MAX_TARGETS
      ? { details: { ...input.details, ...(targets.length > MAX_TARGETS ? { targetCount: targets.length } : {}) } }
      : {}),
    ...(input.ip ? { ip: input.ip } : {}),
    ...(input.requestId ? { requestId: input.requestId } : {}),
    expiresAt: Math.floor((atMs + config.AUDIT_RETENTION_DAYS * DAY_MS) / 1000),
  };
  await db.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        pk: partition(month(at)),
        sk: `${at}#${id}`,
        gsi1pk: `AUDIT#ACTOR#${entry.actorId}`,
        gsi1sk: `${at}#${id}`,
        ...entry,
      },
    }),
  );
  return entry;
}

export interface AuditQuery {
  from?: string;
  to?: string;
  actorId?: string;
  action?: string;
  targetId?: string;
  targetType?: string;
  outcome?: 'ok' | 'denied' | 'failed';
  limit: number;
  cursor?: string;
}

/** Months from `to` back to `from`, newest first. */
function monthsBetween(fromIso: string, toIso: string): string[] {
  const out: string[] = [];
  const end = new Date(`${month(fromIso)}-01T00:00:00.000Z`);
  const d = new Date(`${month(toIso)}-01T00:00:00.000Z`);
  while (d >= end) {
    out.push(month(d.toISOString()));
    d.setUTCMonth(d.getUTCMonth() - 1);
  }
  return out;
}

/** Newest first. Without `from`, the retention window; `action` ending in `*` matches a prefix (`interaction.*`). */
export async function listAudit(query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor?: string; itemsRead: number }> {
  const nowMs = now();
  const to = query.to ?? new Date(nowMs).toISOString();
  const from = query.from ?? new Date(nowMs - config.AUDIT_RETENTION_DAYS * DAY_MS).toISOString();
  const clauses = ['expiresAt > :now'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':now': Math.floor(nowMs / 1000) };
  if (query.action?.endsWith('*')) {
    clauses.push('begins_with(#action, :action)');
    names['#action'] = 'action';
    values[':action'] = query.action.slice(0, -1);
  } else if (query.action) {
    clauses.push('#action = :action');
    names['#action'] = 'action';
    values[':action'] = query.action;
  }
  if (query.targetId) {
    clauses.push('contains(targetIds, :target)');
    values[':target'] = query.targetId;
  }
  if (query.targetType) {
    clauses.push('targetType = :targetType');
    values[':targetType'] = query.targetType;
  }
  if (query.outcome) {
    clauses.push('outcome = :outcome');
    values[':outcome'] = query.outcome;
  }
  const filter: FilterExpression = { expression: clauses.join(' AND '), names, values };
  // Sort keys are `${at}#${id}`: '~' sorts after '#', so `to` includes its own instant. One actor's rows are one
  // partition of gsi1: no month walk.
  const page = await walkPartitions({
    ...(query.actorId ? { index: 'gsi1' as const, partitions: [`AUDIT#ACTOR#${query.actorId}`] } : { partitions: monthsBetween(from, to).map(partition) }),
    from,
    to: `${to}~`,
    order: 'desc',
    filter,
    limit: query.limit,
    maxRead: 5000,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return {
    items: page.items.map((i) => strip<AuditEntry>(i)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    itemsRead: page.itemsRead,
  };
}
