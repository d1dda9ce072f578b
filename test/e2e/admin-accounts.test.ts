/**
 * /admin/accounts end to end: every provider of each channel with its real credential fields, defaults and ranges,
 * cross-field rules, credential rotation, read-only receive URL and proxy token, deletion and what it removes,
 * lists in use, CSV export, search and pagination, 20 racing creates of one key, and no credential value in any
 * response body or log line (debug logging on for this file).
 */
import { ulid } from 'ulid';
import { accountBody, accountKey, CHANNEL_TYPES, createList, createUser, credentialsFor, useAdminApi } from '../support/admin';
import { DEFAULT_NOTIFICATION_TEMPLATE, MAX_SECONDS } from '../../shared/admin/account-schema';
import { accountCredentials } from '../../shared/admin/accounts';
import { config } from '../../shared/config';
import { setLogSink } from '../../shared/logger';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getAccount } from '../../shared/store/accounts';
import { db, TABLE } from '../../shared/store/client';
import { listCatalogItems } from '../../shared/store/catalog';
import { membersOf } from '../../shared/store/memberships';
import type { Channel, ProviderType } from '../../shared/providers/types';

const logLines: string[] = [];
const api = useAdminApi({ env: { LOG_LEVEL: 'debug' }, log: (line) => logLines.push(line) });
const { call } = api;

/** Every credential value this file sends, looked for in every body and log line at the end. */
const secrets = new Set<string>();
function creds(type: ProviderType): Record<string, string> {
  const c = credentialsFor(type);
  Object.values(c).forEach((v) => secrets.add(v));
  return c;
}
function body(channel: Channel, type: ProviderType, listId: string, overrides: Record<string, unknown> = {}) {
  return accountBody(channel, type, listId, { credentials: creds(type), ...overrides });
}

let restoreSink: () => void;
let listId: string;

beforeAll(async () => {
  restoreSink = setLogSink((line) => logLines.push(line));
  listId = await createList(call, api.admin());
});
afterAll(() => restoreSink());

