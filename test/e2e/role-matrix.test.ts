/**
 * The role × route matrix, generated from the route table in lib/wiring.ts: every route is called by an anonymous
 * caller, a bad token, an agent of the interaction's account, an agent of another account, a supervisor (member of
 * nothing) and an admin, and each answer must be what the route's rule in the role table (shared/http/roles.ts)
 * says. A route without a rule fails the first test (and is refused by the engine).
 */
import { accountBody, createList, createUser, useAdminApi, type Reply, type TestUser } from '../support/admin';
import { eventually } from '../support/engine';
import { useAcceptingTwilio } from '../support/accepting-twilio';
import { httpRoutes, routeKey, type HttpRoute } from '../../lib/wiring';
import { ACCESS_RULES, ROUTE_ACCESS, type Access } from '../../shared/http/roles';
import { PARAM_NAMES } from '../../shared/http/params';
import { twilioProvider } from '../../shared/providers/twilio';
import { insertTemplate } from '../../shared/store/templates';
import { ulid } from 'ulid';

// Replies the matrix queues go to a fake Twilio on loopback that accepts everything.
useAcceptingTwilio();

const api = useAdminApi();
const { call } = api;

type CallerName = 'anonymous' | 'bad token' | 'agent of another account' | 'agent of the account' | 'supervisor' | 'admin';
const CALLERS: CallerName[] = ['anonymous', 'bad token', 'agent of another account', 'agent of the account', 'supervisor', 'admin'];

const ids: Record<string, string> = {};
let member: TestUser;
let outsider: TestUser;
let supervisor: TestUser;
let proxyToken = '';
const credentials = { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'matrix-auth-token' };

function tokenOf(caller: CallerName): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'bad token':
      return 'not.a.token';
    case 'agent of another account':
      return outsider.token;
    case 'agent of the account':
      return member.token;
    case 'supervisor':
      return supervisor.token;
    case 'admin':
      return api.admin();
  }
}

/** The route's path with real ids in place of its parameters, plus the query a route needs. */
function concrete(route: HttpRoute): string {
  const base = (route.path.startsWith('/admin/whatsapp/') ? route.path.split('/')[3] : route.path.split('/')[2]) ?? '';
  const idOf: Record<string, string> = {
    templates: ids.template!,
    campaigns: ids.campaign!,
    teams: ids.team!,
    exports: ids.export!,
    agents: ids.target!,
    accounts: ids.account!,
    queues: ids.queue!,
    lists: ids.list!,
    dispositions: ids.disposition!,
    'canned-answers': ids.canned!,
    interactions: ids.interaction!,
  };
  const filled = route.path
    .replace('{id}', idOf[base] ?? 'missing')
    .replace('{agentId}', ids.queueMember!)
    .replace('{contactId}', ids.contact!)
    .replace('{dispositionId}', ids.accountDisposition!)
    .replace('{cannedAnswerId}', ids.accountCanned!)
    .replace('{messageId}', ids.message!)
    .replace('{documentId}', ids.document!)
    .replace('{index}', '0')
    .replace('{accountId}', ids.account!)
    .replace('{token}', proxyToken);
  if (/\{\w+\}/.test(filled)) throw new Error(`no id for a parameter of ${route.path}`);
  if (route.path.endsWith('/export') && base !== 'campaigns') return `${filled}?ids=${idOf[base]}`;
  if (route.path === '/agent/canned-answers') return `${filled}?accountId=${ids.account}`;
  return filled;
}

/** What a body should be so that a handler gets past parsing to its access check (a role refusal must not hide behind a 400). */
function bodyOf(route: HttpRoute): unknown {
  const key = routeKey(route);
  const bodies: Record<string, unknown> = {
    'PUT /agent/presence': { status: 'online' },
    'POST /agent/interactions/{id}/reply': { text: 'hello from the matrix' },
    'POST /agent/interactions/{id}/reply/preview': { text: 'hello from the matrix', language: 'it' },
    'POST /admin/accounts/{id}/knowledge': { name: 'Matrix notes', text: 'Opening hours: 9 to 5.' },
    'POST /agent/interactions/{id}/template': { name: 'hello', language: 'en' },
    'POST /agent/interactions/{id}/canned': { cannedAnswerId: ids.canned },
    'POST /agent/interactions/{id}/transfer': { agentId: ids.queueMember },
    'PUT /agent/interactions/{id}/tags': { tags: ['vip'] },
    'POST /agent/interactions/{id}/notes': { text: 'an internal note' },
    'POST /admin/interactions/{id}/notes': { text: 'an internal note' },
    'POST /admin/interactions/search': { match: 'all', conditions: [] },
    'POST /admin/accounts/{id}/interactions/search': { match: 'all', conditions: [] },
    'POST /admin/accounts/search': { match: 'all', conditions: [] },
    'POST /admin/agents/search': { match: 'all', conditions: [] },
    'POST /admin/lists/{id}/contacts/search': { match: 'all', conditions: [] },
    'POST /admin/interactions/export': { ids: [ids.interaction] },
    'POST /admin/accounts/{id}/interactions/export': { ids: [ids.interaction] },
    'POST /admin/interactions/transcripts': { ids: [ids.interaction] },
    'POST /admin/exports': { kind: 'interactions-csv', ids: [ids.interaction] },
  };
  return bodies[key] ?? {};
}

