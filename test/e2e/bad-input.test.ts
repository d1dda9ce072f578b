/**
 * Bad input at every route of the wiring: over-long ids in every path parameter, over-long values in every string
 * field of a valid body, over-long query values, a 1 MB credential, a 3,000-character export `ids=`, a 2 MB webhook.
 * Each answers a 4xx that names what was wrong (never a 500), and a read-back of everything the admin API and the
 * agent API show proves nothing changed.
 */
import { ulid } from 'ulid';
import { accountBody, createList, createUser, USER_PASSWORD, useAdminApi, type TestUser } from '../support/admin';
import { eventually } from '../support/engine';
import { httpRoutes, routeKey, type HttpRoute } from '../../lib/wiring';
import { twilioProvider } from '../../shared/providers/twilio';

const api = useAdminApi();
const { call } = api;

const ids: Record<string, string> = {};
let proxyToken = '';
let agent: TestUser;
const credentials = { accountSid: `AC${'fedcba9876543210'.repeat(2)}`, authToken: 'bad-input-auth-token' };
const LONG_ID = 'A'.repeat(5000);
const LONG = 'x'.repeat(100_000);

/** The route's path with real ids, or with `LONG_ID` in the one parameter named. */
function pathOf(route: HttpRoute, longParam?: string): string {
  const base = route.path.split('/')[2] ?? '';
  const idOf: Record<string, string> = {
    agents: ids.agent!,
    accounts: ids.account!,
    queues: ids.queue!,
    lists: ids.list!,
    dispositions: ids.disposition!,
    'canned-answers': ids.canned!,
    interactions: ids.interaction!,
  };
  const values: Record<string, string> = {
    id: idOf[base] ?? ids.account!,
    agentId: ids.agent!,
    contactId: ids.contact!,
    dispositionId: ids.accountDisposition!,
    cannedAnswerId: ids.accountCanned!,
    messageId: ids.message!,
    index: '0',
    accountId: ids.account!,
    token: proxyToken,
  };
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === longParam ? LONG_ID : values[name]!));
}

/** A valid body per write route (or none), whose string leaves the test then blows up one at a time. */
function validBody(route: HttpRoute): Record<string, unknown> | undefined {
  const bodies: Record<string, Record<string, unknown>> = {
    'POST /auth/login': { username: 'admin', password: 'wrong-password' },
    'PUT /agent/presence': { status: 'paused', reason: 'lunch' },
    'POST /agent/interactions/{id}/reply': { text: 'hello' },
    'POST /agent/interactions/{id}/template': { name: 'hello', language: 'en', parameters: ['p'] },
    'POST /agent/interactions/{id}/canned': { cannedAnswerId: ids.canned },
    'POST /agent/interactions/{id}/close': { disposition: 'Solved' },
    'POST /agent/interactions/{id}/transfer': { agentId: ids.agent },
    'PUT /agent/interactions/{id}/tags': { tags: ['vip'] },
    'POST /agent/interactions/{id}/notes': { text: 'a note' },
    'POST /admin/agents': { fullName: 'New One', username: `n${Date.now()}`, role: 'agent', description: 'd', password: USER_PASSWORD },
    'PATCH /admin/agents/{id}': { fullName: 'Renamed', description: 'd', alias: 'a' },
    'POST /admin/agents/bulk-delete': { ids: [ulid()] },
    'POST /admin/accounts': accountBody('sms', 'twilio', ids.list!, { description: 'd' }),
    'PATCH /admin/accounts/{id}': { name: 'Renamed', description: 'd', credentials: { authToken: 'rotated' } },
    'POST /admin/accounts/bulk-delete': { ids: [ulid()] },
    'PUT /admin/accounts/{id}/whitelist': { listIds: [ids.list] },
    'POST /admin/queues': { name: 'Q', description: 'd' },
    'PATCH /admin/queues/{id}': { name: 'Q2', description: 'd' },
    'POST /admin/lists': { name: 'L', description: 'd' },
    'PATCH /admin/lists/{id}': { name: 'L2', description: 'd' },
    'POST /admin/lists/{id}/contacts': { phone: '+393339998888', firstName: 'Ada', lastName: 'L', email: 'ada@example.com' },
    'PATCH /admin/lists/{id}/contacts/{contactId}': { firstName: 'Ada', lastName: 'L' },
    'POST /admin/dispositions': { name: 'D', description: 'd' },
    'PATCH /admin/dispositions/{id}': { name: 'D2', description: 'd' },
    'POST /admin/canned-answers': { name: 'C', text: 'hi' },
    'PATCH /admin/canned-answers/{id}': { name: 'C2', text: 'hi' },
    'POST /admin/accounts/{id}/dispositions': { name: 'D', description: 'd' },
    'PATCH /admin/accounts/{id}/dispositions/{dispositionId}': { name: 'D2', description: 'd' },
    'POST /admin/accounts/{id}/canned-answers': { name: 'C', text: 'hi' },
    'PATCH /admin/accounts/{id}/canned-answers/{cannedAnswerId}': { name: 'C2', text: 'hi' },
  };
  return bodies[routeKey(route)];
}

