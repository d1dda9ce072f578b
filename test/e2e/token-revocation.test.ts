/**
 * Tokens die with what they were issued for: a password change, disabling, locking, deleting, a role change and
 * removal from an account each end the user's HTTP access with its old token and close its open WebSocket
 * connections (through the `@connections` DELETE API) within a second.
 */
import type WebSocket from 'ws';
import { accountBody, createList, createUser, login, USER_PASSWORD, useAdminApi, type TestUser } from '../support/admin';
import { openSocket, SocketRefusedError } from '../support/engine';

const api = useAdminApi();
const { call } = api;

let accountId = '';
beforeAll(async () => {
  const listId = await createList(call, api.admin());
  const res = await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'twilio', listId) });
  if (res.status !== 201) throw new Error(`creating the account answered ${res.status}: ${res.text}`);
  accountId = res.body.id;
});

async function member(): Promise<TestUser> {
  const user = await createUser(call, api.admin(), 'agent');
  expect((await call('PUT', `/admin/accounts/${accountId}/agents/${user.id}`, { token: api.admin() })).status).toBe(204);
  return user;
}

const socketUrl = (token: string) => `${api.engine().wsUrl}/?token=${encodeURIComponent(token)}`;

/** Resolves with when the socket closed (performance.now()). */
const closedAt = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', () => resolve(performance.now())));

const cases: [string, (user: TestUser) => Promise<unknown>, number][] = [
  ['a password change', (u) => call('PATCH', `/admin/agents/${u.id}`, { token: api.admin(), body: { password: 'Other-Pass2!' } }), 401],
  ['disabling', (u) => call('PATCH', `/admin/agents/${u.id}`, { token: api.admin(), body: { disabled: true } }), 423],
  ['locking', (u) => call('PATCH', `/admin/agents/${u.id}`, { token: api.admin(), body: { locked: true } }), 423],
  ['deleting', (u) => call('DELETE', `/admin/agents/${u.id}`, { token: api.admin() }), 401],
  ['a role change', (u) => call('PATCH', `/admin/agents/${u.id}`, { token: api.admin(), body: { role: 'supervisor' } }), 401],
  ['removal from an account', (u) => call('DELETE', `/admin/accounts/${accountId}/agents/${u.id}`, { token: api.admin() }), 401],
];

describe.each(cases)('after %s', (_, revoke, status) => {
  it('the old token answers no request, opens no socket, and the open sockets close within 1 s', async () => {
    const user = await member();
    const sockets = await Promise.all([openSocket(socketUrl(user.token)), openSocket(socketUrl(user.token))]);
    expect((await call('GET', '/agent/me', { token: user.token })).status).toBe(200);

    const closes = sockets.map(closedAt);
    await revoke(user);
    // Measured from the admin's answer: a password change spends the KDF before anything is revoked.
    const answeredAt = performance.now();
    const closed = await Promise.all(closes);

    for (const at of closed) expect(at - answeredAt).toBeLessThan(1000);
    expect((await call('GET', '/agent/me', { token: user.token })).status).toBe(status);
    expect((await call('GET', '/agent/interactions', { token: user.token })).status).toBe(status);
    await expect(openSocket(socketUrl(user.token))).rejects.toBeInstanceOf(SocketRefusedError);
  });
});

it('a new login after a revocation gets a token that works', async () => {
  const user = await member();
  await call('DELETE', `/admin/accounts/${accountId}/agents/${user.id}`, { token: api.admin() });

  const fresh = await login(call, user.username, USER_PASSWORD);

  expect((await call('GET', '/agent/me', { token: fresh })).body).toMatchObject({ id: user.id, accountIds: [] });
  const ws = await openSocket(socketUrl(fresh));
  ws.close();
});

it('an edit that does not revoke leaves the token and sockets alone', async () => {
  const user = await member();
  const ws = await openSocket(socketUrl(user.token));
  let closed = false;
  ws.once('close', () => (closed = true));

  await call('PATCH', `/admin/agents/${user.id}`, { token: api.admin(), body: { fullName: 'Renamed' } });
  await call('PUT', `/admin/accounts/${accountId}/agents/${user.id}`, { token: api.admin() });

  expect((await call('GET', '/agent/me', { token: user.token })).status).toBe(200);
  await new Promise((r) => setTimeout(r, 200));
  expect(closed).toBe(false);
  ws.close();
});
