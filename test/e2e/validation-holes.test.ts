/**
 * The validation holes of the security review, each closed: a routing step naming a queue or agent that does not
 * exist, an invalid or too costly regex, a push gateway that is not https, the whitelist error naming `listIds`,
 * the canned answers of an account answering the same for one that exists and one that does not, and an inbound
 * sender that is not a phone number (kept, marked unverifiable, never a list contact). Each 400 names its field and
 * changes nothing.
 */
import { ulid } from 'ulid';
import { accountBody, createList, createUser, useAdminApi, type TestUser } from '../support/admin';
import { eventually } from '../support/engine';
import { twilioProvider } from '../../shared/providers/twilio';

const api = useAdminApi();
const { call } = api;
const credentials = { accountSid: `AC${'0a1b2c3d4e5f6a7b'.repeat(2)}`, authToken: 'holes-auth-token' };

let listId = '';
let account: { id: string; proxyToken: string; receiveUrl: string; phone: string };
let agent: TestUser;

const paths = (res: { body: { error?: { details?: { path: string }[] } } }) => (res.body.error?.details ?? []).map((d) => d.path);

beforeAll(async () => {
  listId = await createList(call, api.admin());
  const created = await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'twilio', listId, { credentials, phone: '+14155550155' }) });
  account = { id: created.body.id, proxyToken: created.body.proxyToken, receiveUrl: created.body.receiveUrl, phone: '+14155550155' };
  agent = await createUser(call, api.admin(), 'agent');
}, 60_000);

describe('routing plans', () => {
  it('refuses steps naming a queue or an agent that does not exist, naming each step', async () => {
    const routing = [
      { type: 'queue', queueId: ulid(), timeoutSeconds: 10 },
      { type: 'agent', agentId: ulid(), timeoutSeconds: 10 },
    ];
    const patch = await call('PATCH', `/admin/accounts/${account.id}`, { token: api.admin(), body: { settings: { routing } } });
    const create = await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'twilio', listId, { settings: { routing } }) });

    expect([patch.status, create.status]).toEqual([400, 400]);
    expect(paths(patch)).toEqual(['body.settings.routing.0.queueId', 'body.settings.routing.1.agentId']);
    expect(paths(create)).toEqual(['body.settings.routing.0.queueId', 'body.settings.routing.1.agentId']);
    expect((await call('GET', `/admin/accounts/${account.id}`, { token: api.admin() })).body.settings.routing).toEqual([]);
  });

  it('accepts steps naming a real queue and agent', async () => {
    const queueId = (await call('POST', '/admin/queues', { token: api.admin(), body: { name: 'Real queue' } })).body.id;
    const routing = [
      { type: 'queue', queueId, timeoutSeconds: 10 },
      { type: 'agent', agentId: agent.id, timeoutSeconds: 10 },
    ];
    const other = await call('POST', '/admin/accounts', { token: api.admin(), body: accountBody('sms', 'twilio', listId, { settings: { routing } }) });
    expect(other.status).toBe(201);
  });

  it('refuses an invalid regex and a too costly one at write time, naming the condition value', async () => {
    for (const value of ['([a-z]+', '(?<=a)b', '[a-z]{1,150}x']) {
      const res = await call('PATCH', `/admin/accounts/${account.id}`, {
        token: api.admin(),
        body: { settings: { routing: [{ type: 'gotoif', condition: { kind: 'value', field: 'message.text', op: 'matches', value }, then: 1 }, { type: 'close' }] } },
      });
      expect([value, res.status, paths(res)]).toEqual([value, 400, ['body.settings.routing.0.condition.value']]);
    }
  });
});

describe('agents', () => {
  it('refuses a push gateway that is not an https URL', async () => {
    for (const pushGateway of ['javascript:alert(1)', 'http://push.example.com/x', 'data:text/html,hi']) {
      const res = await call('PATCH', `/admin/agents/${agent.id}`, { token: api.admin(), body: { pushGateway } });
      expect([pushGateway, res.status, [...new Set(paths(res))]]).toEqual([pushGateway, 400, ['body.pushGateway']]);
    }
    expect((await call('PATCH', `/admin/agents/${agent.id}`, { token: api.admin(), body: { pushGateway: 'https://push.example.com/x' } })).status).toBe(200);
  });
});

describe('whitelist', () => {
  it('names listIds, the field the caller sent, when a list does not exist', async () => {
    const res = await call('PUT', `/admin/accounts/${account.id}/whitelist`, { token: api.admin(), body: { listIds: [listId, ulid()] } });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['body.listIds.1']);
    expect((await call('GET', `/admin/accounts/${account.id}/whitelist`, { token: api.admin() })).body.listIds).toEqual([]);
  });
});

describe('canned answers of an account', () => {
  it('answers an agent the same 404 for an account that exists and one that does not', async () => {
    const existing = await call('GET', `/agent/canned-answers?accountId=${account.id}`, { token: agent.token });
    const missing = await call('GET', `/agent/canned-answers?accountId=${ulid()}`, { token: agent.token });
    expect([existing.status, missing.status]).toEqual([404, 404]);
    expect(existing.body.error.code).toBe(missing.body.error.code);
    expect(existing.body.error.message.replace(account.id, 'X')).toBe(missing.body.error.message.replace(/account \w+/, 'account X'));
  });
});

describe('an inbound sender that is not a phone number', () => {
  it('keeps the message on an interaction marked unverifiable and creates no list contact', async () => {
    const contactsBefore = (await call('GET', `/admin/lists/${listId}/contacts`, { token: api.admin() })).body.items;
    for (const from of ['notaphone', '+3933']) {
      const signed = twilioProvider.simulateInbound(
        { url: account.receiveUrl, providerMessageId: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, from, to: account.phone, text: `from ${from}`, timestampMs: Date.now() },
        credentials,
        { id: account.id, channel: 'sms', phone: account.phone, proxyToken: account.proxyToken },
      );
      const res = await fetch(`${api.engine().httpUrl}${new URL(signed.url).pathname}`, { method: signed.method, headers: signed.headers, body: signed.body });
      expect(res.status).toBe(200);
      const interaction = await eventually(async () => {
        const list = await call('GET', `/agent/interactions?accountId=${account.id}`, { token: api.admin() });
        const found = (list.body.items as { contactPhone: string; id: string; senderUnverifiable?: boolean; contactId: string }[]).find((i) => i.contactPhone === from);
        if (!found) throw new Error(`no interaction from ${from} yet`);
        return found;
      }, 15_000);
      expect(interaction).toMatchObject({ senderUnverifiable: true, contactId: '' });
      const messages = (await call('GET', `/agent/interactions/${interaction.id}/messages`, { token: api.admin() })).body.items;
      expect(messages.map((m: { text: string }) => m.text)).toEqual([`from ${from}`]);
    }
    expect((await call('GET', `/admin/lists/${listId}/contacts`, { token: api.admin() })).body.items).toEqual(contactsBefore);
  });
});
