/**
 * getItems against the run's dynoxide, over the wire: the calls of one turn of the event loop share one BatchGetItem,
 * every call still gets its own keys in its own order, a call never sees a read older than itself, and a failed
 * request fails every call that shared it.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { useTestTable } from '../support/store';
import { db, dynamo, TABLE } from '../../shared/store/client';
import { getItems } from '../../shared/store/util';

useTestTable();

const key = (n: number) => ({ pk: `READS#${n}`, sk: 'ITEM' });

/** The BatchGetItem requests sent while `run` runs, with how many keys each asked for. */
async function batchGets<T>(run: () => Promise<T>): Promise<{ result: T; requests: number[] }> {
  const requests: number[] = [];
  const name = `countBatchGets${Math.random()}`;
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') {
        const items = (args.input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems;
        requests.push(Object.values(items).reduce((n, r) => n + r.Keys.length, 0));
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await run(), requests };
  } finally {
    dynamo.middlewareStack.remove(name);
  }
}

beforeAll(async () => {
  for (let n = 0; n < 130; n++) await db.send(new PutCommand({ TableName: TABLE, Item: { ...key(n), n, tags: new Set([`t${n}`]) } }));
});

it('sends the reads of concurrent calls as one request, each call answered with its own keys in order', async () => {
  const { result, requests } = await batchGets(() =>
    Promise.all([getItems([key(3), key(1)], true), getItems([key(2), { pk: 'READS#none', sk: 'ITEM' }], true), getItems([key(1)], true)]),
  );
  expect(requests).toEqual([4]);
  expect(result.map((items) => items.map((i) => i?.n))).toEqual([[3, 1], [2, undefined], [1]]);
  // The key two calls asked for: each has its own copy.
  expect(result[0]![1]).not.toBe(result[2]![0]);
  expect(result[2]![0]).toEqual(result[0]![1]);
});

it('keeps strongly consistent and eventually consistent reads in separate requests, and reads after one another apart', async () => {
  const { requests } = await batchGets(async () => {
    await Promise.all([getItems([key(4)], true), getItems([key(5)], false)]);
    await getItems([key(6)], true);
  });
  expect(requests.sort()).toEqual([1, 1, 1]);
});

it('sees a write that finished before the call, even while an earlier read of the same key is in flight', async () => {
  const earlier = getItems([key(7)], true);
  await db.send(new PutCommand({ TableName: TABLE, Item: { ...key(7), n: 707 } }));
  const later = await getItems([key(7)], true);
  // The earlier read ran beside the write: either answer is right for it. The later one must see the write.
  expect([7, 707]).toContain((await earlier)[0]?.n);
  expect(later[0]?.n).toBe(707);
});

it('splits more than 100 distinct keys into requests of at most 100', async () => {
  const keys = Array.from({ length: 130 }, (_, n) => key(n)).filter((_, n) => n !== 7);
  const { result, requests } = await batchGets(() => Promise.all([getItems(keys.slice(0, 70)), getItems(keys.slice(50))]));
  expect(requests.sort((a, b) => a - b)).toEqual([29, 100]);
  expect(result[0]!.map((i) => i?.n)).toEqual(keys.slice(0, 70).map((k) => Number(k.pk.split('#')[1])));
  expect(result[1]!.map((i) => i?.n)).toEqual(keys.slice(50).map((k) => Number(k.pk.split('#')[1])));
});

it('fails every call that shared a failed request, and the next turn reads again', async () => {
  const name = 'failBatchGet';
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') throw Object.assign(new Error('the store is unreachable'), { name: 'TimeoutError' });
      return next(args);
    },
    { step: 'initialize', name },
  );
  let outcomes: PromiseSettledResult<unknown>[];
  try {
    outcomes = await Promise.allSettled([getItems([key(8)]), getItems([key(9)])]);
  } finally {
    dynamo.middlewareStack.remove(name);
  }
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  expect((await getItems([key(8), key(9)])).map((i) => i?.n)).toEqual([8, 9]);
});
