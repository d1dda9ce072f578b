/**
 * Login throttling over HTTP: budgets per username from one client address and per client address, refusals that
 * look the same whatever the password, and no way to lock the real user out from elsewhere. Requests leave from
 * different loopback addresses (127.0.0.x), which the engine reports as the client address as API Gateway does.
 */
import { request } from 'node:http';
import { ADMIN_PASSWORD, createUser, unique, USER_PASSWORD, useAdminApi } from '../support/admin';

const FREE = 3;
const ADDRESS_FREE = 8;
const api = useAdminApi({
  env: {
    LOGIN_FREE_ATTEMPTS: String(FREE),
    LOGIN_ADDRESS_FREE_ATTEMPTS: String(ADDRESS_FREE),
    // Long enough that a throttled budget stays throttled for the whole test.
    LOGIN_DELAY_BASE_MS: '60000',
    LOGIN_REFUSAL_DELAY_MS: '250',
  },
});

interface Answer {
  status: number;
  body: string;
  retryAfter: string | undefined;
  ms: number;
}

let nextAddress = 10;
/** A client address of its own (127.0.0.x) for one test's attacker or user. */
const freshAddress = () => `127.0.0.${nextAddress++}`;

function loginFrom(localAddress: string, username: string, password: string): Promise<Answer> {
  const url = new URL(`${api.engine().httpUrl}/auth/login`);
  const payload = JSON.stringify({ username, password });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, body, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, ms: performance.now() - started });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

describe('login throttling', () => {
  it('answers the right and a wrong password alike once throttled: same status, body and timing', async () => {
    const user = await createUser(api.call, api.admin(), 'agent');
    const attacker = freshAddress();
    const guesses = [];
    for (let i = 0; i < FREE; i++) guesses.push((await loginFrom(attacker, user.username, `Wrong-Pass${i}`)).status);

    const right: Answer[] = [];
    const wrong: Answer[] = [];
    for (let i = 0; i < 8; i++) {
      right.push(await loginFrom(attacker, user.username, USER_PASSWORD));
      wrong.push(await loginFrom(attacker, user.username, `Wrong-Again${i}`));
    }

    expect(guesses).toEqual(Array(FREE).fill(401));
    for (const answer of [...right, ...wrong]) {
      expect(answer.status).toBe(429);
      expect(answer.body).toBe(right[0]!.body);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    }
    expect(JSON.parse(right[0]!.body)).toMatchObject({ error: { code: 'TOO_MANY_ATTEMPTS' } });
    const audit = await api.call('GET', `/admin/audit?action=auth.login&actorId=${user.id}&limit=200`, { token: api.admin() });
    const reasons = (audit.body.items as { outcome: string; ip: string; details?: { reason: string } }[]).filter((r) => r.ip === attacker).map((r) => r.details?.reason);
    expect(reasons.filter((r) => r === 'bad-credentials')).toHaveLength(FREE);
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(16);
    const [r, w] = [median(right.map((a) => a.ms)), median(wrong.map((a) => a.ms))];
    expect(Math.abs(r - w) / Math.max(r, w)).toBeLessThan(0.2);
  });

  it('does not let a throttled attacker lock the real user out from another address', async () => {
    const user = await createUser(api.call, api.admin(), 'agent');
    const attacker = freshAddress();
    for (let i = 0; i < FREE + 3; i++) await loginFrom(attacker, user.username, `Wrong-Pass${i}`);
    expect((await loginFrom(attacker, user.username, USER_PASSWORD)).status).toBe(429);

    const real = await loginFrom(freshAddress(), user.username, USER_PASSWORD);

    expect(real.status).toBe(200);
    expect(JSON.parse(real.body)).toMatchObject({ token: expect.any(String), user: { id: user.id } });
  });

  it('cannot lock the admin out either', async () => {
    const attacker = freshAddress();
    for (let i = 0; i < FREE + 2; i++) await loginFrom(attacker, 'admin', `Wrong-Pass${i}`);

    expect((await loginFrom(attacker, 'admin', ADMIN_PASSWORD)).status).toBe(429);
    expect((await loginFrom(freshAddress(), 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('throttles an address that guesses across many usernames, for every username, but not other addresses', async () => {
    const user = await createUser(api.call, api.admin(), 'agent');
    const sprayer = freshAddress();
    const statuses = [];
    for (let i = 0; i < ADDRESS_FREE; i++) statuses.push((await loginFrom(sprayer, unique('nobody'), 'Wrong-Pass1')).status);

    expect(statuses).toEqual(Array(ADDRESS_FREE).fill(401));
    expect((await loginFrom(sprayer, user.username, USER_PASSWORD)).status).toBe(429);
    expect((await loginFrom(freshAddress(), user.username, USER_PASSWORD)).status).toBe(200);
  });

  it('lets parallel guesses through no more than the free attempts', async () => {
    const user = await createUser(api.call, api.admin(), 'agent');
    const attacker = freshAddress();

    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => loginFrom(attacker, user.username, `Wrong-Pass${i}`)));

    const evaluated = answers.filter((a) => a.status === 401).length;
    expect(evaluated).toBeGreaterThan(0);
    expect(evaluated).toBeLessThanOrEqual(FREE);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(12 - evaluated);
  });

  it('starts the username budget again after a successful login, and spends nothing on it', async () => {
    const user = await createUser(api.call, api.admin(), 'agent');
    const address = freshAddress();
    for (let i = 0; i < FREE - 1; i++) expect((await loginFrom(address, user.username, 'Wrong-Pass1')).status).toBe(401);
    expect((await loginFrom(address, user.username, USER_PASSWORD)).status).toBe(200);

    const again = [];
    for (let i = 0; i < FREE; i++) again.push((await loginFrom(address, user.username, 'Wrong-Pass1')).status);

    expect(again).toEqual(Array(FREE).fill(401));
    expect((await loginFrom(address, user.username, USER_PASSWORD)).status).toBe(429);
  });

  it("keeps an admin's explicit lock: 423 whatever the password, until the admin unlocks", async () => {
    const user = await createUser(api.call, api.admin(), 'agent');
    const address = freshAddress();

    expect((await api.call('PATCH', `/admin/agents/${user.id}`, { token: api.admin(), body: { locked: true } })).body.locked).toBe(true);
    const right = await loginFrom(address, user.username, USER_PASSWORD);
    const wrong = await loginFrom(address, user.username, 'Wrong-Pass1');
    expect([right.status, wrong.status]).toEqual([423, 423]);
    expect(right.body).toBe(wrong.body);

    expect((await api.call('PATCH', `/admin/agents/${user.id}`, { token: api.admin(), body: { locked: false } })).body.locked).toBe(false);
    expect((await loginFrom(address, user.username, USER_PASSWORD)).status).toBe(200);
  });
});
