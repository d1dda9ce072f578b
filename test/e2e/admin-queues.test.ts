/** /admin/queues end to end: CRUD, strategies, member agents, 404s, bad input, and deletion removing memberships. */
import { createUser, useAdminApi } from '../support/admin';
import { membersOf } from '../../shared/store/memberships';

/** A well-formed id (a ULID) that names nothing: malformed ids are a 400, see test/e2e/bad-input.test.ts. */
const NONE = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

const api = useAdminApi();
const { call } = api;
const paths = (res: { body: { error: { details: { path: string }[] } } }) => res.body.error.details.map((d) => d.path);

describe('queues', () => {
  it('creates a queue with ring-all by default and reads it back', async () => {
    const created = await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'Support', description: 'first line' } });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Support', strategy: 'ring-all', description: 'first line', version: 1 });
    expect((await call('GET', `/admin/queues/${created.body.id}`, { token: api.admin() })).body).toEqual(created.body);
  });

  it.each(['ring-all', 'round-robin', 'least-recent', 'fewest-handled'])('accepts the strategy %s', async (strategy) => {
    const res = await call('POST', '/admin/queues', { token: api.admin(), body: { name: `Q ${strategy}`, strategy } });

    expect(res.status).toBe(201);
    expect(res.body.strategy).toBe(strategy);
  });

  it('refuses bad input naming every field, and stores nothing', async () => {
    const before = (await call('GET', '/admin/queues?limit=200', { token: api.admin() })).body.items.length;

    const res = await call('POST', '/admin/queues', { token: api.admin(), body: { name: '', strategy: 'random' } });
    const long = await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'x'.repeat(256) } });
    const notJson = await call('POST', '/admin/queues', { token: api.admin(), rawBody: '{nope' });

    expect(res.status).toBe(400);
    expect(paths(res).sort()).toEqual(['body.name', 'body.strategy']);
    expect(long.status).toBe(400);
    expect(notJson.status).toBe(400);
    expect((await call('GET', '/admin/queues?limit=200', { token: api.admin() })).body.items.length).toBe(before);
  });

  it('updates name, strategy and clears the description; a bad patch changes nothing', async () => {
    const created = await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'Old', description: 'd' } });

    const bad = await call('PATCH', `/admin/queues/${created.body.id}`, { token: api.admin(), body: { name: 'New', strategy: 'nope' } });
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(['body.strategy']);
    expect((await call('GET', `/admin/queues/${created.body.id}`, { token: api.admin() })).body).toEqual(created.body);

    const res = await call('PATCH', `/admin/queues/${created.body.id}`, { token: api.admin(), body: { name: 'New', strategy: 'round-robin', description: null } });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'New', strategy: 'round-robin', version: 2 });
    expect(res.body).not.toHaveProperty('description');
  });

  it('lists with search, filter, sort and cursor', async () => {
    const tag = `qs${Date.now().toString(36)}`;
    for (const w of ['c', 'a', 'b']) await call('POST', '/admin/queues', { token: api.admin(), body: { name: `${tag} ${w}`, strategy: 'least-recent' } });

    const first = await call('GET', `/admin/queues?q=${tag}&strategy=least-recent&sort=name&limit=2`, { token: api.admin() });
    const second = await call('GET', `/admin/queues?q=${tag}&strategy=least-recent&sort=name&limit=2&cursor=${first.body.nextCursor}`, { token: api.admin() });

    expect(first.body.items.map((q: { name: string }) => q.name)).toEqual([`${tag} a`, `${tag} b`]);
    expect(second.body.items.map((q: { name: string }) => q.name)).toEqual([`${tag} c`]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('answers 404 for an unknown queue on every route', async () => {
    const agent = await createUser(call, api.admin(), 'agent');
    const statuses = [
      (await call('GET', `/admin/queues/${NONE}`, { token: api.admin() })).status,
      (await call('PATCH', `/admin/queues/${NONE}`, { token: api.admin(), body: { name: 'x' } })).status,
      (await call('DELETE', `/admin/queues/${NONE}`, { token: api.admin() })).status,
      (await call('GET', `/admin/queues/${NONE}/agents`, { token: api.admin() })).status,
      (await call('PUT', `/admin/queues/${NONE}/agents/${agent.id}`, { token: api.admin() })).status,
      (await call('DELETE', `/admin/queues/${NONE}/agents/${agent.id}`, { token: api.admin() })).status,
    ];

    expect(statuses).toEqual([404, 404, 404, 404, 404, 404]);
  });
});

describe('queue members', () => {
  it('adds, lists and removes member agents, mirrored on the agent', async () => {
    const queue = await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'Members' } });
    const a = await createUser(call, api.admin(), 'agent');
    const b = await createUser(call, api.admin(), 'agent');

    expect((await call('PUT', `/admin/queues/${queue.body.id}/agents/${a.id}`, { token: api.admin() })).status).toBe(204);
    expect((await call('PUT', `/admin/queues/${queue.body.id}/agents/${b.id}`, { token: api.admin() })).status).toBe(204);
    expect((await call('PUT', `/admin/queues/${queue.body.id}/agents/${b.id}`, { token: api.admin() })).status).toBe(204);
    expect((await call('GET', `/admin/queues/${queue.body.id}/agents`, { token: api.admin() })).body.agentIds.sort()).toEqual([a.id, b.id].sort());
    expect((await call('GET', `/admin/agents/${a.id}/queues`, { token: api.admin() })).body.queueIds).toEqual([queue.body.id]);

    expect((await call('DELETE', `/admin/queues/${queue.body.id}/agents/${a.id}`, { token: api.admin() })).status).toBe(204);

    expect((await call('GET', `/admin/queues/${queue.body.id}/agents`, { token: api.admin() })).body.agentIds).toEqual([b.id]);
    expect((await call('GET', `/admin/agents/${a.id}/queues`, { token: api.admin() })).body.queueIds).toEqual([]);
  });

  it('refuses an unknown agent with 404 and adds nothing', async () => {
    const queue = await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'Nobody' } });

    const res = await call('PUT', `/admin/queues/${queue.body.id}/agents/${NONE}`, { token: api.admin() });

    expect(res.status).toBe(404);
    expect(await membersOf('QUEUE', queue.body.id)).toEqual([]);
  });

  it('deleting a queue removes its memberships', async () => {
    const queue = await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'Gone' } });
    const a = await createUser(call, api.admin(), 'agent');
    await call('PUT', `/admin/queues/${queue.body.id}/agents/${a.id}`, { token: api.admin() });

    expect((await call('DELETE', `/admin/queues/${queue.body.id}`, { token: api.admin() })).status).toBe(204);

    expect((await call('GET', `/admin/queues/${queue.body.id}`, { token: api.admin() })).status).toBe(404);
    expect((await call('GET', `/admin/agents/${a.id}/queues`, { token: api.admin() })).body.queueIds).toEqual([]);
    expect(await membersOf('QUEUE', queue.body.id)).toEqual([]);
  });
});
