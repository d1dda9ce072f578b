/**
 * The system's own state: whether the first start's bootstrap (the first admin) is done. GET /health answers ready
 * only once it is, so a load balancer or a test never sends work to a deployment nobody can administer yet.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { db, TABLE } from './client';
import { keys } from './keys';
import { getItem } from './util';

/** The stores (endpoint and table) known to be bootstrapped: it never goes back, so it is read until it is true. */
const known = new Set<string>();
const storeId = () => `${config.DDB_ENDPOINT ?? ''}|${TABLE}`;

export async function markBootstrapped(at: string): Promise<void> {
  await db.send(new PutCommand({ TableName: TABLE, Item: { ...keys.bootstrap(), at } }));
  known.add(storeId());
}

export async function isBootstrapped(): Promise<boolean> {
  const id = storeId();
  if (known.has(id)) return true;
  if ((await getItem(keys.bootstrap(), true)) === undefined) return false;
  known.add(id);
  return true;
}
