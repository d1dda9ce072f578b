/**
 * The route × role matrix over every /admin route of the wiring: anonymous callers get 401, agents 403,
 * supervisors read (2xx, or 404) but may not write (403), admins are never refused.
 */
import { accountBody, createList, createUser, useAdminApi, type TestUser } from '../support/admin';
import { httpRoutes } from '../../lib/wiring';
import { insertTemplate } from '../../shared/store/templates';

const api = useAdminApi();
const { call } = api;

const adminRoutes = httpRoutes.filter((r) => r.path.startsWith('/admin/'));
/** Supervision routes let supervisors act (search, export, transcripts, notes, delete): test/e2e/supervision.test.ts covers them. */
const supervising = (r: { method: string; path: string }) =>
  /^\/admin\/(interactions|exports)|^\/admin\/accounts\/\{id\}\/interactions|\/search$/.test(r.path);
const ids: Record<string, string> = {};
let agent: TestUser;
let supervisor: TestUser;

/** The route's path with real ids in place of its parameters, plus the query an export needs. */
function concrete(path: string): string {
  const base = (path.startsWith('/admin/whatsapp/') ? path.split('/')[3] : path.split('/')[2]) ?? '';
  const idOf: Record<string, string> = {
    templates: ids.template!,
    campaigns: ids.campaign!,
    agents: ids.target!,
    accounts: ids.account!,
    queues: ids.queue!,
    lists: ids.list!,
    dispositions: ids.disposition!,
    'canned-answers': ids.canned!,
    teams: ids.team!,
  };
  const filled = path
    .replace('{id}', idOf[base] ?? 'missing')
    .replace('{agentId}', ids.member!)
    .replace('{contactId}', ids.contact!)
    .replace('{dispositionId}', ids.accountDisposition!)
    .replace('{cannedAnswerId}', ids.accountCanned!);
  if (/\{\w+\}/.test(filled)) throw new Error(`no id for a parameter of ${path}`);
  return path.endsWith('/export') ? `${filled}?ids=${idOf[base]}` : filled;
}

beforeAll(async () => {
  const admin = api.admin();
  agent = await createUser(call, admin, 'agent');
  supervisor = await createUser(call, admin, 'supervisor');
  ids.target = (await createUser(call, admin, 'agent')).id;
  ids.member = (await createUser(call, admin, 'agent')).id;
  ids.list = await createList(call, admin);
  const account = await call('POST', '/admin/accounts', { token: admin, body: accountBody('sms', 'twilio', ids.list) });
  ids.account = account.body.id;
  ids.queue = (await call('POST', '/admin/queues', { token: admin, body: { name: 'Sales' } })).body.id;
  ids.team = (await call('POST', '/admin/teams', { token: admin, body: { name: 'Night shift' } })).body.id;
  ids.contact = (await call('POST', `/admin/lists/${ids.list}/contacts`, { token: admin, body: { phone: '+393331112222' } })).body.id;
  ids.disposition = (await call('POST', '/admin/dispositions', { token: admin, body: { name: 'Solved' } })).body.id;
  ids.canned = (await call('POST', '/admin/canned-answers', { token: admin, body: { name: 'Hello', text: 'Hi {{contact.firstName}}' } })).body.id;
  ids.accountDisposition = (await call('POST', `/admin/accounts/${ids.account}/dispositions`, { token: admin, body: { name: 'Local' } })).body.id;
  ids.accountCanned = (await call('POST', `/admin/accounts/${ids.account}/canned-answers`, { token: admin, body: { name: 'Local', text: 'ok' } })).body.id;
  await call('PUT', `/admin/accounts/${ids.account}/agents/${ids.member}`, { token: admin });
  await call('PUT', `/admin/queues/${ids.queue}/agents/${ids.member}`, { token: admin });
  // A WhatsApp template kept locally only (a Twilio one not yet submitted: syncing and deleting call no provider) and
  // a campaign scheduled far ahead, so starting and resuming it sends nothing.
  const whatsapp = await call('POST', '/admin/accounts', { token: admin, body: accountBody('whatsapp', 'twilio', ids.list) });
  const at = new Date().toISOString();
  ids.template = `matrix${Date.now()}`;
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
  for (const [name, id] of Object.entries(ids)) if (typeof id !== 'string') throw new Error(`fixture ${name} was not created`);
});

describe('route × role matrix', () => {
  it('covers the admin routes of queues, lists, contacts, dispositions and canned answers', () => {
    const paths = new Set(adminRoutes.map((r) => r.path));
    for (const p of ['/admin/queues/{id}/agents/{agentId}', '/admin/lists/{id}/contacts/{contactId}', '/admin/dispositions/{id}', '/admin/accounts/{id}/canned-answers/{cannedAnswerId}']) {
      expect(paths).toContain(p);
    }
    expect(adminRoutes.length).toBeGreaterThanOrEqual(60);
  });

  it('refuses anonymous callers with 401 on every admin route', async () => {
    const results = await Promise.all(adminRoutes.map(async (r) => [`${r.method} ${r.path}`, (await call(r.method, concrete(r.path), { body: {} })).status] as const));
    expect(results.filter(([, status]) => status !== 401)).toEqual([]);
  });

  it('refuses a garbage bearer token with 401 on every admin route', async () => {
    const results = await Promise.all(
      adminRoutes.map(async (r) => [`${r.method} ${r.path}`, (await call(r.method, concrete(r.path), { token: 'not.a.token', body: {} })).status] as const),
    );
    expect(results.filter(([, status]) => status !== 401)).toEqual([]);
  });

  it('refuses agents with 403 on every admin route', async () => {
    const results = await Promise.all(
      adminRoutes.map(async (r) => [`${r.method} ${r.path}`, (await call(r.method, concrete(r.path), { token: agent.token, body: {} })).status] as const),
    );
    expect(results.filter(([, status]) => status !== 403)).toEqual([]);
  });

  it('lets supervisors read (2xx: every id is real) and refuses their writes with 403', async () => {
    const results = await Promise.all(
      adminRoutes.map(async (r) => [r, (await call(r.method, concrete(r.path), { token: supervisor.token, body: {} })).status] as const),
    );
    const wrong = results
      .filter(([r]) => !supervising(r))
      .filter(([r, status]) => (r.method === 'GET' ? !(status >= 200 && status < 300) : status !== 403))
      .map(([r, status]) => `${r.method} ${r.path} -> ${status}`);
    expect(wrong).toEqual([]);
  });

  it('never refuses an admin (no 401, 403 or 5xx) on any admin route', async () => {
    // Sequential, reads and writes first and deletes last, so a delete does not turn later rows into noise.
    const ordered = [...adminRoutes].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    const wrong: string[] = [];
    for (const r of ordered) {
      const status = (await call(r.method, concrete(r.path), { token: api.admin(), body: {} })).status;
      if (status === 401 || status === 403 || status >= 500) wrong.push(`${r.method} ${r.path} -> ${status}`);
    }
    expect(wrong).toEqual([]);
  });
});