/** Every string leaf of a body, as a path of keys. */
function stringLeaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

function withLeaf(body: Record<string, unknown>, path: (string | number)[], replacement: string): Record<string, unknown> {
  const copy = structuredClone(body);
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = replacement;
  return copy;
}

/** Everything the APIs show, to compare before and after. */
async function snapshot(): Promise<Record<string, unknown>> {
  const admin = api.admin();
  const paths = [
    '/admin/agents?limit=200',
    '/admin/accounts?limit=200',
    '/admin/queues',
    '/admin/lists',
    `/admin/lists/${ids.list}/contacts`,
    '/admin/dispositions',
    '/admin/canned-answers',
    `/admin/accounts/${ids.account}/dispositions`,
    `/admin/accounts/${ids.account}/canned-answers`,
    `/admin/accounts/${ids.account}/agents`,
    `/admin/accounts/${ids.account}/whitelist`,
    `/agent/interactions/${ids.interaction}`,
    `/agent/interactions/${ids.interaction}/messages`,
    `/agent/interactions/${ids.interaction}/notes`,
    `/agent/interactions?accountId=${ids.account}`,
  ];
  const bodies = await Promise.all(paths.map(async (p) => [p, (await call('GET', p, { token: admin })).body] as const));
  return Object.fromEntries(bodies);
}

const failures: string[] = [];
function expect4xx(what: string, status: number, text: string): void {
  if (status < 400 || status >= 500) failures.push(`${what}: ${status} ${text.slice(0, 150)}`);
}

beforeAll(async () => {
  const admin = api.admin();
  agent = await createUser(call, admin, 'agent');
  ids.agent = agent.id;
  ids.list = await createList(call, admin);
  const account = await call('POST', '/admin/accounts', { token: admin, body: accountBody('sms', 'twilio', ids.list, { credentials, phone: '+14155550177' }) });
  ids.account = account.body.id;
  proxyToken = account.body.proxyToken;
  ids.queue = (await call('POST', '/admin/queues', { token: admin, body: { name: 'Sales' } })).body.id;
  ids.contact = (await call('POST', `/admin/lists/${ids.list}/contacts`, { token: admin, body: { phone: '+393331112299' } })).body.id;
  ids.disposition = (await call('POST', '/admin/dispositions', { token: admin, body: { name: 'Solved' } })).body.id;
  ids.canned = (await call('POST', '/admin/canned-answers', { token: admin, body: { name: 'Hello', text: 'Hi' } })).body.id;
  ids.accountDisposition = (await call('POST', `/admin/accounts/${ids.account}/dispositions`, { token: admin, body: { name: 'Local' } })).body.id;
  ids.accountCanned = (await call('POST', `/admin/accounts/${ids.account}/canned-answers`, { token: admin, body: { name: 'Local', text: 'ok' } })).body.id;
  await call('PUT', `/admin/accounts/${ids.account}/agents/${agent.id}`, { token: admin });
  const signed = twilioProvider.simulateInbound(
    { url: account.body.receiveUrl, providerMessageId: `SM${'cd'.repeat(16)}`, from: '+393335556666', to: '+14155550177', text: 'hello', timestampMs: Date.now() },
    credentials,
    { id: ids.account!, channel: 'sms', phone: '+14155550177', proxyToken },
  );
  const res = await fetch(`${api.engine().httpUrl}${new URL(signed.url).pathname}`, { method: signed.method, headers: signed.headers, body: signed.body });
  expect(res.status).toBe(200);
  ids.interaction = await eventually(async () => {
    const list = await call('GET', `/agent/interactions?accountId=${ids.account}`, { token: admin });
    const found = (list.body?.items ?? [])[0] as { id: string } | undefined;
    if (!found) throw new Error('no interaction yet');
    return found.id;
  }, 15_000);
  ids.message = (await call('GET', `/agent/interactions/${ids.interaction}/messages`, { token: admin })).body.items[0].id;
}, 120_000);