type Outcome = 'allowed' | 'unauthenticated' | 'forbidden' | 'hidden' | 'same for all';

/** What the role table says this caller gets on a route with this rule. */
function expected(access: Access, caller: CallerName): Outcome {
  const rule = ACCESS_RULES[access];
  if (rule.anonymous) return 'same for all';
  if (caller === 'anonymous' || caller === 'bad token') return 'unauthenticated';
  const role = caller === 'admin' ? 'admin' : caller === 'supervisor' ? 'supervisor' : 'agent';
  const grant = rule.grants[role];
  if (grant === 'none') return 'forbidden';
  // The supervisor has taken nothing over when the matrix runs.
  if (grant === 'taken-over') return 'forbidden';
  // The agent of the account is also a member of the queue; a queue's line is refused, not hidden, to others.
  if (grant === 'member') return caller === 'agent of the account' ? 'allowed' : access === 'queue.member' ? 'forbidden' : 'hidden';
  return 'allowed';
}

function outcomeOf(reply: Reply): Outcome | 'server error' {
  if (reply.status >= 500) return 'server error';
  if (reply.status === 401) return 'unauthenticated';
  if (reply.status === 403) return 'forbidden';
  // A 404 about the interaction itself hides it; a 404 of something inside it (media 0 of a text message) does not.
  if (reply.status === 404 && /^interaction /.test(String(reply.body?.error?.message ?? ''))) return 'hidden';
  return 'allowed';
}

