/**
 * Login attempt budgets (see shared/domain/login-throttle.ts), one item each in the single table, expiring with
 * their window. An attempt is let through only by a conditional write on the state it read, all budgets in one
 * transaction, so parallel guesses cannot share one free slot: the losers of the race are refused like any other
 * attempt that came too early.
 */
import { DeleteCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { current, decide, type ThrottlePolicy, type ThrottleState } from '../domain/login-throttle';
import { db, TABLE } from './client';
import { cancellationReasons, getItems } from './util';

export interface Budget {
  /** `user#<username>#addr#<address>` or `addr#<address>`. */
  id: string;
  policy: ThrottlePolicy;
}

type StoredState = ThrottleState & { version: number };

const budgetKey = (id: string) => ({ pk: `LOGINTHROTTLE#${id}`, sk: 'THROTTLE' });

export const budgetIds = {
  userAtAddress: (username: string, address: string) => `user#${username.toLowerCase()}#addr#${address}`,
  address: (address: string) => `addr#${address}`,
};

export async function readBudgets(budgets: Budget[]): Promise<Map<string, StoredState>> {
  const items = await getItems(budgets.map((b) => budgetKey(b.id)), true);
  const states = new Map<string, StoredState>();
  budgets.forEach((b, i) => {
    const item = items[i] as StoredState | undefined;
    if (item) states.set(b.id, item);
  });
  return states;
}

/** Each admitted budget's state before the attempt and the version written for it. */
export type Admitted = Map<string, { before: StoredState | undefined; version: number }>;
export type Admission = { admitted: true; written: Admitted } | { admitted: false; retryAfterMs: number };

/** Lets one attempt through every budget, or refuses it with how long to wait. */
export async function admitAttempt(budgets: Budget[], states: Map<string, StoredState>, nowMs: number): Promise<Admission> {
  const writes = [];
  const written: Admitted = new Map();
  for (const budget of budgets) {
    const stored = states.get(budget.id);
    const decision = decide(stored, nowMs, budget.policy);
    if (!decision.allowed) return { admitted: false, retryAfterMs: decision.retryAfterMs };
    const live = current(stored, nowMs, budget.policy);
    written.set(budget.id, { before: live && { ...live, version: stored!.version }, version: (stored?.version ?? 0) + 1 });
    writes.push({
      Put: {
        TableName: TABLE,
        Item: {
          ...budgetKey(budget.id),
          ...decision.next,
          version: (stored?.version ?? 0) + 1,
          expiresAt: Math.ceil((decision.next.windowStartAt + budget.policy.windowMs) / 1000),
        },
        ConditionExpression: stored ? '#v = :v' : 'attribute_not_exists(pk)',
        ...(stored ? { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': stored.version } } : {}),
      },
    });
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: writes }));
    return { admitted: true, written };
  } catch (error) {
    // Another attempt on the same budget won the race: this one came too early.
    if (cancellationReasons(error)?.includes('ConditionalCheckFailed')) return { admitted: false, retryAfterMs: budgets[0]?.policy.baseDelayMs ?? 1000 };
    throw error;
  }
}

/**
 * A successful login: the username's budget at this address starts again, and the address's budget goes back to
 * what it was before the attempt (so an office behind one address is not slowed by its own users' logins; a failure
 * is never given back). Skipped when another attempt has moved the budget since.
 */
export async function settleSuccess(userAtAddress: string, address: string, written: Admitted): Promise<void> {
  const mine = written.get(address);
  const sameVersion = { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' } };
  await Promise.all([
    db.send(new DeleteCommand({ TableName: TABLE, Key: budgetKey(userAtAddress) })),
    mine &&
      db
        .send(
          mine.before
            ? new UpdateCommand({
                TableName: TABLE,
                Key: budgetKey(address),
                UpdateExpression: 'SET attempts = :a, nextAllowedAt = :n, #v = :next',
                ...sameVersion,
                ExpressionAttributeValues: { ':a': mine.before.attempts, ':n': mine.before.nextAllowedAt, ':v': mine.version, ':next': mine.version + 1 },
              })
            : new DeleteCommand({ TableName: TABLE, Key: budgetKey(address), ...sameVersion, ExpressionAttributeValues: { ':v': mine.version } }),
        )
        .catch((error: Error) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        }),
  ]);
}