describe('bad input at every route', () => {
  let before: Record<string, unknown> = {};
  beforeAll(async () => {
    before = await snapshot();
  });

  it('answers 4xx naming the parameter for a 5,000-character id in any path parameter of any route', async () => {
    for (const route of httpRoutes) {
      for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
        const res = await call(route.method, pathOf(route, name), { token: api.admin(), body: validBody(route) ?? {} });
        expect4xx(`${routeKey(route)} with a long ${name}`, res.status, res.text);
        if (res.status === 400 && !route.path.startsWith('/webhooks/') && !(res.body?.error?.details ?? []).some((d: { path: string }) => d.path === `path.${name}`)) {
          failures.push(`${routeKey(route)} with a long ${name}: the 400 does not name path.${name}: ${res.text.slice(0, 150)}`);
        }
      }
    }
    expect(failures.splice(0)).toEqual([]);
  }, 300_000);

  it('answers 4xx for a 100,000-character value in any string field of a valid body', async () => {
    for (const route of httpRoutes) {
      const body = validBody(route);
      if (!body) continue;
      for (const leaf of stringLeaves(body)) {
        const res = await call(route.method, pathOf(route), { token: api.admin(), body: withLeaf(body, leaf, LONG) });
        expect4xx(`${routeKey(route)} with a long ${leaf.join('.')}`, res.status, res.text);
      }
    }
    expect(failures.splice(0)).toEqual([]);
  }, 300_000);

  it('answers 4xx for an over-long query value on every GET route', async () => {
    for (const route of httpRoutes.filter((r) => r.method === 'GET' && !r.path.startsWith('/webhooks/'))) {
      const res = await call('GET', `${pathOf(route)}?q=${'q'.repeat(5000)}&accountId=${'a'.repeat(5000)}&ids=${'i'.repeat(5000)}`, { token: api.admin() });
      expect4xx(`${routeKey(route)} with long query values`, res.status, res.text);
    }
    expect(failures.splice(0)).toEqual([]);
  }, 300_000);

  it('answers 4xx for a 1 MB credential, a 3,000-character export ids= and a 2 MB webhook', async () => {
    const create = await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'twilio', ids.list!, { credentials: { ...credentials, authToken: 'k'.repeat(1_000_000) } }) });
    const patch = await call('PATCH', `/admin/accounts/${ids.account}`, { token: api.admin(), body: { credentials: { authToken: 'k'.repeat(600_000) } } });
    const exportIds = Array.from({ length: 111 }, () => ulid()).join(',');
    const exported = await call('GET', `/admin/accounts/export?ids=${exportIds}`, { token: api.admin() });
    const webhook = await fetch(`${api.engine().httpUrl}/webhooks/${ids.account}/${proxyToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Body=${'w'.repeat(2_000_000)}`,
    });
    expect([create.status, patch.status, exported.status, webhook.status].map((s) => s >= 400 && s < 500)).toEqual([true, true, true, true]);
    expect(patch.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.credentials.authToken']);
    expect(exported.body.error.details.map((d: { path: string }) => d.path)).toEqual(['query.ids']);
  }, 120_000);

  it('changed nothing', async () => {
    expect(await snapshot()).toEqual(before);
  });
});