beforeAll(async () => {
  const admin = api.admin();
  // One after the other: parallel logins from one address contend for the same throttling budget.
  member = await createUser(call, admin, 'agent');
  outsider = await createUser(call, admin, 'agent');
  supervisor = await createUser(call, admin, 'supervisor');
  ids.target = (await createUser(call, admin, 'agent')).id;
  ids.queueMember = (await createUser(call, admin, 'agent')).id;
  ids.list = await createList(call, admin);
  const account = await call('POST', '/admin/accounts', {
    token: admin,
    body: accountBody('sms', 'twilio', ids.list, { credentials, phone: '+14155550199' }),
  });
  ids.account = account.body.id;
  proxyToken = account.body.proxyToken;
  const other = await call('POST', '/admin/accounts', { token: admin, body: accountBody('sms', 'twilio', ids.list) });
  ids.otherAccount = other.body.id;
  ids.queue = (await call('POST', '/admin/queues', { token: admin, body: { name: 'Sales' } })).body.id;
  ids.contact = (await call('POST', `/admin/lists/${ids.list}/contacts`, { token: admin, body: { phone: '+393331112222' } })).body.id;
  ids.disposition = (await call('POST', '/admin/dispositions', { token: admin, body: { name: 'Solved' } })).body.id;
  ids.canned = (await call('POST', '/admin/canned-answers', { token: admin, body: { name: 'Hello', text: 'Hi {{contact.firstName}}' } })).body.id;
  ids.accountDisposition = (await call('POST', `/admin/accounts/${ids.account}/dispositions`, { token: admin, body: { name: 'Local' } })).body.id;
  ids.accountCanned = (await call('POST', `/admin/accounts/${ids.account}/canned-answers`, { token: admin, body: { name: 'Local', text: 'ok' } })).body.id;
  ids.document = (await call('POST', `/admin/accounts/${ids.account}/knowledge`, { token: admin, body: { name: 'Returns', text: 'Returns within 30 days.' } })).body.id;
  await call('PUT', `/admin/accounts/${ids.account}/agents/${member.id}`, { token: admin });
  await call('PUT', `/admin/accounts/${ids.account}/agents/${ids.queueMember}`, { token: admin });
  await call('PUT', `/admin/accounts/${ids.otherAccount}/agents/${outsider.id}`, { token: admin });
  await call('PUT', `/admin/queues/${ids.queue}/agents/${ids.queueMember}`, { token: admin });
  await call('PUT', `/admin/queues/${ids.queue}/agents/${member.id}`, { token: admin });

  // One conversation on the account, through a signed Twilio webhook.
  const signed = twilioProvider.simulateInbound(
    { url: account.body.receiveUrl, providerMessageId: `SM${'ab'.repeat(16)}`, from: '+393334445555', to: '+14155550199', text: 'help', timestampMs: Date.now() },
    credentials,
    { id: ids.account!, channel: 'sms', phone: '+14155550199', proxyToken },
  );
  const res = await fetch(`${api.engine().httpUrl}${new URL(signed.url).pathname}`, { method: signed.method, headers: signed.headers, body: signed.body });
  expect(res.status).toBe(200);
  const interaction = await eventually(async () => {
    const list = await call('GET', `/agent/interactions?accountId=${ids.account}`, { token: admin });
    const found = (list.body?.items ?? [])[0];
    if (!found) throw new Error('no interaction yet');
    return found as { id: string };
  }, 15_000);
  ids.interaction = interaction.id;
  ids.message = (await call('GET', `/agent/interactions/${interaction.id}/messages`, { token: admin })).body.items[0].id;
  ids.team = (await call('POST', '/admin/teams', { token: admin, body: { name: 'Night shift' } })).body.id;
  // A WhatsApp template kept locally only (a Twilio one not yet submitted: syncing and deleting call no provider) and
  // a campaign scheduled far ahead, so starting and resuming it sends nothing.
  const whatsapp = await call('POST', '/admin/accounts', { token: admin, body: accountBody('whatsapp', 'twilio', ids.list) });
  const at = new Date().toISOString();
  ids.template = ulid();
  await insertTemplate({
    id: ids.template,
    accountId: whatsapp.body.id,
    provider: 'twilio',
    name: 'matrix_notice',
    language: 'it',
    category: 'UTILITY',
    parameterFormat: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Avviso' }],
    parameters: { header: [], body: [] },
    status: 'APPROVED',
    statusAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  ids.campaign = (
    await call('POST', '/admin/whatsapp/campaigns', {
      token: admin,
      body: { accountId: whatsapp.body.id, name: 'Matrix', templateId: ids.template, listIds: [ids.list], schedule: { startAt: '2099-01-01T00:00:00Z' } },
    })
  ).body.id;
  // An export job the supervisor started: a supervisor sees only its own jobs, an admin every job.
  ids.export = (await call('POST', '/admin/exports', { token: supervisor.token, body: { kind: 'interactions-csv', ids: [ids.interaction] } })).body.id;
  for (const [name, id] of Object.entries(ids)) if (typeof id !== 'string') throw new Error(`fixture ${name} was not created`);
}, 120_000);

describe('the role table', () => {
  it('has exactly one rule for every route of the wiring, and no rule for a route that does not exist', () => {
    const keys = httpRoutes.map(routeKey);
    expect(keys.filter((k) => !Object.hasOwn(ROUTE_ACCESS, k))).toEqual([]);
    expect(Object.keys(ROUTE_ACCESS).filter((k) => !keys.includes(k))).toEqual([]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('knows the shape of every path parameter the wiring uses', () => {
    const names = new Set(httpRoutes.flatMap((r) => [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)));
    expect([...names].filter((n) => !PARAM_NAMES.includes(n))).toEqual([]);
  });
});

describe('route × role matrix', () => {
  // Reads and writes first, the take-over after the handling routes (the supervisor must not have taken anything
  // over yet), the close after that, deletes last so that they do not turn later rows into noise.
  const rank = (r: HttpRoute) =>
    r.method === 'DELETE' ? 4 : r.path.endsWith('/close') ? 3 : r.path.endsWith('/take-over') ? 2 : r.path.startsWith('/admin/') ? 1 : 0;
  const ordered = [...httpRoutes].sort((a, b) => rank(a) - rank(b));

  it('answers every route × caller as the role table says', async () => {
    const wrong: string[] = [];
    let calls = 0;
    for (const route of ordered) {
      const access = ROUTE_ACCESS[routeKey(route)]!;
      const seen: Partial<Record<CallerName, number>> = {};
      for (const caller of CALLERS) {
        const reply = await call(route.method, concrete(route), { token: tokenOf(caller), body: bodyOf(route) });
        calls += 1;
        seen[caller] = reply.status;
        const want = expected(access, caller);
        // A delete that an earlier caller of the row already did: the thing is gone, which is what was asked.
        const deletedBefore = route.method === 'DELETE' && reply.status === 404 && Object.values(seen).some((st) => st !== undefined && st >= 200 && st < 300 && st !== reply.status);
        const got = deletedBefore ? 'allowed' : outcomeOf(reply);
        if (got === 'server error') wrong.push(`${routeKey(route)} as ${caller}: ${reply.status} ${reply.text.slice(0, 120)}`);
        else if (want !== 'same for all' && got !== want) wrong.push(`${routeKey(route)} as ${caller}: want ${want}, got ${reply.status} ${reply.text.slice(0, 120)}`);
        // Staff reading configuration with real ids gets it.
        if (want === 'allowed' && route.method === 'GET' && access === 'staff' && !(reply.status >= 200 && reply.status < 300)) {
          wrong.push(`${routeKey(route)} as ${caller}: a read with real ids answered ${reply.status}`);
        }
      }
      // Public and provider routes: the bearer token changes nothing.
      if (ACCESS_RULES[access].anonymous && new Set(Object.values(seen)).size !== 1) wrong.push(`${routeKey(route)}: answers differ by caller ${JSON.stringify(seen)}`);
    }
    expect(wrong).toEqual([]);
    expect(calls).toBe(httpRoutes.length * CALLERS.length);
  }, 300_000);
});
