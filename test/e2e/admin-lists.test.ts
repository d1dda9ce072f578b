/** /admin/lists end to end: lists, contacts with E.164 phones unique per list, search and pages, 404s and 409s. */
import { createList, useAdminApi } from '../support/admin';

/** A well-formed id (a ULID) that names nothing: malformed ids are a 400, see test/e2e/bad-input.test.ts. */
const NONE = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

const api = useAdminApi();
const { call } = api;
const paths = (res: { body: { error: { details: { path: string }[] } } }) => res.body.error.details.map((d) => d.path);

describe('lists', () => {
  it('creates, reads, updates and deletes a list', async () => {
    const created = await call('POST', '/admin/lists', { token: api.admin(), body: { name: 'Customers', description: 'all' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Customers', description: 'all' });

    const patched = await call('PATCH', `/admin/lists/${created.body.id}`, { token: api.admin(), body: { name: 'Clients' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Clients', description: 'all', version: 2 });
    expect((await call('GET', `/admin/lists/${created.body.id}`, { token: api.admin() })).body.name).toBe('Clients');

    expect((await call('DELETE', `/admin/lists/${created.body.id}`, { token: api.admin() })).status).toBe(204);
    expect((await call('GET', `/admin/lists/${created.body.id}`, { token: api.admin() })).status).toBe(404);
  });

  it('refuses bad input naming the field and changes nothing', async () => {
    const id = await createList(call, api.admin(), 'Keep');

    const create = await call('POST', '/admin/lists', { token: api.admin(), body: { name: '' } });
    const patch = await call('PATCH', `/admin/lists/${id}`, { token: api.admin(), body: { name: 5 } });

    expect(create.status).toBe(400);
    expect(paths(create)).toEqual(['body.name']);
    expect(patch.status).toBe(400);
    expect(paths(patch)).toEqual(['body.name']);
    expect((await call('GET', `/admin/lists/${id}`, { token: api.admin() })).body).toMatchObject({ name: 'Keep', version: 1 });
  });

  it('answers 404 for an unknown list on every route', async () => {
    const statuses = [
      (await call('GET', `/admin/lists/${NONE}`, { token: api.admin() })).status,
      (await call('PATCH', `/admin/lists/${NONE}`, { token: api.admin(), body: { name: 'x' } })).status,
      (await call('DELETE', `/admin/lists/${NONE}`, { token: api.admin() })).status,
      (await call('GET', `/admin/lists/${NONE}/contacts`, { token: api.admin() })).status,
      (await call('POST', `/admin/lists/${NONE}/contacts`, { token: api.admin(), body: { phone: '+14155550100' } })).status,
      (await call('GET', `/admin/lists/${NONE}/contacts/${NONE}`, { token: api.admin() })).status,
      (await call('PATCH', `/admin/lists/${NONE}/contacts/${NONE}`, { token: api.admin(), body: { firstName: 'x' } })).status,
      (await call('DELETE', `/admin/lists/${NONE}/contacts/${NONE}`, { token: api.admin() })).status,
    ];

    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
  });
});

describe('contacts', () => {
  let listId: string;
  beforeAll(async () => {
    listId = await createList(call, api.admin(), 'Contacts');
  });

  it('creates a contact with its phone normalised to E.164', async () => {
    const res = await call('POST', `/admin/lists/${listId}/contacts`, {
      token: api.admin(),
      body: { phone: '+39 333 765 4321', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', fields: { vip: 'yes' } },
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ listId, phone: '+393337654321', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', fields: { vip: 'yes' } });
    expect((await call('GET', `/admin/lists/${listId}/contacts/${res.body.id}`, { token: api.admin() })).body).toEqual(res.body);
  });

  it('refuses a duplicate phone in the list with 409, in any format, and stores nothing', async () => {
    await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+14155550111' } });
    const before = (await call('GET', `/admin/lists/${listId}/contacts?limit=200`, { token: api.admin() })).body.items.length;

    const res = await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+1 (415) 555-0111', firstName: 'Dup' } });

    expect(res.status).toBe(409);
    expect(paths(res)).toEqual(['phone']);
    expect((await call('GET', `/admin/lists/${listId}/contacts?limit=200`, { token: api.admin() })).body.items.length).toBe(before);
  });

  it('allows the same phone in another list', async () => {
    const other = await createList(call, api.admin());

    const res = await call('POST', `/admin/lists/${other}/contacts`, { token: api.admin(), body: { phone: '+14155550111' } });

    expect(res.status).toBe(201);
  });

  it.each([
    [{ phone: '12' }, 'body.phone'],
    [{ phone: 'not a phone' }, 'body.phone'],
    [{}, 'body.phone'],
    [{ phone: '+14155550123', email: 'nope' }, 'body.email'],
    [{ phone: '+14155550123', fields: { a: 1 } }, 'body.fields.a'],
    [{ phone: '+14155550123', fields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, 'v'])) }, 'body.fields'],
  ])('refuses %j naming %s', async (input, path) => {
    const res = await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: input });

    expect(res.status).toBe(400);
    expect(paths(res)).toContain(path);
  });

  it('updates a contact, clears fields with null, moves the phone, and refuses a taken phone', async () => {
    const a = await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+14155550201', firstName: 'A', email: 'a@example.com' } });
    await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+14155550202' } });

    const patched = await call('PATCH', `/admin/lists/${listId}/contacts/${a.body.id}`, { token: api.admin(), body: { phone: '+1 415 555 0203', email: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ phone: '+14155550203', firstName: 'A', version: 2 });
    expect(patched.body).not.toHaveProperty('email');

    // The old phone is free again, the new one is taken.
    expect((await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+14155550201' } })).status).toBe(201);
    const taken = await call('PATCH', `/admin/lists/${listId}/contacts/${a.body.id}`, { token: api.admin(), body: { phone: '+14155550202' } });
    expect(taken.status).toBe(409);
    const bad = await call('PATCH', `/admin/lists/${listId}/contacts/${a.body.id}`, { token: api.admin(), body: { phone: 'x' } });
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(['body.phone']);
    expect((await call('GET', `/admin/lists/${listId}/contacts/${a.body.id}`, { token: api.admin() })).body).toEqual(patched.body);
  });

  it('deletes a contact and frees its phone', async () => {
    const c = await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+14155550301' } });

    expect((await call('DELETE', `/admin/lists/${listId}/contacts/${c.body.id}`, { token: api.admin() })).status).toBe(204);

    expect((await call('GET', `/admin/lists/${listId}/contacts/${c.body.id}`, { token: api.admin() })).status).toBe(404);
    expect((await call('DELETE', `/admin/lists/${listId}/contacts/${c.body.id}`, { token: api.admin() })).status).toBe(404);
    expect((await call('POST', `/admin/lists/${listId}/contacts`, { token: api.admin(), body: { phone: '+14155550301' } })).status).toBe(201);
  });

  it('searches phone, names and email, sorts, and pages with a cursor', async () => {
    const id = await createList(call, api.admin(), 'Search');
    const people = [
      { phone: '+442071234567', firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example' },
      { phone: '+442071234568', firstName: 'Alan', lastName: 'Turing', email: 'alan@bletchley.example' },
      { phone: '+442071234569', firstName: 'Joan', lastName: 'Clarke', email: 'joan@bletchley.example' },
      { phone: '+33123456789', firstName: 'Marie', lastName: 'Curie' },
    ];
    for (const p of people) await call('POST', `/admin/lists/${id}/contacts`, { token: api.admin(), body: p });
    const names = async (query: string) =>
      (await call('GET', `/admin/lists/${id}/contacts?${query}`, { token: api.admin() })).body.items.map((c: { firstName: string }) => c.firstName);

    expect(await names('q=bletchley&sort=firstName')).toEqual(['Alan', 'Joan']);
    expect(await names('q=hopper')).toEqual(['Grace']);
    expect(await names('q=%2B4420712345&sort=lastName&order=desc')).toEqual(['Alan', 'Grace', 'Joan']);

    const first = await call('GET', `/admin/lists/${id}/contacts?sort=phone&limit=3`, { token: api.admin() });
    const second = await call('GET', `/admin/lists/${id}/contacts?sort=phone&limit=3&cursor=${first.body.nextCursor}`, { token: api.admin() });
    expect([...first.body.items, ...second.body.items].map((c: { phone: string }) => c.phone)).toEqual(people.map((p) => p.phone).sort());
    expect(second.body.nextCursor).toBeUndefined();

    const badSort = await call('GET', `/admin/lists/${id}/contacts?sort=listId`, { token: api.admin() });
    expect(badSort.status).toBe(400);
    expect(paths(badSort)).toEqual(['query.sort']);
  });
});
