/**
 * The loopback document client (shared/store/lean-document.ts) against the run's dynoxide, beside lib-dynamodb's own
 * document client on the same store: every command the store modules send answers the same, value for value; a
 * middleware added to the stack later still sees each request (in document form, at the initialize step, as with
 * lib-dynamodb) and stops seeing them once removed; and errors are the SDK's own.
 */
import { isDeepStrictEqual } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { useTestTable } from '../support/store';
import { clientFor } from '../../shared/ports/aws';
import { leanDocumentClient } from '../../shared/store/lean-document';

useTestTable();

const TableName = process.env.TABLE_NAME!;
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };
const low = () => clientFor(process.env.DDB_ENDPOINT, (o) => new DynamoDBClient({ region: 'local', ...o }));
const sdk = DynamoDBDocumentClient.from(low(), { marshallOptions });
const lean = leanDocumentClient(low(), { marshallOptions });

const item = (pk: string) => ({
  pk,
  sk: 'LEAN',
  text: 'héllo',
  count: 42,
  ratio: 0.25,
  yes: true,
  nothing: null,
  gone: undefined,
  list: [1, 'two', { three: 3 }, [4]],
  map: { nested: { deep: ['x'] }, empty: {} },
  tags: new Set(['a', 'b']),
  numbers: new Set([1, 2]),
  bytes: new Uint8Array([1, 2, 3]),
});

/** The same command built twice (a command is used once), sent through both clients: the answers without $metadata. */
async function both<T extends object>(build: () => T): Promise<[unknown, unknown]> {
  const strip = (out: unknown) => {
    const { $metadata: _m, ...rest } = out as Record<string, unknown>;
    return rest;
  };
  const a = strip(await sdk.send(build() as never));
  const b = strip(await lean.send(build() as never));
  return [a, b];
}

it('answers every command the store uses as lib-dynamodb does', async () => {
  await lean.send(new PutCommand({ TableName, Item: item('LEAN#1') }));
  await sdk.send(new PutCommand({ TableName, Item: item('LEAN#2') }));
  const pairs = [
    await both(() => new GetCommand({ TableName, Key: { pk: 'LEAN#1', sk: 'LEAN' }, ConsistentRead: true })),
    await both(() => new GetCommand({ TableName, Key: { pk: 'LEAN#2', sk: 'LEAN' }, ConsistentRead: true })),
    await both(() => new GetCommand({ TableName, Key: { pk: 'LEAN#none', sk: 'LEAN' } })),
    await both(() => new QueryCommand({ TableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'LEAN#1' } })),
    await both(() => new QueryCommand({ TableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'LEAN#1' }, Limit: 1 })),
    await both(() => new ScanCommand({ TableName, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': 'LEAN#' } })),
    await both(() => new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [{ pk: 'LEAN#1', sk: 'LEAN' }, { pk: 'LEAN#2', sk: 'LEAN' }] } } })),
    await both(() => new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: { pk: 'LEAN#1', sk: 'LEAN' } } }] })),
    await both(() =>
      new UpdateCommand({
        TableName,
        Key: { pk: 'LEAN#1', sk: 'LEAN' },
        UpdateExpression: 'SET #m.#n = :v ADD tags :t',
        ExpressionAttributeNames: { '#m': 'map', '#n': 'nested' },
        ExpressionAttributeValues: { ':v': { deep: ['y'], when: 1 }, ':t': new Set(['c']) },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  ];
  pairs.forEach(([a, b], i) => expect({ i, same: isDeepStrictEqual(a, b) }).toEqual({ i, same: true }));
  // A put's old item: the second put of the same item answers the first one's, the same from either client.
  await lean.send(new PutCommand({ TableName, Item: { ...item('LEAN#3'), count: 7 } }));
  const [oldBySdk, oldByLean] = await both(() => new PutCommand({ TableName, Item: { ...item('LEAN#3'), count: 7 }, ReturnValues: 'ALL_OLD' }));
  expect(isDeepStrictEqual(oldBySdk, oldByLean)).toBe(true);
  expect((oldByLean as { Attributes: { count: number } }).Attributes.count).toBe(7);
  // What was read back is what was written, undefined members left out, sets and bytes as they went in.
  const read = pairs[0]![1] as { Item: Record<string, unknown> };
  const { gone: _gone, ...written } = item('LEAN#1');
  expect(read.Item).toEqual(written);
  expect('gone' in read.Item).toBe(false);
  expect(read.Item.tags).toEqual(new Set(['a', 'b']));

  await lean.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName, Item: item('LEAN#4'), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Update: { TableName, Key: { pk: 'LEAN#2', sk: 'LEAN' }, UpdateExpression: 'SET #c = :c', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':c': 43 } } },
        { ConditionCheck: { TableName, Key: { pk: 'LEAN#1', sk: 'LEAN' }, ConditionExpression: 'yes = :y', ExpressionAttributeValues: { ':y': true } } },
      ],
    }),
  );
  await lean.send(new BatchWriteCommand({ RequestItems: { [TableName]: [{ PutRequest: { Item: item('LEAN#5') } }, { DeleteRequest: { Key: { pk: 'LEAN#3', sk: 'LEAN' } } }] } }));
  const deleted = await lean.send(new DeleteCommand({ TableName, Key: { pk: 'LEAN#5', sk: 'LEAN' }, ReturnValues: 'ALL_OLD' }));
  expect(deleted.Attributes?.tags).toEqual(new Set(['a', 'b']));
  const after = await sdk.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: ['LEAN#2', 'LEAN#3', 'LEAN#4', 'LEAN#5'].map((pk) => ({ pk, sk: 'LEAN' })) } } }));
  expect((after.Responses?.[TableName] ?? []).map((i) => [i.pk, i.count]).sort()).toEqual([['LEAN#2', 43], ['LEAN#4', 42]]);
});

it('lets a middleware added later see each request in document form, and not once it is removed', async () => {
  const seen: unknown[] = [];
  await lean.send(new GetCommand({ TableName, Key: { pk: 'LEAN#1', sk: 'LEAN' } }));
  lean.middlewareStack.add(
    (next) => async (args) => {
      seen.push((args.input as { Key?: unknown }).Key);
      return next(args);
    },
    { step: 'initialize', name: 'leanWatcher' },
  );
  await lean.send(new GetCommand({ TableName, Key: { pk: 'LEAN#1', sk: 'LEAN' } }));
  lean.middlewareStack.remove('leanWatcher');
  await lean.send(new GetCommand({ TableName, Key: { pk: 'LEAN#2', sk: 'LEAN' } }));
  expect(seen).toEqual([{ pk: 'LEAN#1', sk: 'LEAN' }]);
});

it('fails as the SDK fails: a condition, a cancelled transaction with its reasons, a validation error', async () => {
  await expect(lean.send(new PutCommand({ TableName, Item: item('LEAN#1'), ConditionExpression: 'attribute_not_exists(pk)' }))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  await expect(
    lean.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: item('LEAN#1'), ConditionExpression: 'attribute_not_exists(pk)' } }] })),
  ).rejects.toMatchObject({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] });
  await expect(lean.send(new GetCommand({ TableName, Key: { nope: 'x' } }))).rejects.toMatchObject({ name: 'ValidationException' });
});