async function allAccounts(): Promise<{ id: string; key: string; channel: string }[]> {
  const items: { id: string; key: string; channel: string }[] = [];
  let cursor: string | undefined;
  do {
    const res = await call('GET', `/admin/accounts?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: api.admin() });
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('creating accounts', () => {
  it.each(CHANNEL_TYPES)('creates a %s account of %s with its credential fields, answering which are set but no values', async (channel, type) => {
    const input = body(channel, type, listId);

    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: input });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ channel, type, key: input.key, phone: '+393331234567', listId });
    // Fields the provider schema defaults (Skebby's method, Sinch's authUrl, ...) count as set too.
    expect(res.body.credentials.set).toEqual(expect.arrayContaining(Object.keys(input.credentials)));
    for (const value of Object.values(input.credentials)) expect(res.text).not.toContain(value);
    expect(res.body.proxyToken).toMatch(/^[\w-]{20,}$/);
    expect(res.body.receiveUrl).toBe(`${api.engine().baseUrl}/webhooks/${res.body.id}/${res.body.proxyToken}`);
  });

  it.each(CHANNEL_TYPES)('refuses a %s account of %s missing a required credential field, naming it', async (channel, type) => {
    const credentials = creds(type);
    const [missing] = Object.keys(credentials);
    delete credentials[missing!];

    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body(channel, type, listId, { credentials }) });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(`body.credentials.${missing}`);
  });

  it('applies the product defaults to settings', async () => {
    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body('whatsapp', 'meta', listId) });

    expect(res.status).toBe(201);
    expect(res.body.settings).toMatchObject({
      waitForAgentSeconds: 10,
      waitForQueueSeconds: 10,
      inactivityTimeoutMinutes: 0,
      transfer: { enabled: false, timeoutSeconds: 30 },
      notification: { sound: true, shake: false, template: DEFAULT_NOTIFICATION_TEMPLATE },
      whitelist: { enabled: false, listIds: [], autoReply: '' },
      video: { enabled: false, apiKeySet: false },
      routing: [],
    });
  });

  it.each([
    ['waitForAgentSeconds', 0],
    ['waitForAgentSeconds', MAX_SECONDS + 1],
    ['waitForQueueSeconds', 0],
    ['waitForQueueSeconds', MAX_SECONDS + 1],
  ])('refuses %s = %d naming the field, and stores nothing', async (field, value) => {
    const before = (await allAccounts()).length;

    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'plivo', listId, { settings: { [field]: value } }) });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(`body.settings.${field}`);
    expect((await allAccounts()).length).toBe(before);
  });

  it('accepts the range ends 1 and 2147483', async () => {
    const res = await call('POST', '/admin/accounts', {
      token: api.admin(),
      body: body('sms', 'plivo', listId, { settings: { waitForAgentSeconds: 1, waitForQueueSeconds: MAX_SECONDS } }),
    });

    expect(res.status).toBe(201);
    expect(res.body.settings).toMatchObject({ waitForAgentSeconds: 1, waitForQueueSeconds: 2147483 });
  });

  it('refuses a WhatsApp key longer than 5 characters, naming body.key', async () => {
    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body('whatsapp', 'twilio', listId, { key: 'abcdef' }) });

    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.key' })]);
  });

  it.each([
    ['sms', 'meta'],
    ['whatsapp', 'plivo'],
  ] as const)('refuses a %s account of %s, a provider that does not serve the channel, naming body.type', async (channel, type) => {
    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body(channel, type, listId) });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('body.type');
  });

  it('refuses a bad phone and a missing list with 400 naming the fields', async () => {
    const phone = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'twilio', listId, { phone: '12' }) });
    const list = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'twilio', 'no-such-list') });

    expect(phone.status).toBe(400);
    expect(phone.body.error.details.map((d: { path: string }) => d.path)).toContain('body.phone');
    expect(list.status).toBe(400);
    expect(list.body.error.details.map((d: { path: string }) => d.path)).toContain('body.listId');
  });

  it('answers 20 parallel creates of one channel and key with exactly one 201 and 409s, storing one account', async () => {
    const key = accountKey();

    const results = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', '/admin/accounts', { token: api.admin(), body: body('whatsapp', 'twilio', listId, { key }) })),
    );

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect((await allAccounts()).filter((a) => a.channel === 'whatsapp' && a.key.toLowerCase() === key.toLowerCase())).toHaveLength(1);
  });

  it('lets the same key be used once per channel', async () => {
    const key = accountKey();

    const sms = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'twilio', listId, { key }) });
    const whatsapp = await call('POST', '/admin/accounts', { token: api.admin(), body: body('whatsapp', 'twilio', listId, { key }) });
    const again = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'plivo', listId, { key: key.toUpperCase() }) });

    expect([sms.status, whatsapp.status, again.status]).toEqual([201, 201, 409]);
  });
});

describe('updating accounts', () => {
  it('rotates one credential field, keeps the others and answers only which fields are set', async () => {
    const input = body('sms', 'twilio', listId);
    const created = await call('POST', '/admin/accounts', { token: api.admin(), body: input });
    const authToken = `rotated-${accountKey()}-${Date.now()}`;
    secrets.add(authToken);

    const res = await call('PATCH', `/admin/accounts/${created.body.id}`, { token: api.admin(), body: { credentials: { authToken } } });

    expect(res.status).toBe(200);
    expect([...res.body.credentials.set].sort()).toEqual(['accountSid', 'authToken']);
    expect(res.text).not.toContain(authToken);
    expect(await accountCredentials((await getAccount(created.body.id))!)).toEqual({ ...input.credentials, authToken });
  });

  it('refuses proxyToken and receiveUrl in a PATCH with a 400 naming them: they are read-only, and nothing changes', async () => {
    const created = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'clickatell', listId) });

    const res = await call('PATCH', `/admin/accounts/${created.body.id}`, {
      token: api.admin(),
      body: { proxyToken: 'chosen-by-client', receiveUrl: 'https://evil.example/x', name: 'renamed' },
    });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.proxyToken', 'body.receiveUrl']);
    expect(res.body.error.details[0].message).toMatch(/read-only/);
    const stored = (await getAccount(created.body.id))!;
    expect([stored.proxyToken, stored.name]).toEqual([created.body.proxyToken, created.body.name]);
  });

  it('refuses an out-of-range setting in a PATCH naming it, and changes nothing', async () => {
    const created = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'telnyx', listId) });

    const res = await call('PATCH', `/admin/accounts/${created.body.id}`, { token: api.admin(), body: { name: 'x', settings: { waitForAgentSeconds: 0 } } });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('body.settings.waitForAgentSeconds');
    const after = await call('GET', `/admin/accounts/${created.body.id}`, { token: api.admin() });
    expect(after.body).toEqual(created.body);
  });

  it('merges a settings section field by field, and a null clears that field alone', async () => {
    const created = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'telnyx', listId) });
    const path = `/admin/accounts/${created.body.id}`;
    const set = await call('PATCH', path, { token: api.admin(), body: { settings: { disposition: { mandatory: true, pauseId: 'After call work' } } } });
    expect(set.body.settings.disposition).toEqual({ mandatory: true, pauseId: 'After call work' });
    const cleared = await call('PATCH', path, { token: api.admin(), body: { settings: { disposition: { pauseId: null } } } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.settings.disposition).toEqual({ mandatory: true });
    expect((await call('GET', path, { token: api.admin() })).body.settings.disposition).toEqual({ mandatory: true });
  });

  it('answers 404 for an unknown account, and 400 naming the id for one that is not an id at all', async () => {
    const unknown = ulid();
    const get = await call('GET', `/admin/accounts/${unknown}`, { token: api.admin() });
    const patch = await call('PATCH', `/admin/accounts/${unknown}`, { token: api.admin(), body: { name: 'x' } });
    const del = await call('DELETE', `/admin/accounts/${unknown}`, { token: api.admin() });
    const malformed = await call('GET', '/admin/accounts/nope', { token: api.admin() });

    expect([get.status, patch.status, del.status]).toEqual([404, 404, 404]);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details).toEqual([{ path: 'path.id', message: expect.stringMatching(/ULID/) }]);
  });
});

describe('webhook authentication', () => {
  const unsigned: [ProviderType, string[]][] = [
    ['clickatell', ['body.credentials.webhookUsername', 'body.credentials.webhookPassword']],
    ['clicksend', ['body.credentials.webhookUsername', 'body.credentials.webhookPassword']],
    ['infobip', ['body.credentials.webhookUsername', 'body.credentials.webhookPassword']],
    ['skebby', ['body.credentials.webhookUsername', 'body.credentials.webhookPassword']],
    ['intelepeer', ['body.credentials.signatureCode', 'body.credentials.webhookUsername', 'body.credentials.webhookPassword']],
    ['bandwidth', ['body.credentials.callbackUsername', 'body.credentials.callbackPassword']],
    ['connectel', ['body.credentials.webhookSecret']],
    ['csctelecom', ['body.credentials.webhookSecret']],
  ];
  const withoutWebhookAuth = (type: ProviderType) => {
    const c = creds(type);
    for (const f of ['webhookUsername', 'webhookPassword', 'webhookSecret', 'signatureCode', 'callbackUsername', 'callbackPassword']) delete c[f];
    return c;
  };
  const count = async () => (await call('GET', '/admin/accounts?limit=200', { token: api.admin() })).body.items.length;

  it.each(unsigned)('refuses a %s account with no webhook authentication, naming the fields, and stores nothing', async (type, fields) => {
    const before = await count();

    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', type, listId, { credentials: withoutWebhookAuth(type) }) });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(fields);
    expect(res.body.error.details[0].message).toMatch(/allowUnauthenticatedWebhooks/);
    expect(await count()).toBe(before);
  });

  it('refuses a Kaleyra account with no shared secret header', async () => {
    const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body('whatsapp', 'kaleyra', listId, { credentials: withoutWebhookAuth('kaleyra') }) });

    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.credentials.webhookSecret']);
  });

  it('creates one only with the explicit opt-out, and says it is unauthenticated', async () => {
    const res = await call('POST', '/admin/accounts', {
      token: api.admin(),
      body: body('sms', 'clickatell', listId, { credentials: withoutWebhookAuth('clickatell'), allowUnauthenticatedWebhooks: true }),
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ webhookAuthentication: 'none', allowUnauthenticatedWebhooks: true });
    expect((await call('GET', `/admin/accounts/${res.body.id}`, { token: api.admin() })).body.webhookAuthentication).toBe('none');
  });

  it('says how each account is authenticated: the provider signature, basic auth or a shared secret', async () => {
    const twilio = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'twilio', listId) });
    const clicksend = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'clicksend', listId) });
    const kaleyra = await call('POST', '/admin/accounts', { token: api.admin(), body: body('whatsapp', 'kaleyra', listId) });

    expect([twilio.body.webhookAuthentication, clicksend.body.webhookAuthentication, kaleyra.body.webhookAuthentication]).toEqual(['signature', 'basic', 'shared-secret']);
    expect([twilio.body.allowUnauthenticatedWebhooks, clicksend.body.allowUnauthenticatedWebhooks]).toEqual([false, false]);
  });

  it('refuses to withdraw the opt-out from an account that has no webhook authentication, and changes nothing', async () => {
    const created = await call('POST', '/admin/accounts', {
      token: api.admin(),
      body: body('sms', 'infobip', listId, { credentials: withoutWebhookAuth('infobip'), allowUnauthenticatedWebhooks: true }),
    });

    const withdrawn = await call('PATCH', `/admin/accounts/${created.body.id}`, { token: api.admin(), body: { allowUnauthenticatedWebhooks: false } });
    const unchanged = await call('GET', `/admin/accounts/${created.body.id}`, { token: api.admin() });
    const secured = await call('PATCH', `/admin/accounts/${created.body.id}`, {
      token: api.admin(),
      body: { allowUnauthenticatedWebhooks: false, credentials: { webhookUsername: 'infobip-hook', webhookPassword: 'infobip-hook-pass' } },
    });
    secrets.add('infobip-hook-pass');

    expect(withdrawn.status).toBe(400);
    expect(withdrawn.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.credentials.webhookUsername', 'body.credentials.webhookPassword']);
    expect(unchanged.body).toMatchObject({ allowUnauthenticatedWebhooks: true, version: created.body.version });
    expect(secured.status).toBe(200);
    expect(secured.body).toMatchObject({ webhookAuthentication: 'basic', allowUnauthenticatedWebhooks: false });
  });
});

describe('deleting accounts and lists', () => {
  it("removes the account's memberships and its own catalog", async () => {
    const agent = await createUser(call, api.admin(), 'agent');
    const created = await call('POST', '/admin/accounts', { token: api.admin(), body: body('sms', 'bandwidth', listId) });
    const id = created.body.id as string;
    await call('PUT', `/admin/accounts/${id}/agents/${agent.id}`, { token: api.admin() });
    await call('POST', `/admin/accounts/${id}/dispositions`, { token: api.admin(), body: { name: 'Sold' } });
    const doc = await call('POST', `/admin/accounts/${id}/knowledge`, { token: api.admin(), body: { name: 'Returns', text: 'Returns within 30 days.' } });
    expect(doc.status).toBe(201);
    expect((await call('GET', `/admin/agents/${agent.id}/accounts`, { token: api.admin() })).body.accountIds).toEqual([id]);

    const res = await call('DELETE', `/admin/accounts/${id}`, { token: api.admin() });

    expect(res.status).toBe(204);
    expect((await call('GET', `/admin/agents/${agent.id}/accounts`, { token: api.admin() })).body.accountIds).toEqual([]);
    expect(await membersOf('ACCOUNT', id)).toEqual([]);
    expect(await listCatalogItems('disposition', { accountId: id })).toEqual([]);
    expect((await call('GET', `/admin/accounts/${id}`, { token: api.admin() })).status).toBe(404);
    // Nothing of the account is left in its partition: no knowledge document, no catalog item, no membership.
    const left = await db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `ACCOUNT#${id}` } }));
    expect(left.Items ?? []).toEqual([]);
  });

  it('refuses with 409 LIST_IN_USE to delete a list an account uses, as its list or whitelist, and changes nothing', async () => {
    const own = await createList(call, api.admin());
    const white = await createList(call, api.admin());
    const created = await call('POST', '/admin/accounts', {
      token: api.admin(),
      body: body('sms', 'skebby', own, { settings: { whitelist: { enabled: true, listIds: [white] } } }),
    });
    await call('POST', `/admin/lists/${own}/contacts`, { token: api.admin(), body: { phone: '+14155550100' } });

    const first = await call('DELETE', `/admin/lists/${own}`, { token: api.admin() });
    const second = await call('DELETE', `/admin/lists/${white}`, { token: api.admin() });

    expect([first.status, second.status]).toEqual([409, 409]);
    expect(first.body.error.code).toBe('LIST_IN_USE');
    expect((await call('GET', `/admin/lists/${own}`, { token: api.admin() })).status).toBe(200);
    expect((await call('GET', `/admin/lists/${own}/contacts`, { token: api.admin() })).body.items).toHaveLength(1);
    expect((await call('GET', `/admin/accounts/${created.body.id}`, { token: api.admin() })).status).toBe(200);

    await call('DELETE', `/admin/accounts/${created.body.id}`, { token: api.admin() });
    expect((await call('DELETE', `/admin/lists/${own}`, { token: api.admin() })).status).toBe(204);
    expect((await call('DELETE', `/admin/lists/${white}`, { token: api.admin() })).status).toBe(204);
  });
});

