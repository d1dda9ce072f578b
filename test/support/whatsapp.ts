/**
 * Helpers for the WhatsApp template and campaign tests: an engine aimed at the fake providers with the first admin
 * logged in, accounts of Meta, Kaleyra and Twilio, approved templates, contact lists of many contacts, and signed
 * Meta webhooks (template status updates, delivery statuses, inbound replies) sent to the account's receive URL.
 */
import { createHmac } from 'node:crypto';
import { startEngine, type Engine, type EngineOptions } from '../../lib/local/engine';
import { asciiJson } from '../../shared/providers/meta';
import { providerFor } from '../../shared/providers';
import type { ProviderType } from '../../shared/providers/types';
import { createContact } from '../../shared/store/lists';
import { ADMIN_PASSWORD, accountKey, caller, login, unique, type Caller } from './admin';
import { engineOptions } from './engine';
import { FakeProviders, fakeCredentials } from './fake-providers';

export interface WhatsAppEnv {
  fake: FakeProviders;
  engine: Engine;
  call: Caller;
  token: string;
}

/** The fake providers and an engine aimed at them, for the whole file. */
export function useWhatsApp(options: EngineOptions = {}): () => WhatsAppEnv {
  let env: WhatsAppEnv | undefined;
  beforeAll(async () => {
    const fake = await FakeProviders.start();
    const engine = await startEngine(engineOptions({ ...options, env: { ...fake.env(), LOG_LEVEL: 'error', ...(options.env ?? {}) } }));
    await engine.bootstrap(ADMIN_PASSWORD);
    const call = caller(() => engine.httpUrl);
    env = { fake, engine, call, token: await login(call, 'admin', ADMIN_PASSWORD) };
  }, 60_000);
  afterAll(async () => {
    await env?.engine.stop();
    await env?.fake.stop();
  }, 60_000);
  return () => {
    if (!env) throw new Error('useWhatsApp() has not started yet');
    return env;
  };
}

export interface TestAccount {
  id: string;
  type: ProviderType;
  phone: string;
  receiveUrl: string;
  credentials: Record<string, unknown>;
  listId: string;
}

export async function createWhatsAppAccount(env: WhatsAppEnv, type: ProviderType, settings: Record<string, unknown> = {}): Promise<TestAccount> {
  const list = await env.call('POST', '/admin/lists', { token: env.token, body: { name: unique('list') } });
  const credentials = fakeCredentials(type, env.fake);
  const res = await env.call('POST', '/admin/accounts', {
    token: env.token,
    body: { channel: 'whatsapp', name: `${type} ${unique()}`, key: accountKey(), type, phone: '+393331234567', listId: list.body.id, credentials, settings },
  });
  if (res.status !== 201) throw new Error(`creating the account answered ${res.status}: ${res.text}`);
  return { id: res.body.id, type, phone: '+393331234567', receiveUrl: res.body.receiveUrl, credentials, listId: list.body.id };
}

export const TEMPLATE_BODY = {
  category: 'MARKETING',
  language: 'it',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Offerta di dicembre' },
    { type: 'BODY', text: 'Ciao {{1}}, il tuo codice è {{2}}.', examples: ['Maria', 'XMAS24'] },
    { type: 'FOOTER', text: 'Rispondi STOP per non ricevere più messaggi' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Mi interessa' }] },
  ],
};

export async function createTemplate(env: WhatsAppEnv, account: TestAccount, overrides: Record<string, unknown> = {}) {
  const res = await env.call('POST', '/admin/whatsapp/templates', { token: env.token, body: { accountId: account.id, name: unique('promo_').toLowerCase(), ...TEMPLATE_BODY, ...overrides } });
  if (res.status !== 201) throw new Error(`creating the template answered ${res.status}: ${res.text}`);
  return res.body as { id: string; name: string; language: string; providerTemplateId: string; status: string };
}

/** A template the provider approved: created, approved at the fake, and synced. */
export async function approvedTemplate(env: WhatsAppEnv, account: TestAccount, overrides: Record<string, unknown> = {}) {
  const template = await createTemplate(env, account, overrides);
  env.fake.setTemplateStatus(template.providerTemplateId, account.type === 'twilio' ? 'approved' : 'APPROVED');
  const synced = await env.call('POST', `/admin/whatsapp/templates/${template.id}/sync`, { token: env.token });
  if (synced.body?.status !== 'APPROVED') throw new Error(`the template did not become APPROVED: ${synced.text}`);
  return template;
}

/** Adds `count` contacts to a list, straight into the store (phones +39340000NNNN from `first`). */
export async function addContacts(_env: WhatsAppEnv, listId: string, count: number, first = 0, fields: (i: number) => Record<string, string> = (i) => ({ firstName: `Cliente${i}` })): Promise<string[]> {
  const phones = Array.from({ length: count }, (_, i) => `+39340${String(first + i).padStart(7, '0')}`);
  for (let i = 0; i < count; i += 25) {
    await Promise.all(phones.slice(i, i + 25).map((phone, j) => createContact({ listId, phone, ...fields(first + i + j) })));
  }
  return phones;
}

/** Posts a Meta webhook body (signed with the account's app secret) to the account's receive URL. */
export async function postMetaWebhook(account: TestAccount, changes: { field: string; value: unknown }[]): Promise<Response> {
  const body = asciiJson({ object: 'whatsapp_business_account', entry: [{ id: String(account.credentials.wabaId), changes }] });
  const signature = createHmac('sha256', String(account.credentials.appSecret)).update(body).digest('hex');
  return fetch(account.receiveUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` }, body });
}

/** A signed delivery status from the provider for a message it accepted, as its own webhook format has it. */
export async function postStatus(account: TestAccount, providerMessageId: string, status: 'sent' | 'delivered' | 'read' | 'failed', correlationId?: string, errorCode?: string): Promise<Response> {
  const provider = providerFor(account.type);
  const spec = provider.simulateStatus(
    { url: `${account.receiveUrl}/status`, providerMessageId, status, timestampMs: Date.now(), ...(correlationId ? { correlationId } : {}), ...(errorCode ? { errorCode } : {}) },
    provider.credentials.parse(account.credentials) as Record<string, unknown>,
    { id: account.id, channel: 'whatsapp', phone: account.phone, proxyToken: account.receiveUrl.split('/').pop()! },
  );
  return fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });
}

/** A signed inbound text from a customer. */
export async function postInbound(account: TestAccount, from: string, text: string): Promise<Response> {
  const provider = providerFor(account.type);
  const spec = provider.simulateInbound(
    { url: account.receiveUrl, providerMessageId: `wamid.in-${unique()}`, from, to: account.phone, text, timestampMs: Date.now() },
    provider.credentials.parse(account.credentials) as Record<string, unknown>,
    { id: account.id, channel: 'whatsapp', phone: account.phone, proxyToken: account.receiveUrl.split('/').pop()! },
  );
  return fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });
}
