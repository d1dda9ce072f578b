/**
 * The documents describe what the engine really answers: a tour of the HTTP API over the wire (admin set-up, an
 * agent's day, supervision, and the usual mistakes: 400, 401, 403, 404, 409), every answer validated against the
 * operation's documented response for its status in GET /openapi.json, and every WebSocket event against its
 * message payload in GET /asyncapi.json. ajv with JSON Schema 2020-12 and ajv-formats.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type WebSocket from 'ws';
import { ADMIN_PASSWORD, USER_PASSWORD, accountBody, login, useAdminApi } from '../support/admin';
import { closeSocket, eventually, openSocket } from '../support/engine';
import { FakeProviders } from '../support/fake-providers';
import { httpRoutes } from '../../lib/wiring';
import { twilioProvider } from '../../shared/providers/twilio';

jest.setTimeout(60_000);

let fake: FakeProviders;
beforeAll(async () => {
  fake = await FakeProviders.start();
  Object.assign(process.env, fake.env());
});
afterAll(async () => {
  await fake?.stop();
});

const api = useAdminApi();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON documents
type Json = any;
let openapi: Json;
let asyncapi: Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const checked: string[] = [];
const sockets: WebSocket[] = [];
const events: Json[] = [];

afterAll(async () => {
  await Promise.all(sockets.map(closeSocket));
});

const routeOf = (method: string, path: string) =>
  httpRoutes.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path.split('?')[0]!));

const compiled = new Map<string, ValidateFunction>();
function validatorFor(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (!v) compiled.set(ref, (v = ajv.compile({ $ref: `openapi.json${ref}` })));
  return v;
}

/** Calls the engine and checks the answer against the documented response of its route for its status. */
async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const res = await api.call(method, path, options);
  const route = routeOf(method, path);
  expect([method, path, route ? 'routed' : 'unknown']).toEqual([method, path, 'routed']);
  const op = openapi.paths[route!.path][method.toLowerCase()];
  let response = op.responses[String(res.status)];
  expect([`${method} ${route!.path}`, res.status, response ? 'documented' : 'undocumented', res.text.slice(0, 300)]).toEqual([`${method} ${route!.path}`, res.status, 'documented', res.text.slice(0, 300)]);
  if (response.$ref) response = openapi.components.responses[response.$ref.split('/').pop()];
  if (res.status === 204) expect(res.text).toBe('');
  else {
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
    const documentedTypes = Object.keys(response.content ?? {});
    expect([`${method} ${route!.path}`, documentedTypes.includes(type) || documentedTypes.includes('*/*') || documentedTypes.some((t) => t.endsWith('/octet-stream'))]).toEqual([`${method} ${route!.path}`, true]);
    if (type === 'application/json') {
      const schema = response.content['application/json'].schema;
      const validate = schema.$ref ? validatorFor(schema.$ref) : ajv.compile(schema);
      const ok = validate(res.body);
      expect([`${method} ${route!.path}`, res.status, ok, validate.errors ?? null]).toEqual([`${method} ${route!.path}`, res.status, true, null]);
    }
  }
  checked.push(`${method} ${route!.path} ${res.status}`);
  return res;
}

function eventValidator(type: string): ValidateFunction {
  const message = Object.values(asyncapi.channels.agent.messages as Record<string, Json>).find((m) => m.name === type);
  expect([type, message ? 'documented' : 'undocumented']).toEqual([type, 'documented']);
  return ajv.compile(message.payload);
}

async function socketOf(token: string): Promise<WebSocket> {
  const ws = await openSocket(`${api.engine().wsUrl}/?token=${encodeURIComponent(token)}`);
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  sockets.push(ws);
  return ws;
}

const twilio = { accountSid: `AC${'5a'.repeat(16)}`, authToken: 'openapi-responses-token' };

