/**
 * Dispositions and canned answers end to end, general and per account: CRUD, names unique within a scope,
 * mustache validation, 404s for unknown items and accounts, and nothing changed after a 4xx.
 */
import { accountBody, createList, useAdminApi } from '../support/admin';

/** A well-formed id (a ULID) that names nothing: malformed ids are a 400, see test/e2e/bad-input.test.ts. */
const NONE = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

const api = useAdminApi();
const { call } = api;
const paths = (res: { body: { error: { details: { path: string }[] } } }) => res.body.error.details.map((d) => d.path);

let accountId: string;
let otherAccountId: string;
beforeAll(async () => {
  const listId = await createList(call, api.admin());
  accountId = (await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'twilio', listId) })).body.id;
  otherAccountId = (await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('whatsapp', 'meta', listId) })).body.id;
});

const scopes = [
  ['general', () => ''],
  ['per-account', () => `/admin/accounts/${accountId}`],
] as const;

describe.each(scopes)('%s dispositions', (_, prefix) => {
  const base = () => `${prefix() || '/admin'}/dispositions`;

  it('creates, reads, updates and deletes a disposition', async () => {
    const created = await call('POST', base(), { token: api.admin(), body: { name: 'Sold', description: 'a sale' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Sold', description: 'a sale', version: 1 });

    expect((await call('GET', `${base()}/${created.body.id}`, { token: api.admin() })).body).toEqual(created.body);
    const patched = await call('PATCH', `${base()}/${created.body.id}`, { token: api.admin(), body: { name: 'Sold out', description: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Sold out', version: 2 });
    expect(patched.body).not.toHaveProperty('description');

    expect((await call('DELETE', `${base()}/${created.body.id}`, { token: api.admin() })).status).toBe(204);
    expect((await call('GET', `${base()}/${created.body.id}`, { token: api.admin() })).status).toBe(404);
    // The name is free again once its disposition is gone.
    expect((await call('POST', base(), { token: api.admin(), body: { name: 'Sold out' } })).status).toBe(201);
  });

  it('refuses a name already used in the scope, in any case, with 409 and stores nothing', async () => {
    await call('POST', base(), { token: api.admin(), body: { name: 'Callback' } });
    const before = (await call('GET', `${base()}?limit=200`, { token: api.admin() })).body.items.length;

    const res = await call('POST', base(), { token: api.admin(), body: { name: 'CALLBACK' } });

    expect(res.status).toBe(409);
    expect(paths(res)).toEqual(['name']);
    expect((await call('GET', `${base()}?limit=200`, { token: api.admin() })).body.items.length).toBe(before);
  });

  it('refuses renaming onto a taken name with 409 and keeps both', async () => {
    const a = await call('POST', base(), { token: api.admin(), body: { name: 'Left' } });
    await call('POST', base(), { token: api.admin(), body: { name: 'Right' } });

    const res = await call('PATCH', `${base()}/${a.body.id}`, { token: api.admin(), body: { name: 'right' } });

    expect(res.status).toBe(409);
    expect((await call('GET', `${base()}/${a.body.id}`, { token: api.admin() })).body).toEqual(a.body);
  });

  it('refuses bad input naming the field', async () => {
    const empty = await call('POST', base(), { token: api.admin(), body: { name: '' } });
    const long = await call('POST', base(), { token: api.admin(), body: { name: 'x'.repeat(101), description: 7 } });

    expect(empty.status).toBe(400);
    expect(paths(empty)).toEqual(['body.name']);
    expect(long.status).toBe(400);
    expect(paths(long).sort()).toEqual(['body.description', 'body.name']);
  });

  it('answers 404 for an unknown disposition', async () => {
    const statuses = [
      (await call('GET', `${base()}/${NONE}`, { token: api.admin() })).status,
      (await call('PATCH', `${base()}/${NONE}`, { token: api.admin(), body: { name: 'x' } })).status,
      (await call('DELETE', `${base()}/${NONE}`, { token: api.admin() })).status,
    ];

    expect(statuses).toEqual([404, 404, 404]);
  });
});

describe.each(scopes)('%s canned answers', (_, prefix) => {
  const base = () => `${prefix() || '/admin'}/canned-answers`;

  it('creates, reads, updates and deletes a canned answer', async () => {
    const created = await call('POST', base(), { token: api.admin(), body: { name: 'Greeting', text: 'Hello {{contact.firstName}}', shortcut: 'hi' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Greeting', text: 'Hello {{contact.firstName}}', shortcut: 'hi' });

    const patched = await call('PATCH', `${base()}/${created.body.id}`, { token: api.admin(), body: { text: '{{#queue}}Queue {{queue.name}}{{/queue}}', shortcut: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Greeting', text: '{{#queue}}Queue {{queue.name}}{{/queue}}', version: 2 });
    expect(patched.body).not.toHaveProperty('shortcut');

    expect((await call('DELETE', `${base()}/${created.body.id}`, { token: api.admin() })).status).toBe(204);
    expect((await call('GET', `${base()}/${created.body.id}`, { token: api.admin() })).status).toBe(404);
  });

  it.each(['Hello {{name', '{{#queue}}unclosed', '{{#a}}x{{/b}}'])('refuses the template %j naming body.text, and changes nothing', async (text) => {
    const created = await call('POST', base(), { token: api.admin(), body: { name: 'Keep', text: 'ok' } });

    const create = await call('POST', base(), { token: api.admin(), body: { name: 'Bad', text } });
    const patch = await call('PATCH', `${base()}/${created.body.id}`, { token: api.admin(), body: { text } });

    expect(create.status).toBe(400);
    expect(paths(create)).toEqual(['body.text']);
    expect(patch.status).toBe(400);
    expect(paths(patch)).toEqual(['body.text']);
    expect((await call('GET', `${base()}/${created.body.id}`, { token: api.admin() })).body).toEqual(created.body);
  });

  it('refuses a bad shortcut or a missing text naming the fields', async () => {
    const res = await call('POST', base(), { token: api.admin(), body: { name: 'S', shortcut: 'has space' } });

    expect(res.status).toBe(400);
    expect(paths(res).sort()).toEqual(['body.shortcut', 'body.text']);
  });

  it('searches by name and text', async () => {
    await call('POST', base(), { token: api.admin(), body: { name: 'Opening hours', text: 'We open at nine' } });
    await call('POST', base(), { token: api.admin(), body: { name: 'Goodbye', text: 'Bye!' } });

    const res = await call('GET', `${base()}?q=open`, { token: api.admin() });

    expect(res.body.items.map((c: { name: string }) => c.name)).toEqual(['Opening hours']);
  });
});

describe('scopes', () => {
  it('keeps general and per-account items apart, and one account apart from another', async () => {
    await call('POST', '/admin/dispositions', { token: api.admin(), body: { name: 'Shared name' } });
    const local = await call('POST', `/admin/accounts/${accountId}/dispositions`, { token: api.admin(), body: { name: 'Shared name' } });
    const other = await call('POST', `/admin/accounts/${otherAccountId}/dispositions`, { token: api.admin(), body: { name: 'Shared name' } });

    expect([local.status, other.status]).toEqual([201, 201]);
    expect(local.body.accountId).toBe(accountId);
    const general = (await call('GET', '/admin/dispositions?limit=200', { token: api.admin() })).body.items;
    expect(general.every((d: { accountId?: string }) => d.accountId === undefined)).toBe(true);
    const mine = (await call('GET', `/admin/accounts/${accountId}/dispositions?limit=200`, { token: api.admin() })).body.items;
    expect(mine.every((d: { accountId: string }) => d.accountId === accountId)).toBe(true);
    expect((await call('GET', `/admin/accounts/${otherAccountId}/dispositions/${local.body.id}`, { token: api.admin() })).status).toBe(404);
    expect((await call('GET', `/admin/dispositions/${local.body.id}`, { token: api.admin() })).status).toBe(404);
  });

  it('answers 404 on every per-account route when the account does not exist', async () => {
    const statuses = [];
    for (const kind of ['dispositions', 'canned-answers']) {
      statuses.push(
        (await call('GET', `/admin/accounts/${NONE}/${kind}`, { token: api.admin() })).status,
        (await call('POST', `/admin/accounts/${NONE}/${kind}`, { token: api.admin(), body: { name: 'n', text: 't' } })).status,
        (await call('GET', `/admin/accounts/${NONE}/${kind}/${NONE}`, { token: api.admin() })).status,
        (await call('PATCH', `/admin/accounts/${NONE}/${kind}/${NONE}`, { token: api.admin(), body: { name: 'n' } })).status,
        (await call('DELETE', `/admin/accounts/${NONE}/${kind}/${NONE}`, { token: api.admin() })).status,
      );
    }

    expect(statuses).toEqual(Array(10).fill(404));
  });

  it("deleting an account deletes its own items and frees their names, leaving general ones", async () => {
    const listId = await createList(call, api.admin());
    const id = (await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'plivo', listId) })).body.id;
    await call('POST', `/admin/accounts/${id}/dispositions`, { token: api.admin(), body: { name: 'Mine' } });
    await call('POST', `/admin/accounts/${id}/canned-answers`, { token: api.admin(), body: { name: 'Mine', text: 'x' } });
    const generalBefore = (await call('GET', '/admin/dispositions?limit=200', { token: api.admin() })).body.items.length;

    await call('DELETE', `/admin/accounts/${id}`, { token: api.admin() });

    expect((await call('GET', `/admin/accounts/${id}/dispositions`, { token: api.admin() })).status).toBe(404);
    expect((await call('GET', '/admin/dispositions?limit=200', { token: api.admin() })).body.items.length).toBe(generalBefore);
  });
});