describe('export, search and pagination', () => {
  const tag = `srch${Date.now().toString(36)}`;
  const made: { id: string; name: string; channel: Channel }[] = [];

  beforeAll(async () => {
    const specs: [string, Channel, ProviderType][] = [
      ['alpha', 'sms', 'twilio'],
      ['bravo', 'whatsapp', 'meta'],
      ['charlie', 'sms', 'infobip'],
      ['delta', 'whatsapp', 'kaleyra'],
      ['echo', 'sms', 'intelepeer'],
    ];
    for (const [word, channel, type] of specs) {
      const res = await call('POST', '/admin/accounts', { token: api.admin(), body: body(channel, type, listId, { name: `${tag} ${word}` }) });
      made.push({ id: res.body.id, name: res.body.name, channel });
    }
  });

  it('exports the chosen accounts as CSV without credentials', async () => {
    const chosen = [made[0]!.id, made[2]!.id];

    const res = await call('GET', `/admin/accounts/export?ids=${chosen.join(',')}`, { token: api.admin() });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toContain('id,channel,name,key');
    expect(lines).toHaveLength(3);
    expect(res.text).toContain(chosen[0]);
    expect(res.text).toContain(chosen[1]);
    expect(res.text).not.toContain(made[1]!.id);
  });

  it('refuses an export with no ids, naming query.ids', async () => {
    const res = await call('GET', '/admin/accounts/export', { token: api.admin() });

    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.ids');
  });

  it('searches with q, filters by channel and sorts', async () => {
    const res = await call('GET', `/admin/accounts?q=${tag}&channel=whatsapp&sort=name&order=desc`, { token: api.admin() });

    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { name: string }) => a.name)).toEqual([`${tag} delta`, `${tag} bravo`]);
  });

  it('pages with a cursor until every match is seen once', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await call('GET', `/admin/accounts?q=${tag}&sort=name&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: api.admin() });
      expect(res.status).toBe(200);
      names.push(...res.body.items.map((a: { name: string }) => a.name));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);

    expect(pages).toBe(3);
    expect(names).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((w) => `${tag} ${w}`));
  });

  it('refuses a bad sort, limit or cursor naming the query field', async () => {
    const sort = await call('GET', '/admin/accounts?sort=secret', { token: api.admin() });
    const limit = await call('GET', '/admin/accounts?limit=0', { token: api.admin() });
    const cursor = await call('GET', '/admin/accounts?cursor=xyz', { token: api.admin() });

    expect([sort.status, limit.status, cursor.status]).toEqual([400, 400, 400]);
    expect(sort.body.error.details[0].path).toBe('query.sort');
    expect(limit.body.error.details[0].path).toBe('query.limit');
    expect(cursor.body.error.details[0].path).toBe('query.cursor');
  });
});

describe('credentials never leave', () => {
  it('runs this file with debug logging', () => {
    expect(config.LOG_LEVEL).toBe('debug');
  });

  it('puts no credential value in any response body this file received (lists, gets, exports, errors)', async () => {
    // One more full listing and a get of everything, so every stored account's view is checked.
    for (const a of await allAccounts()) await call('GET', `/admin/accounts/${a.id}`, { token: api.admin() });
    expect(secrets.size).toBeGreaterThan(60);
    const leaks = api.seen.flatMap((text) => [...secrets].filter((s) => text.includes(s)));
    expect(leaks).toEqual([]);
  });

  it('puts no credential value in any log line', () => {
    const leaks = logLines.flatMap((line) => [...secrets].filter((s) => line.includes(s)));
    expect(leaks).toEqual([]);
  });
});
