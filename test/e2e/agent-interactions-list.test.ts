/**
 * GET /agent/interactions over the local engine: supervisors and admins see every account's interactions without
 * `accountId`, agents only their accounts'; every caller pages with `limit` and `cursor` (`nextCursor`), and the pages
 * together hold each interaction once. Bad paging input is a 400 naming the field.
 */
import { ulid } from 'ulid';
import { accountBody, createList, createUser, useAdminApi, type TestUser } from '../support/admin';
import type { Interaction } from '../../shared/domain/interaction';
import { openWithInbound } from '../../shared/store/interactions';

const api = useAdminApi();
const { call } = api;

let accounts: string[];
let agent: TestUser;
let supervisor: TestUser;
const opened = new Map<string, string[]>();
let closedOne: string;

/** An open interaction of the account with one inbound message, written as the inbound path writes it. */
async function openInteraction(accountId: string, listId: string, n: number, status: 'open' | 'closed' = 'open'): Promise<string> {
  const at = new Date(Date.now() - n * 60_000).toISOString();
  const interaction: Interaction = {
    id: ulid(),
    accountId,
    channel: 'sms',
    contactId: ulid(),
    contactPhone: `+3934712${String(10000 + n).slice(-5)}`,
    listId,
    status,
    createdAt: at,
    updatedAt: at,
    lastInboundAt: at,
    messageCount: 1,
    unread: 1,
    version: 1,
    ...(status === 'closed' ? { closedAt: at } : {}),
  };
  const outcome = await openWithInbound({
    interaction,
    message: { interactionId: interaction.id, id: ulid(), direction: 'in', text: `hello ${n}`, media: [], parts: [{ type: 'text', text: `hello ${n}` }], providerMessageId: `p-${ulid()}`, receivedAt: at, status: 'received' },
    pointer: 'none',
  });
  if (outcome !== 'stored') throw new Error(`not stored: ${outcome}`);
  return interaction.id;
}

beforeAll(async () => {
  const admin = api.admin();
  const listId = await createList(call, admin);
  accounts = [];
  for (let a = 0; a < 3; a += 1) {
    const res = await call('POST', '/admin/accounts', { token: admin, body: accountBody('sms', 'twilio', listId) });
    expect(res.status).toBe(201);
    accounts.push(res.body.id);
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) ids.push(await openInteraction(res.body.id, listId, a * 10 + n));
    opened.set(res.body.id, ids);
  }
  closedOne = await openInteraction(accounts[0]!, listId, 99, 'closed');
  agent = await createUser(call, admin, 'agent');
  supervisor = await createUser(call, admin, 'supervisor');
  expect((await call('PUT', `/admin/accounts/${accounts[1]}/agents/${agent.id}`, { token: admin })).status).toBe(204);
});

/** Every page of the list, following nextCursor. */
async function allPages(token: string, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await call('GET', `/agent/interactions?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status).toBe(200);
    ids.push(...res.body.items.map((i: { id: string }) => i.id));
    cursor = res.body.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(50);
  } while (cursor);
  return { ids, pages };
}

const ours = (ids: string[]) => ids.filter((id) => [...opened.values()].flat().includes(id) || id === closedOne);

describe('GET /agent/interactions', () => {
  it('shows supervisors and admins every account without accountId', async () => {
    for (const token of [supervisor.token, api.admin()]) {
      const res = await call('GET', '/agent/interactions?limit=500', { token });
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([...[...opened.values()].flat(), closedOne]));
    }
  });

  it('pages with limit and cursor: each interaction once, every page at most limit long', async () => {
    const first = await call('GET', '/agent/interactions?limit=4', { token: supervisor.token });
    expect(first.body.items).toHaveLength(4);
    expect(typeof first.body.nextCursor).toBe('string');

    const { ids, pages } = await allPages(supervisor.token, 'limit=4');
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ours(ids).sort()).toEqual([...[...opened.values()].flat(), closedOne].sort());
  });

  it('filters by status across pages and keeps each account newest first', async () => {
    const { ids } = await allPages(supervisor.token, 'status=open&limit=2');
    expect(ours(ids)).not.toContain(closedOne);
    expect(ours(ids).sort()).toEqual([...opened.values()].flat().sort());
    const one = await allPages(api.admin(), `accountId=${accounts[2]}&limit=1`);
    // Created 20, 21 and 22 minutes ago: newest first.
    expect(one.ids).toEqual(opened.get(accounts[2]!));
  });

  it('shows an agent only the accounts it belongs to, paged the same way, and refuses another account', async () => {
    const { ids } = await allPages(agent.token, 'limit=2');
    expect(ids.sort()).toEqual([...opened.get(accounts[1]!)!].sort());
    const other = await call('GET', `/agent/interactions?accountId=${accounts[0]}`, { token: agent.token });
    expect(other.status).toBe(403);
  });

  it('answers 400 naming the field for a bad limit or cursor, and changes nothing', async () => {
    for (const [query, path] of [
      ['limit=0', 'query.limit'],
      ['limit=501', 'query.limit'],
      ['cursor=not-a-cursor', 'query.cursor'],
      [`cursor=${Buffer.from('{"p":0}').toString('base64url')}`, 'query.cursor'],
      ['scope=everything', 'query.scope'],
    ]) {
      const res = await call('GET', `/agent/interactions?${query}`, { token: supervisor.token });
      expect([query, res.status, res.body.error.details.map((d: { path: string }) => d.path)]).toEqual([query, 400, [path]]);
    }
  });
});
