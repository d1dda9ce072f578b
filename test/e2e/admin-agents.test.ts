/** /admin/agents and /auth end to end: password policy, usernames, throttling, lock and unlock, disabling, invitations. */
import { createUser, login, unique, USER_PASSWORD, useAdminApi } from '../support/admin';

// A first throttling delay longer than this machine's KDF time under load, so the sixth attempt comes too early.
const api = useAdminApi({ env: { LOGIN_DELAY_BASE_MS: '60000' } });
const { call } = api;

const paths = (res: { body: { error: { details: { path: string }[] } } }) => res.body.error.details.map((d) => d.path);

async function agentCount(): Promise<number> {
  return (await call('GET', '/admin/agents?limit=200', { token: api.admin() })).body.items.length;
}

describe('creating agents', () => {
  it.each([
    ['too short', 'Ab1-'],
    ['without an upper-case letter', 'abcdef1-x'],
    ['without a lower-case letter', 'ABCDEF1-X'],
    ['without a digit', 'Abcdefg-x'],
    ['without a special character', 'Abcdefg1x'],
  ])('refuses a password %s, naming body.password, and stores nothing', async (_, password) => {
    const before = await agentCount();

    const res = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'P', username: unique(), password } });

    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['body.password']);
    expect(await agentCount()).toBe(before);
  });

  it.each(['bad name', 'bad-name', 'bad!', 'é', ''])('refuses the username %j, naming body.username', async (username) => {
    const res = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'U', username } });

    expect(res.status).toBe(400);
    expect(paths(res)).toContain('body.username');
  });

  it('refuses a taken username with 409, whatever its case, and stores nothing', async () => {
    const username = unique('dup');
    expect((await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'A', username } })).status).toBe(201);
    const before = await agentCount();

    const res = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'B', username: username.toUpperCase() } });

    expect(res.status).toBe(409);
    expect(paths(res)).toEqual(['username']);
    expect(await agentCount()).toBe(before);
  });

  it('refuses a full name equal to the extension, on create and on update', async () => {
    const created = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: '7001', username: unique(), extension: '7001' } });
    const other = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'Seven', username: unique(), extension: '7002' } });
    const patched = await call('PATCH', `/admin/agents/${other.body.id}`, { token: api.admin(), body: { fullName: '7002' } });

    expect(created.status).toBe(400);
    expect(paths(created)).toEqual(['body.fullName']);
    expect(patched.status).toBe(400);
    expect((await call('GET', `/admin/agents/${other.body.id}`, { token: api.admin() })).body.fullName).toBe('Seven');
  });

  it('never returns the password hash', async () => {
    const res = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'H', username: unique(), password: USER_PASSWORD } });

    expect(res.status).toBe(201);
    expect(res.body.passwordSet).toBe(true);
    expect(res.text).not.toMatch(/scrypt|passwordHash|inviteId/);
  });
});

describe('login', () => {
  it('throttles repeated failed logins instead of locking the user', async () => {
    const user = await createUser(call, api.admin(), 'agent');
    const wrong = [];
    for (let i = 0; i < 5; i++) wrong.push((await call('POST', '/auth/login', { body: { username: user.username, password: 'Wrong-Pass1' } })).status);

    const throttled = await call('POST', '/auth/login', { body: { username: user.username, password: USER_PASSWORD } });

    expect(wrong).toEqual([401, 401, 401, 401, 401]);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await call('GET', `/admin/agents/${user.id}`, { token: api.admin() })).body.locked).toBe(false);
  });

  it('locks and unlocks a user on an admin PATCH', async () => {
    const user = await createUser(call, api.admin(), 'agent');

    const locked = await call('PATCH', `/admin/agents/${user.id}`, { token: api.admin(), body: { locked: true } });

    expect(locked.status).toBe(200);
    expect(locked.body.locked).toBe(true);
    expect((await call('POST', '/auth/login', { body: { username: user.username, password: USER_PASSWORD } })).status).toBe(423);
    expect((await call('PATCH', `/admin/agents/${user.id}`, { token: api.admin(), body: { locked: false } })).body.locked).toBe(false);
    expect((await call('POST', '/auth/login', { body: { username: user.username, password: USER_PASSWORD } })).status).toBe(200);
  });

  it("stops a disabled user's existing token on its next call", async () => {
    const supervisor = await createUser(call, api.admin(), 'supervisor');
    expect((await call('GET', '/admin/agents', { token: supervisor.token })).status).toBe(200);

    await call('PATCH', `/admin/agents/${supervisor.id}`, { token: api.admin(), body: { disabled: true } });

    expect((await call('GET', '/admin/agents', { token: supervisor.token })).status).toBe(423);
    expect((await call('POST', '/auth/login', { body: { username: supervisor.username, password: USER_PASSWORD } })).status).toBe(423);
  });

  it("stops a deleted user's token with 401", async () => {
    const supervisor = await createUser(call, api.admin(), 'supervisor');

    await call('DELETE', `/admin/agents/${supervisor.id}`, { token: api.admin() });

    expect((await call('GET', '/admin/agents', { token: supervisor.token })).status).toBe(401);
  });
});

describe('invitations', () => {
  it('sets the password once through the invitation link; a second use is 409', async () => {
    const username = unique('inv');
    const created = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'Invited', username } });
    expect(created.body.passwordSet).toBe(false);

    const link = await call('POST', `/admin/agents/${created.body.id}/invitation`, { token: api.admin() });
    expect(link.status).toBe(201);
    expect(link.body.url).toContain(link.body.token);

    const first = await call('POST', '/auth/invitation', { body: { token: link.body.token, password: 'Fresh-Pass1' } });
    const second = await call('POST', '/auth/invitation', { body: { token: link.body.token, password: 'Other-Pass2' } });

    expect(first.status).toBe(204);
    expect(second.status).toBe(409);
    expect(await login(call, username, 'Fresh-Pass1')).toEqual(expect.any(String));
    expect((await call('POST', '/auth/login', { body: { username, password: 'Other-Pass2' } })).status).toBe(401);
  });

  it('refuses a weak password on redemption naming body.password, and keeps the invitation usable', async () => {
    const created = await call('POST', '/admin/agents', { token: api.admin(), body: { fullName: 'Invited', username: unique('inv') } });
    const link = await call('POST', `/admin/agents/${created.body.id}/invitation`, { token: api.admin() });

    const weak = await call('POST', '/auth/invitation', { body: { token: link.body.token, password: 'weak' } });
    const good = await call('POST', '/auth/invitation', { body: { token: link.body.token, password: 'Fresh-Pass1' } });

    expect(weak.status).toBe(400);
    expect(paths(weak)).toEqual(['body.password']);
    expect(good.status).toBe(204);
  });

  it('refuses an access token used as an invitation with 401', async () => {
    const res = await call('POST', '/auth/invitation', { body: { token: api.admin(), password: 'Fresh-Pass1' } });

    expect(res.status).toBe(401);
  });
});
