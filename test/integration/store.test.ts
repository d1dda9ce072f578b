/**
 * Repositories against the run's dynoxide, over the wire, with no engine: the uniqueness and integrity rules that
 * the table's transactions and conditions enforce, and the store-kept timers the local engine fires.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { useTestTable } from '../support/store';
import { db, TABLE } from '../../shared/store/client';
import { walkPartitions } from '../../shared/store/walk';
import { accountCreateSchema } from '../../shared/admin/account-schema';
import { createAccount } from '../../shared/admin/accounts';
import { ConflictError, KeyTakenError, StaleVersionError } from '../../shared/errors';
import { armInStore, cancelInStore, claimTimer, dueTimers } from '../../shared/ports/timers-store';
import { removeAccount, requireAccount } from '../../shared/store/accounts';
import { createAgent, updateAgent } from '../../shared/store/agents';
import { createContact, createList, deleteList, findOrCreateContact, getList } from '../../shared/store/lists';
import { addMember, membersOf, parentsOf } from '../../shared/store/memberships';

useTestTable();

const agentFields = { fullName: 'Test Agent', typology: 'webrtc' as const, voicemail: false, remoteControl: false, role: 'agent' as const, disabled: false };

describe('agents', () => {
  it('gives a username to exactly one of many concurrent creates', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => createAgent({ ...agentFields, username: 'same.name' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(KeyTakenError);
  });

  it('generates distinct extensions under concurrency', async () => {
    const agents = await Promise.all(Array.from({ length: 8 }, (_, i) => createAgent({ ...agentFields, username: `ext${i}` })));
    expect(new Set(agents.map((a) => a.extension)).size).toBe(8);
  });

  it('refuses a write made from a stale version', async () => {
    const agent = await createAgent({ ...agentFields, username: 'stale.one' });
    await updateAgent(agent, { fullName: 'First edit' });
    await expect(updateAgent(agent, { fullName: 'Second edit from the old copy' })).rejects.toBeInstanceOf(StaleVersionError);
  });
});

describe('lists and accounts', () => {
  const credentials = { accountSid: 'AC00000000000000000000000000000003', authToken: 'store-test-token' };

  it('refuses to delete a list an account uses, and allows it once the account is gone', async () => {
    const list = await createList({ name: 'In use' });
    const account = await createAccount(
      accountCreateSchema.parse({ channel: 'sms', name: 'Store', key: 'STO', type: 'twilio', phone: '+14155550155', listId: list.id, credentials }),
    );
    await expect(deleteList(list.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await getList(list.id)).toBeDefined();
    expect(await removeAccount(await requireAccount(account.id))).toBe(true);
    await deleteList(list.id);
    expect(await getList(list.id)).toBeUndefined();
  });

  it('keeps a phone unique within a list, and finds-or-creates one contact under a race', async () => {
    const list = await createList({ name: 'Contacts' });
    await createContact({ listId: list.id, phone: '+393331234000' });
    await expect(createContact({ listId: list.id, phone: '+393331234000' })).rejects.toBeInstanceOf(KeyTakenError);
    const raced = await Promise.all(Array.from({ length: 10 }, () => findOrCreateContact(list.id, '+393331234001')));
    expect(new Set(raced.map((r) => r.contact.id)).size).toBe(1);
    expect(raced.filter((r) => r.created)).toHaveLength(1);
  });

  it('records memberships only between things that exist, and finds them from both sides', async () => {
    const list = await createList({ name: 'Members' });
    const account = await createAccount(
      accountCreateSchema.parse({ channel: 'sms', name: 'Members', key: 'MEM', type: 'twilio', phone: '+14155550156', listId: list.id, credentials }),
    );
    const agent = await createAgent({ ...agentFields, username: 'member.one' });
    await addMember('ACCOUNT', account.id, agent.id);
    await expect(addMember('ACCOUNT', account.id, 'no-such-agent')).rejects.toThrow('not found');
    expect(await membersOf('ACCOUNT', account.id)).toEqual([agent.id]);
    expect(await parentsOf('ACCOUNT', agent.id)).toEqual([account.id]);
  });
});

describe('timers kept in the store', () => {
  const timer = (name: string, dueAt: number) => ({ name, kind: 'test', dueAt, payload: { n: name } });

  it('lists only what is due, replaces a timer armed again, and lets exactly one claimer fire it', async () => {
    const now = Date.now();
    await armInStore(timer('store-a', now - 1000));
    await armInStore(timer('store-b', now + 60_000));
    await armInStore(timer('store-c', now - 500));
    await armInStore(timer('store-c', now + 60_000)); // re-armed later: no longer due
    const due = (await dueTimers(now)).map((t) => t.name);
    expect(due).toContain('store-a');
    expect(due).not.toContain('store-b');
    expect(due).not.toContain('store-c');

    const [first] = (await dueTimers(now)).filter((t) => t.name === 'store-a');
    const claims = await Promise.all([claimTimer(first!), claimTimer(first!), claimTimer(first!)]);
    expect(claims.filter(Boolean)).toHaveLength(1);

    await cancelInStore('store-b');
    expect((await dueTimers(now + 120_000)).map((t) => t.name)).not.toContain('store-b');
  });

  it('does not let a claim of an old arming remove a timer re-armed meanwhile', async () => {
    const now = Date.now();
    await armInStore(timer('store-d', now - 1000));
    const [old] = (await dueTimers(now)).filter((t) => t.name === 'store-d');
    await armInStore(timer('store-d', now + 60_000));
    expect(await claimTimer(old!)).toBe(false);
    expect((await dueTimers(now + 120_000)).map((t) => t.name)).toContain('store-d');
  });
});

describe('bounded walks over time-bucketed partitions', () => {
  const partition = 'WALKTEST#2026-12-01';
  beforeAll(async () => {
    for (let start = 0; start < 600; start += 25) {
      const puts = Array.from({ length: 25 }, (_, k) => {
        const n = start + k;
        const sk = `2026-12-01T10:${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.000Z#W${n}`;
        return { PutRequest: { Item: { pk: `WALK#${n}`, sk: 'ITEM', gsi2pk: partition, gsi2sk: sk, n } } };
      });
      await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: puts } }));
    }
  });

  it('sizes each filtered Query by the share of matches seen, and pages through every match once, in order', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await walkPartitions({
        index: 'gsi2',
        partitions: [partition],
        order: 'asc',
        predicate: (item) => Number(item.n) % 3 === 0,
        limit: 50,
        maxRead: 2000,
        ...(cursor ? { cursor } : {}),
      });
      pages += 1;
      if (page.nextCursor) {
        expect(page.items).toHaveLength(50);
        // One match in three: a full page reads about 150 items, never the 500 a Query may read.
        expect(page.itemsRead).toBeGreaterThanOrEqual(148);
        expect(page.itemsRead).toBeLessThan(300);
      }
      seen.push(...page.items.map((i) => Number(i.n)));
      cursor = page.nextCursor;
    } while (cursor && pages < 10);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i * 3));
  });
});