describe('real answers match the documents', () => {
  it('validates a tour of the HTTP API and the WebSocket events it causes', async () => {
    openapi = (await api.call('GET', '/openapi.json')).body;
    asyncapi = (await api.call('GET', '/asyncapi.json')).body;
    ajv.addSchema(openapi, 'openapi.json');
    const admin = api.admin();

    // Public routes and login.
    await call('GET', '/health');
    await call('GET', '/openapi.json');
    await call('GET', '/asyncapi.json');
    await call('POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    await call('POST', '/auth/login', { body: { username: 'admin', password: 'Wrong-Pass1!' } });
    await call('POST', '/auth/login', { body: { username: '' } });

    // Admin set-up.
    const list = (await call('POST', '/admin/lists', { token: admin, body: { name: 'Tour customers' } })).body;
    await call('POST', '/admin/lists', { token: admin, body: { name: '' } });
    await call('GET', `/admin/lists/${list.id}`, { token: admin });
    await call('GET', '/admin/lists', { token: admin });
    await call('PATCH', `/admin/lists/${list.id}`, { token: admin, body: { description: 'from the tour' } });
    const contact = (await call('POST', `/admin/lists/${list.id}/contacts`, { token: admin, body: { phone: '+393471112233', firstName: 'Maria' } })).body;
    await call('GET', `/admin/lists/${list.id}/contacts`, { token: admin });
    await call('GET', `/admin/lists/${list.id}/contacts/${contact.id}`, { token: admin });
    await call('POST', `/admin/lists/${list.id}/contacts/search`, { token: admin, body: { match: 'all', conditions: [{ field: 'firstName', operator: 'equals', value: 'Maria' }] } });

    const agentRes = (await call('POST', '/admin/agents', { token: admin, body: { username: 'tour_ada', fullName: 'Ada Agent', role: 'agent', password: USER_PASSWORD } })).body;
    await call('POST', '/admin/agents', { token: admin, body: { username: 'tour_ada', fullName: 'Ada Again', role: 'agent', password: USER_PASSWORD } });
    const supervisorRes = (await call('POST', '/admin/agents', { token: admin, body: { username: 'tour_sam', fullName: 'Sam Supervisor', role: 'supervisor', password: USER_PASSWORD } })).body;
    await call('GET', `/admin/agents/${agentRes.id}`, { token: admin });
    await call('GET', '/admin/agents', { token: admin });
    await call('PATCH', `/admin/agents/${agentRes.id}`, { token: admin, body: { fullName: 'Ada Lovelace' } });
    await call('POST', '/admin/agents/search', { token: admin, body: { match: 'all', conditions: [{ field: 'role', operator: 'equals', value: 'agent' }] } });

    const queue = (await call('POST', '/admin/queues', { token: admin, body: { name: 'Tour support', strategy: 'ring-all' } })).body;
    await call('GET', `/admin/queues/${queue.id}`, { token: admin });
    await call('GET', '/admin/queues', { token: admin });
    await call('PUT', `/admin/queues/${queue.id}/agents/${agentRes.id}`, { token: admin });
    await call('GET', `/admin/queues/${queue.id}/agents`, { token: admin });
    await call('GET', `/admin/agents/${agentRes.id}/queues`, { token: admin });

    const routing = [{ type: 'queue', queueId: queue.id, timeoutSeconds: 300 }];
    const account = (await call('POST', '/admin/accounts', { token: admin, body: { ...accountBody('sms', 'twilio', list.id), credentials: twilio, settings: { routing } } })).body;
    await call('POST', '/admin/accounts', { token: admin, body: accountBody('whatsapp', 'meta', list.id, { key: 'TOOLONG' }) });
    await call('POST', '/admin/accounts', { token: admin, body: accountBody('whatsapp', 'meta', list.id) });
    await call('POST', '/admin/accounts', { token: admin, body: accountBody('sms', 'twilio', list.id, { key: account.key }) });
    await call('GET', `/admin/accounts/${account.id}`, { token: admin });
    await call('GET', '/admin/accounts', { token: admin });
    await call('PATCH', `/admin/accounts/${account.id}`, { token: admin, body: { description: 'the tour account' } });
    await call('PUT', `/admin/accounts/${account.id}/agents/${agentRes.id}`, { token: admin });
    await call('GET', `/admin/accounts/${account.id}/agents`, { token: admin });
    await call('GET', `/admin/agents/${agentRes.id}/accounts`, { token: admin });
    await call('GET', `/admin/accounts/${account.id}/whitelist`, { token: admin });
    await call('POST', '/admin/accounts/search', { token: admin, body: { match: 'all', conditions: [{ field: 'channel', operator: 'equals', value: 'sms' }] } });
    await call('POST', '/admin/dispositions', { token: admin, body: { name: 'Solved' } });
    await call('GET', '/admin/dispositions', { token: admin });
    const canned = (await call('POST', '/admin/canned-answers', { token: admin, body: { name: 'Greeting', text: 'Hello, how can I help?' } })).body;
    const team = (await call('POST', '/admin/teams', { token: admin, body: { name: 'Tour team' } })).body;
    await call('GET', `/admin/teams/${team.id}`, { token: admin });
    await call('POST', `/admin/agents/${agentRes.id}/invitation`, { token: admin });

    // The usual mistakes.
    await call('GET', '/admin/accounts');
    await call('GET', `/admin/accounts/${'0'.repeat(26)}`, { token: admin });
    await call('GET', '/admin/accounts/not-an-id', { token: admin });

    // An agent's day.
    const ada = await login(api.call, 'tour_ada', USER_PASSWORD);
    const sam = await login(api.call, 'tour_sam', USER_PASSWORD);
    await call('GET', '/admin/accounts', { token: ada });
    await socketOf(ada);
    const samSocket = await socketOf(sam);
    samSocket.send(JSON.stringify({ action: 'subscribe' }));
    samSocket.send(JSON.stringify({ action: 'ping' }));
    await call('GET', '/agent/me', { token: ada });
    await call('PUT', '/agent/presence', { token: ada, body: { status: 'online' } });
    await call('PUT', '/agent/presence', { token: ada, body: { status: 'away' } });
    await call('GET', '/agent/accounts', { token: ada });
    await call('GET', '/agent/directory', { token: ada });
    await call('GET', `/agent/canned-answers?accountId=${account.id}`, { token: ada });

    const publicUrl = account.receiveUrl as string;
    const inbound = twilioProvider.simulateInbound(
      { url: publicUrl, providerMessageId: `SM${'ab'.repeat(16)}`, from: '+393471112233', to: account.phone, text: 'Where is my order?', timestampMs: Date.now() },
      twilio,
      { id: account.id, channel: 'sms', phone: account.phone, proxyToken: account.proxyToken },
    );
    const signed = new URL(inbound.url);
    const webhook = await fetch(`${api.engine().httpUrl}${signed.pathname}`, { method: 'POST', headers: inbound.headers, body: inbound.body });
    expect(webhook.status).toBe(200);
    const offer = await eventually(() => {
      const e = events.find((m) => m.type === 'interaction.offered');
      if (!e) throw new Error('no offer yet');
      return e;
    }, 20_000);
    const id = offer.interactionId as string;

    await call('GET', '/agent/interactions', { token: ada });
    await call('GET', '/agent/interactions?limit=1', { token: sam });
    await call('GET', '/agent/interactions?limit=0', { token: sam });
    await call('GET', `/agent/queues/${queue.id}/waiting`, { token: sam });
    await call('GET', '/supervisor/board', { token: sam });
    await call('POST', `/agent/interactions/${id}/accept`, { token: ada });
    await call('GET', `/agent/interactions/${id}`, { token: ada });
    await call('GET', `/agent/interactions/${id}/messages`, { token: ada });
    await call('POST', `/agent/interactions/${id}/read`, { token: ada });
    await call('POST', `/agent/interactions/${id}/reply`, { token: ada, body: { text: 'It ships today.' } });
    await call('POST', `/agent/interactions/${id}/reply`, { token: ada, body: { parts: [{ type: 'location', latitude: 45.4, longitude: 9.2 }] } });
    await call('POST', `/agent/interactions/${id}/canned`, { token: ada, body: { cannedAnswerId: canned.id } });
    await call('PUT', `/agent/interactions/${id}/tags`, { token: ada, body: { tags: ['tour'] } });
    await call('POST', `/agent/interactions/${id}/notes`, { token: sam, body: { text: 'Watch this one.' } });
    await call('GET', `/agent/interactions/${id}/notes`, { token: ada });
    await call('POST', `/agent/interactions/${id}/reply`, { token: sam, body: { text: 'not mine' } });
    await eventually(() => {
      if (!events.some((m) => m.type === 'message.sent')) throw new Error('not sent yet');
    }, 20_000);
    await call('POST', `/agent/interactions/${id}/close`, { token: ada, body: { disposition: 'Solved' } });

    // Supervision.
    await call('GET', '/admin/interactions', { token: sam });
    await call('GET', `/admin/interactions/${id}`, { token: sam });
    await call('GET', `/admin/accounts/${account.id}/interactions`, { token: sam });
    await call('POST', '/admin/interactions/search', { token: sam, body: { match: 'all', conditions: [{ field: 'status', operator: 'equals', value: 'closed' }] } });
    await call('GET', `/admin/interactions/${id}/notes`, { token: sam });
    await call('GET', '/admin/audit', { token: admin });
    await call('POST', '/admin/exports', { token: admin, body: { kind: 'interactions-csv', ids: [id] } });
    await call('GET', `/admin/teams/${team.id}/agents`, { token: admin });
    await call('DELETE', `/admin/teams/${team.id}`, { token: admin });
    await call('DELETE', `/admin/accounts/${account.id}/agents/${supervisorRes.id}`, { token: admin });

    // Every WebSocket event matches its documented message.
    await eventually(() => {
      if (!events.some((m) => m.type === 'interaction.closed')) throw new Error('not closed yet');
    }, 10_000);
    const types = new Set<string>();
    for (const event of events) {
      const validate = eventValidator(event.type);
      const ok = validate(event);
      expect([event.type, ok, validate.errors ?? null]).toEqual([event.type, true, null]);
      types.add(event.type);
    }
    expect([...types]).toEqual(expect.arrayContaining(['interaction.offered', 'message.sent', 'interaction.closed', 'presence.changed', 'subscribed', 'pong']));
    expect(checked.length).toBeGreaterThan(80);
  });
});
