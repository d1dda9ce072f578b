/**
 * The API documents itself completely: every route of the wiring has an operation of its own (a summary, its path
 * and query parameters, a request body or an explicit "none", a success response with a schema, and the error
 * responses with the error body), every request body has examples that its own schema accepts, credentials are a
 * oneOf by account type with each provider module's fields write-only, and the AsyncAPI document names every
 * realtime event; the file GET /openapi.json serves is the one generated from them. Validated with ajv (JSON Schema 2020-12) and ajv-formats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { httpRoutes, routeKey } from '../../lib/wiring';
import { asyncApiDocument } from '../../shared/admin/asyncapi';
import { describedRoutes, openApiDocument } from '../../shared/admin/openapi';
import { CHANNEL_PROVIDERS, providers } from '../../shared/providers';
import { OPENAPI_FILE, openApiText } from '../../bin/openapi';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the documents are JSON, asserted field by field
type Json = any;
const doc: Json = JSON.parse(JSON.stringify(openApiDocument(httpRoutes)));
const events: Json = JSON.parse(JSON.stringify(asyncApiDocument()));

function validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
  return ajv;
}
const ajv = validator();
const schemaRef = (name: string) => ajv.getSchema(`openapi.json#/components/schemas/${name}`) ?? ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });

const described = new Map(describedRoutes().map((r) => [r.key, r]));
const WRITES = new Set(['POST', 'PUT', 'PATCH']);

describe('the OpenAPI document is complete', () => {
  it('is served as bin/openapi.ts generates it from today\'s routes and schemas (rerun it after changing either)', () => {
    expect(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))).toEqual(JSON.parse(openApiText()));
  });

  it.each(httpRoutes.map((r) => [routeKey(r), r] as const))('%s has a complete operation', (key, route) => {
    const op = doc.paths[route.path]?.[route.method.toLowerCase()];
    const own = described.get(key);
    // An operation of its own, not the generated fallback.
    expect([key, Boolean(own)]).toEqual([key, true]);
    expect(op.summary).not.toBe(key);
    expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
    // Path parameters.
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    expect((op.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name)).toEqual(params);
    // A body, or an explicit "none".
    if (WRITES.has(route.method)) expect([key, Boolean(own!.body || own!.noBody || own!.providerBody)]).toEqual([key, true]);
    if (own!.body) {
      const content = op.requestBody.content['application/json'];
      expect(content.schema.$ref).toBe(`#/components/schemas/${own!.body}`);
      expect([key, Object.keys(content.examples ?? {}).length > 0]).toEqual([key, true]);
    }
    // A success response with a schema that exists.
    const success = Object.keys(op.responses).filter((s) => /^2/.test(s));
    expect(success.length).toBeGreaterThan(0);
    for (const status of success) {
      const response = op.responses[status];
      if (status === '204') continue;
      const [type, media] = Object.entries(response.content)[0] as [string, Json];
      expect(type).toBeTruthy();
      if (type === 'application/json') {
        const refName = media.schema.$ref?.replace('#/components/schemas/', '');
        expect([key, refName && doc.components.schemas[refName] ? 'schema' : 'none']).toEqual([key, 'schema']);
      }
    }
    // Errors: the shared error body.
    const errors = Object.keys(op.responses).filter((s) => /^4/.test(s));
    if (route.path !== '/health' && route.path !== '/openapi.json' && route.path !== '/asyncapi.json') expect([key, errors.length]).toEqual([key, expect.any(Number)]);
    for (const status of errors) expect(doc.components.responses[op.responses[status].$ref.split('/').pop()].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
  });

  it('documents the query parameters of GET /agent/interactions, paging included', () => {
    const names = doc.paths['/agent/interactions'].get.parameters.map((p: Json) => `${p.in}:${p.name}`);
    expect(names).toEqual(expect.arrayContaining(['query:status', 'query:accountId', 'query:scope', 'query:limit', 'query:cursor']));
    expect(doc.paths['/agent/interactions'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/InteractionPage');
  });

  it('documents the bodies of presence, reply, template, canned, close, transfer, tags and notes', () => {
    const body = (path: string, method = 'post') => doc.paths[path][method].requestBody.content['application/json'].schema.$ref.split('/').pop();
    expect(body('/agent/presence', 'put')).toBe('Presence');
    expect(doc.components.schemas.Presence.properties.status.enum).toEqual(['online', 'paused', 'offline']);
    expect(body('/agent/interactions/{id}/reply')).toBe('Reply');
    expect(body('/agent/interactions/{id}/template')).toBe('Template');
    expect(body('/agent/interactions/{id}/canned')).toBe('Canned');
    expect(body('/agent/interactions/{id}/close')).toBe('Close');
    expect(body('/agent/interactions/{id}/transfer')).toBe('Transfer');
    expect(body('/agent/interactions/{id}/tags', 'put')).toBe('Tags');
    expect(body('/agent/interactions/{id}/notes')).toBe('AgentNote');
  });

  it("gives credentials as a oneOf by account type, with each provider module's fields, all write-only", () => {
    const create = doc.components.schemas.AccountCreate;
    expect(create.discriminator.propertyName).toBe('type');
    expect(Object.keys(create.discriminator.mapping).sort()).toEqual(Object.keys(providers).sort());
    expect(create.oneOf).toHaveLength(Object.keys(providers).length);
    const meta = doc.components.schemas.AccountCreate_meta;
    expect(Object.keys(meta.properties.credentials.properties)).toEqual(expect.arrayContaining(['wabaId', 'accessToken', 'appId', 'appSecret', 'phoneNumberId']));
    expect(meta.properties.credentials.required).toEqual(expect.arrayContaining(['wabaId', 'accessToken', 'appId', 'appSecret', 'phoneNumberId']));
    expect(meta.properties.channel.enum).toEqual(['whatsapp']);
    for (const type of Object.keys(providers)) {
      const variant = doc.components.schemas[`AccountCreate_${type}`];
      expect(variant.properties.type).toEqual({ const: type });
      expect(variant.properties.channel.enum).toEqual((['sms', 'whatsapp'] as const).filter((c) => CHANNEL_PROVIDERS[c].includes(type as never)));
      for (const [field, prop] of Object.entries(variant.properties.credentials.properties as Record<string, Json>)) expect([type, field, prop.writeOnly]).toEqual([type, field, true]);
    }
    // Answers carry the names of the fields set, never their values.
    expect(doc.components.schemas.Account.properties.credentials.properties).toEqual({ set: expect.objectContaining({ type: 'array' }) });
  });

  it('says what the API enforces of a WhatsApp key: 1 to 5 letters or digits (and up to 20 characters for SMS)', () => {
    const check = schemaRef('AccountCreate');
    const body = (channel: string, type: string, key: string, credentials: Record<string, string>) => ({ channel, name: 'n', key, type, phone: '+393331234567', listId: 'l', credentials });
    const meta = { wabaId: '1', accessToken: 'a', appId: '2', appSecret: 's', phoneNumberId: '3' };
    const twilio = { accountSid: 'AC1', authToken: 't' };
    expect(check(body('whatsapp', 'meta', 'WA123', meta))).toBe(true);
    expect(check(body('whatsapp', 'meta', 'WA1234', meta))).toBe(false);
    expect(check(body('whatsapp', 'twilio', 'TOOLONG', twilio))).toBe(false);
    expect(check(body('sms', 'twilio', 'SMS-SUPPORT-EU', twilio))).toBe(true);
    expect(check(body('sms', 'meta', 'SUP', meta))).toBe(false);
    expect(check(body('whatsapp', 'meta', 'WA1', { accessToken: 'a' }))).toBe(false);
  });

  it('has request examples that their own schemas accept', () => {
    let count = 0;
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
      for (const example of schema.examples ?? []) {
        const check = schemaRef(name);
        const ok = check(example);
        expect([name, ok, check.errors ?? null]).toEqual([name, true, null]);
        count += 1;
      }
    }
    expect(count).toBeGreaterThan(30);
  });

  it('compiles every schema of the document with ajv 2020-12', () => {
    for (const name of Object.keys(doc.components.schemas)) expect(typeof schemaRef(name)).toBe('function');
  });
});

describe('the AsyncAPI document', () => {
  it('is AsyncAPI 3.0 and names every realtime event type and the WebSocket answers', () => {
    expect(events.asyncapi).toBe('3.0.0');
    const source = readFileSync(join(__dirname, '../../shared/realtime/notify.ts'), 'utf8');
    const union = /export type RealtimeEventType =([^;]+);/.exec(source)![1]!;
    const types = [...union.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    const documented = Object.values(events.channels.agent.messages as Record<string, Json>).map((m) => m.name);
    expect(documented).toEqual(expect.arrayContaining([...types, 'message.retrying', 'board.updated', 'queue.waiting', 'spy.started', 'spy.stopped', 'subscribed', 'error', 'pong']));
    expect(documented).toEqual(expect.arrayContaining(['ping', 'subscribe', 'unsubscribe', 'spy', 'unspy']));
    expect(events.operations.receiveEvents.action).toBe('receive');
    expect(events.operations.sendActions.action).toBe('send');
  });

  it("has examples that their message's payload accepts", () => {
    const check = new Ajv2020({ strict: false, allErrors: true });
    addFormats(check);
    for (const message of Object.values(events.channels.agent.messages as Record<string, Json>)) {
      const validate = check.compile(message.payload);
      for (const { payload } of message.examples) expect([message.name, validate(payload), validate.errors ?? null]).toEqual([message.name, true, null]);
    }
  });
});
