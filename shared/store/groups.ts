/**
 * A named group of member agents (queues, teams): one item under `{KIND}#{id}`, listed through gsi1 under
 * `{KIND}S`, replaced under its version, and deleted with its memberships (see memberships.ts), so no agent keeps
 * pointing at a gone group. Each kind adds its own fields and, where something caches it, a hook on every write.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../ids';
import { NotFoundError, StaleVersionError } from '../errors';
import { nowIso } from '../ports/clock';
import { db, TABLE } from './client';
import { keys } from './keys';
import { removeAllMembers } from './memberships';
import { getItem, isConditionFailed, strip, queryAll } from './util';

export interface GroupBase {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type NewGroup<G extends GroupBase> = Omit<G, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export interface GroupRepository<G extends GroupBase> {
  create(input: NewGroup<G>): Promise<G>;
  get(id: string): Promise<G | undefined>;
  require(id: string): Promise<G>;
  list(): Promise<G[]>;
  /** Replaces the group guarded by the version read; a concurrent change is a 409, not a lost update. */
  update(current: G, next: G): Promise<G>;
  /** Deletes the group, then its memberships. Returns false when it did not exist. */
  remove(id: string): Promise<boolean>;
}

export function groupRepository<G extends GroupBase>(kind: 'QUEUE' | 'TEAM', options: { afterWrite?: () => void } = {}): GroupRepository<G> {
  const label = kind.toLowerCase();
  const key = kind === 'QUEUE' ? keys.queue : keys.team;
  const item = (group: G) => ({ ...key(group.id), gsi1pk: `${kind}S`, gsi1sk: group.id, ...group });
  const written = () => options.afterWrite?.();
  const get = async (id: string) => {
    const found = await getItem<Record<string, unknown>>(key(id));
    return found ? strip<G>(found) : undefined;
  };
  return {
    async create(input) {
      const now = nowIso();
      const group = { id: ulid(), ...input, createdAt: now, updatedAt: now, version: 1 } as G;
      await db.send(new PutCommand({ TableName: TABLE, Item: item(group), ConditionExpression: 'attribute_not_exists(pk)' }));
      written();
      return group;
    },
    get,
    async require(id) {
      const group = await get(id);
      if (!group) throw new NotFoundError(`${label} ${id}`);
      return group;
    },
    async list() {
      return (await queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `${kind}S` } })).map((i) => strip<G>(i));
    },
    async update(current, next) {
      const group: G = { ...next, id: current.id, createdAt: current.createdAt, updatedAt: nowIso(), version: current.version + 1 };
      try {
        await db.send(
          new PutCommand({ TableName: TABLE, Item: item(group), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': current.version } }),
        );
      } catch (error) {
        if (isConditionFailed(error)) throw new StaleVersionError(`${label} ${current.id}`);
        throw error;
      }
      written();
      return group;
    },
    async remove(id) {
      const out = await db.send(new DeleteCommand({ TableName: TABLE, Key: key(id), ReturnValues: 'ALL_OLD' }));
      written();
      await removeAllMembers(kind, id);
      return Boolean(out.Attributes);
    },
  };
}
